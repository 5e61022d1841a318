/**
 * A master and three replicas, real daemons over TLS on 127.0.0.1: 500 random file
 * operations on the master (create, modify, edit text in place, append, truncate, rename,
 * move, copy, swap, delete, mkdir, rmdir, chmod, symlink, some files of a few MB). In the
 * middle one replica is killed (kill -9) and restarted after more versions than a change
 * packet's window, so it must catch up by a delta (with text deltas for the text files
 * edited in place), and another one is frozen (SIGSTOP) meanwhile. At the end every replica's folder is hashed against the master's
 * (content, mode, symlink targets, empty directories), each replica's log must record
 * exactly what its disk holds, at the master's head, and the master must see every
 * replica's ack of that head. Replay a failure with LANFOLD_SEED=<seed>.
 */
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const OPERATIONS = 500;
/** Operations made while replica 3 is down (each its own version: more than the window). */
const STRETCH_OPERATIONS = 14;
const MAX_BIG_FILES = 8;

type Kind = 'file' | 'dir' | 'symlink';

const FILE_MODES = [0o600, 0o640, 0o644, 0o664, 0o700, 0o755, 0o444];
const DIR_MODES = [0o700, 0o750, 0o755, 0o775];
const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'lanfold',
  'sync',
  'version',
  'chunk',
  'été',
  '中文',
];

/** Random operations on the master's folder, with a model of what it holds. */
class Generator {
  readonly model = new Map<string, Kind>();
  /** Files whose content is valid UTF-8 text (candidates for in-place edits). */
  readonly texts = new Set<string>();
  private counter = 0;
  bigFiles = 0;
  readonly counts = new Map<string, number>();

  constructor(
    private readonly rng: Rng,
    private readonly root: string,
  ) {}

  private full(rel: string): string {
    return path.join(this.root, rel);
  }

  private paths(kind?: Kind): string[] {
    return [...this.model].filter(([, k]) => kind === undefined || k === kind).map(([p]) => p);
  }

  private dirs(): string[] {
    return ['', ...this.paths('dir')];
  }

  private join(dir: string, name: string): string {
    return dir === '' ? name : `${dir}/${name}`;
  }

  private fresh(kind: Kind): string {
    this.counter++;
    if (kind === 'dir') return `${this.rng.pick(['d', 'dir ', 'ñ'])}${this.counter}`;
    return `${this.rng.pick(['f', 'file ', 'é', 'data-'])}${this.counter}${this.rng.pick(['.txt', '.bin', '', '.md'])}`;
  }

  private children(dir: string): string[] {
    return this.paths().filter((p) => p.startsWith(`${dir}/`));
  }

  /** Lines of UTF-8 text, about `n` bytes. */
  private textOf(n: number): string {
    const lines: string[] = [];
    let size = 0;
    while (size < n) {
      const words = Array.from({ length: this.rng.int(1, 12) }, () => this.rng.pick(WORDS));
      const line = `${words.join(' ')} ${this.rng.int(0, 1e6)}\n`;
      lines.push(line);
      size += Buffer.byteLength(line);
    }
    return lines.join('');
  }

  /** New content; returns whether it is text. */
  private content(): { data: Buffer; text: boolean } {
    const r = this.rng.next();
    if (r < 0.06 && this.bigFiles < MAX_BIG_FILES) {
      this.bigFiles++;
      return {
        data: this.rng.bytes(this.rng.int(1, 4) * 1024 * 1024 + this.rng.int(0, 99_999)),
        text: false,
      };
    }
    const size =
      r < 0.55
        ? this.rng.int(0, 3000)
        : r < 0.8
          ? this.rng.int(3000, 60_000)
          : this.rng.int(70_000, 400_000);
    if (this.rng.chance(0.6)) return { data: Buffer.from(this.textOf(size)), text: true };
    return { data: this.rng.bytes(size), text: false };
  }

  private write(rel: string, c: { data: Buffer; text: boolean }): void {
    writeFileSync(this.full(rel), c.data);
    if (c.text) this.texts.add(rel);
    else this.texts.delete(rel);
  }

  private count(what: string): string {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
    return what;
  }

  /** Applies one random operation; returns its description. */
  next(): string {
    const files = this.paths('file');
    const many = this.model.size > 150;
    const r = this.rng.next();
    if (r < (many ? 0.06 : 0.16)) return this.create();
    if (r < 0.22 && files.length > 0) return this.modify(this.rng.pick(files));
    if (r < 0.32 && this.texts.size > 0) return this.editText(this.rng.pick([...this.texts]));
    if (r < 0.38 && files.length > 0) return this.append(this.rng.pick(files));
    if (r < 0.42) {
      const nonEmpty = files.filter((f) => lstatSync(this.full(f)).size > 0);
      if (nonEmpty.length > 0) return this.truncate(this.rng.pick(nonEmpty));
    }
    if (r < 0.48 && this.model.size > 0) return this.rename(this.rng.pick(this.paths()));
    if (r < 0.54 && this.model.size > 0) {
      const moved = this.move(this.rng.pick(this.paths()));
      if (moved) return moved;
    }
    if (r < 0.58 && files.length > 0) return this.copy(this.rng.pick(files));
    if (r < 0.61 && files.length > 1) return this.swap(this.rng.pick(files), this.rng.pick(files));
    if (r < (many ? 0.78 : 0.68)) {
      const leaves = [...this.paths('file'), ...this.paths('symlink')];
      if (leaves.length > 0) return this.remove(this.rng.pick(leaves));
    }
    if (r < 0.76) return this.mkdir();
    if (r < 0.82) {
      const empty = this.paths('dir').filter((d) => this.children(d).length === 0);
      if (empty.length > 0) return this.rmdir(this.rng.pick(empty));
    }
    if (r < 0.92) {
      const targets = [...this.paths('file'), ...this.paths('dir')];
      if (targets.length > 0) return this.chmod(this.rng.pick(targets));
    }
    if (r < 0.96) return this.symlink();
    if (r < 0.98) return this.createEmpty();
    return this.create();
  }

  create(): string {
    const rel = this.join(this.rng.pick(this.dirs()), this.fresh('file'));
    const c = this.content();
    this.write(rel, c);
    this.model.set(rel, 'file');
    this.count('create');
    return `create ${rel} (${c.data.length} bytes)`;
  }

  createEmpty(): string {
    const rel = this.join(this.rng.pick(this.dirs()), this.fresh('file'));
    writeFileSync(this.full(rel), '');
    this.texts.add(rel);
    this.model.set(rel, 'file');
    this.count('empty');
    return `create empty ${rel}`;
  }

  modify(rel: string): string {
    const c = this.content();
    this.write(rel, c);
    this.count('modify');
    return `modify ${rel} (${c.data.length} bytes)`;
  }

  /** Replaces, inserts or deletes a few lines in the middle of a text file (a text delta). */
  editText(rel: string): string {
    const lines = readFileSync(this.full(rel), 'utf8').split('\n');
    const at = this.rng.int(0, lines.length);
    const n = this.rng.int(0, 3);
    const insert = this.textOf(this.rng.int(1, 300)).split('\n').slice(0, -1);
    lines.splice(at, n, ...insert);
    writeFileSync(this.full(rel), lines.join('\n'));
    this.count('edit-text');
    return `edit ${rel} at line ${at}`;
  }

  append(rel: string): string {
    const text = this.texts.has(rel) || this.rng.chance(0.7);
    appendFileSync(
      this.full(rel),
      text ? this.textOf(this.rng.int(1, 3000)) : this.rng.bytes(this.rng.int(1, 5000)),
    );
    if (!text) this.texts.delete(rel);
    this.count('append');
    return `append to ${rel}`;
  }

  truncate(rel: string): string {
    const size = lstatSync(this.full(rel)).size;
    const to = this.rng.int(0, size - 1);
    truncateSync(this.full(rel), to);
    this.texts.delete(rel); // may cut a character in two
    this.count('truncate');
    return `truncate ${rel} ${size} -> ${to}`;
  }

  private moveTree(from: string, to: string): void {
    const moved = [from, ...this.children(from)];
    renameSync(this.full(from), this.full(to));
    for (const p of moved) {
      const dest = to + p.slice(from.length);
      this.model.set(dest, this.model.get(p)!);
      this.model.delete(p);
      if (this.texts.delete(p)) this.texts.add(dest);
    }
  }

  rename(rel: string): string {
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const to = this.join(parent, this.fresh(this.model.get(rel)!));
    this.moveTree(rel, to);
    this.count('rename');
    return `rename ${rel} -> ${to}`;
  }

  move(rel: string): string | undefined {
    const parent = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    const targets = this.dirs().filter(
      (d) => d !== parent && d !== rel && !d.startsWith(`${rel}/`),
    );
    if (targets.length === 0) return undefined;
    const dir = this.rng.pick(targets);
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    const keep = !this.model.has(this.join(dir, base)) && this.rng.chance(0.7);
    const to = this.join(dir, keep ? base : this.fresh(this.model.get(rel)!));
    this.moveTree(rel, to);
    this.count('move');
    return `move ${rel} -> ${to}`;
  }

  /** A second file with the same content (two paths, one hash). */
  copy(rel: string): string {
    const to = this.join(this.rng.pick(this.dirs()), this.fresh('file'));
    copyFileSync(this.full(rel), this.full(to));
    this.model.set(to, 'file');
    if (this.texts.has(rel)) this.texts.add(to);
    this.count('copy');
    return `copy ${rel} -> ${to}`;
  }

  /** Two files exchange names (through a temporary name). */
  swap(a: string, b: string): string {
    if (a === b) return this.modify(a);
    const tmp = `${a}.swap-tmp`;
    renameSync(this.full(a), this.full(tmp));
    renameSync(this.full(b), this.full(a));
    renameSync(this.full(tmp), this.full(b));
    const ta = this.texts.has(a);
    const tb = this.texts.has(b);
    if (tb) this.texts.add(a);
    else this.texts.delete(a);
    if (ta) this.texts.add(b);
    else this.texts.delete(b);
    this.count('swap');
    return `swap ${a} <-> ${b}`;
  }

  remove(rel: string): string {
    unlinkSync(this.full(rel));
    this.model.delete(rel);
    this.texts.delete(rel);
    this.count('delete');
    return `delete ${rel}`;
  }

  mkdir(): string {
    const rel = this.join(this.rng.pick(this.dirs()), this.fresh('dir'));
    mkdirSync(this.full(rel));
    this.model.set(rel, 'dir');
    this.count('mkdir');
    return `mkdir ${rel}`;
  }

  rmdir(rel: string): string {
    rmdirSync(this.full(rel));
    this.model.delete(rel);
    this.count('rmdir');
    return `rmdir ${rel}`;
  }

  chmod(rel: string): string {
    const current = lstatSync(this.full(rel)).mode & 0o7777;
    const modes = (this.model.get(rel) === 'dir' ? DIR_MODES : FILE_MODES).filter(
      (m) => m !== current,
    );
    const mode = this.rng.pick(modes);
    chmodSync(this.full(rel), mode);
    this.count('chmod');
    return `chmod ${mode.toString(8)} ${rel}`;
  }

  symlink(): string {
    const rel = this.join(this.rng.pick(this.dirs()), this.fresh('symlink'));
    const others = this.paths();
    const target = this.rng.pick([
      '/etc/hostname',
      '../outside-nowhere',
      'missing target',
      others.length > 0
        ? path.relative(path.dirname(this.full(rel)), this.full(this.rng.pick(others))) || '.'
        : 'x',
    ]);
    symlinkSync(target, this.full(rel));
    this.model.set(rel, 'symlink');
    this.count('symlink');
    return `symlink ${rel} -> ${target}`;
  }
}

function populate(root: string, rng: Rng, gen: Generator): void {
  for (const d of ['docs', 'docs/old', 'media', 'empty']) {
    mkdirSync(path.join(root, d));
    gen.model.set(d, 'dir');
  }
  for (let i = 0; i < 20; i++) {
    const rel = `${rng.pick(['', 'docs/', 'docs/old/', 'media/'])}seed ${i}.txt`;
    writeFileSync(path.join(root, rel), Buffer.from(`seed ${i}\n`.repeat(rng.int(0, 20_000))));
    gen.model.set(rel, 'file');
    gen.texts.add(rel);
  }
  writeFileSync(path.join(root, 'media/big.bin'), rng.bytes(3 * 1024 * 1024));
  gen.model.set('media/big.bin', 'file');
  symlinkSync('docs/seed 1.txt', path.join(root, 'link'));
  gen.model.set('link', 'symlink');
}

/** Waits (up to `ms`) for the master to record something after `head`; pacing only, never an assertion. */
async function paced(master: ClusterDevice, head: number, ms: number): Promise<number> {
  return waitFor(() => master.head() > head && master.head(), {
    timeoutMs: ms,
    intervalMs: 20,
  }).catch(() => master.head());
}

describe('a master and three replicas under random operations', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it(`converge after ${OPERATIONS} random operations on the master`, async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let cluster: Cluster | undefined;
    let step = 'setup';
    const started = Date.now();
    try {
      let gen: Generator | undefined;
      cluster = await Cluster.create({
        deletionGuard: 'off',
        replicas: 3,
        populate: (dir) => {
          gen = new Generator(rng, dir);
          populate(dir, rng, gen);
        },
      });
      const g = gen!;
      const { master, replicas } = cluster;
      const createdMs = Date.now() - started;
      await cluster.startAll();
      const initial = await cluster.waitConverged();
      const setupMs = Date.now() - started;

      // In the middle, replica 3 is killed (at whatever point of an apply) and misses more
      // versions than a change packet's window holds; replica 2 is frozen meanwhile (its
      // link stalls, packets queue up).
      const killed = replicas[2]!;
      const frozen = replicas[1]!;
      const stretchAt = Math.floor(OPERATIONS / 2);
      let killedAt = 0;
      let head = master.head();
      for (let i = 0; i < OPERATIONS; i++) {
        if (i === stretchAt) {
          await killed.kill();
          killedAt = Date.now();
          frozen.freeze();
        }
        step = `operation ${i + 1}: ${g.next()}`;
        if (i >= stretchAt && i < stretchAt + STRETCH_OPERATIONS) {
          // One version per operation, so that the killed replica misses more than the window.
          head = await paced(master, head, 5000);
        } else if (rng.chance(0.15)) {
          head = await paced(master, head, 2000);
        }
        if (i === stretchAt + STRETCH_OPERATIONS - 1) {
          frozen.thaw();
          await killed.start({ ready: false });
        }
      }
      step = 'restarting the killed replica';
      await killed.daemon!.ready(60_000);
      step = 'convergence';
      const final = await cluster.waitConverged({ timeoutMs: 75_000 });
      const opsMs = Date.now() - started - setupMs;

      step = 'hashing every replica against the master';
      expect(await cluster.compareAll()).toEqual([]);

      step = 'status of the replicas';
      const statuses = await Promise.all(replicas.map((r) => r.folderStatus()));
      for (const [i, r] of replicas.entries()) {
        const f = statuses[i]!;
        expect(f.version, r.name).toBe(final);
        expect(f.replication?.connected, r.name).toBe(true);
        expect(f.replication?.lastError, r.name).toBeUndefined();
        expect(f.replication?.conflicts, r.name).toEqual([]);
      }
      // Apply moves files under the replica's watcher: what it reports as local edits settles to nothing.
      await waitFor(
        () => replicas.every((r) => (r.replication()?.localChanges ?? ['?']).length === 0),
        {
          timeoutMs: 20_000,
          intervalMs: 200,
          what: `no local changes on the replicas: ${replicas.map((r) => JSON.stringify(r.replication()?.localChanges)).join(' ')}`,
        },
      );

      step = 'acks on the master';
      await waitFor(
        () => {
          const acked = master.replication()?.replicas ?? [];
          return replicas.every((r) =>
            acked.some((a) => a.deviceId === r.deviceId && a.acked === final),
          );
        },
        {
          timeoutMs: 20_000,
          intervalMs: 200,
          what: `every replica acked v${final}: ${JSON.stringify(master.replication()?.replicas)}`,
        },
      );

      step = 'the killed replica caught up by a delta';
      const deltas = master
        .logged('delta served')
        .filter((l) => l.replica === killed.deviceId && l.time >= killedAt);
      expect(deltas.length, 'deltas served to the killed replica').toBeGreaterThan(0);
      // Pushed versions: one-phase change packets, or two-phase commits (once a two-phase
      // version is pending, the master prepares everything up to its head as one change).
      const pushed = replicas.flatMap((r) =>
        r.logged('version applied').filter((l) => l.via === 'change' || l.via === '2pc'),
      );
      expect(pushed.length, 'versions applied from change packets or 2PC commits').toBeGreaterThan(
        0,
      );
      const texts = master.logged('delta served').reduce((n, l) => n + (l.texts as number), 0);

      console.log(
        `replication converge: seed ${seed}, ${OPERATIONS} operations, v${initial} -> v${final}, ` +
          `setup ${setupMs} ms (CLI ${createdMs} ms), operations+convergence ${opsMs} ms, ${master.logged('delta served').length} deltas ` +
          `(${texts} text deltas), ${pushed.length} versions pushed (change packets or 2PC), ${g.bigFiles} big files, ` +
          `ops ${JSON.stringify(Object.fromEntries(g.counts))}`,
      );
    } catch (err) {
      throw new Error(
        `replication converge failed (replay with LANFOLD_SEED=${seed}) at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 240_000);
});
