/**
 * The atomic view's reader test (issue 4), with real daemons on 127.0.0.1: a reader process
 * that resolves each folder once per read of a 50-file group, while the master commits 200
 * two-phase changes of 2 to 50 of those files, never sees a state no version held through
 * the atomic view of three replicas; the same reader on an in-place replica is measured
 * (printed, not asserted: it depends on timing). A file of its own (it takes minutes) so
 * that it runs beside the other test files; the crash tests of the view are in
 * replication-atomic-view.test.ts.
 */
import { spawn } from 'node:child_process';
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, clusterCli, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { writeBatch } from '../helpers/twophase.js';
import { digestFile } from '../../main/engine/chunker.js';

async function atomicView(r: ClusterDevice, on: boolean): Promise<void> {
  await clusterCli(r.state, ['folder', 'set', r.folderId, 'atomic-view', on ? 'on' : 'off']);
}

describe('atomic view', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('a reader never sees a mix of two versions through the atomic view', async () => {
    const cluster = await Cluster.create({
      replicas: 4,
      populate: (root) => {
        mkdirSync(path.join(root, 'g'));
        for (const name of GROUP) writeFileSync(path.join(root, 'g', name), '0');
      },
    });
    const { master, replicas } = cluster;
    const viewed = replicas.slice(0, 3);
    const inPlace = replicas[3]!;
    for (const r of viewed) await atomicView(r, true);
    await clusterCli(master.state, ['folder', 'set', master.folderId, 'commit-mode', 'two-phase']);
    await cluster.startAll();
    let head = await cluster.waitConverged();
    for (const r of viewed) expect(lstatSync(r.folder).isSymbolicLink(), r.name).toBe(true);

    const stop = path.join(makeTempDir('lanfold-reader-'), 'stop');
    const reader = spawn(process.execPath, ['--input-type=module', '-e', READER], {
      env: {
        ...process.env,
        FOLDERS: JSON.stringify(replicas.map((r) => r.folder)),
        FILES: JSON.stringify(GROUP),
        STOP: stop,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    reader.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    const finished = new Promise<void>((resolve) => reader.once('exit', () => resolve()));

    // 200 two-phase changes of 2 to 50 files of the group, each file holding the change's number.
    for (let n = 1; n <= CHANGES; n++) {
      const size = 2 + ((n * 17) % 49);
      const from = (n * 11) % GROUP.length;
      const files: Record<string, string> = {};
      for (let i = 0; i < size; i++) files[`g/${GROUP[(from + i) % GROUP.length]}`] = `${n}`;
      writeBatch(master.folder, files);
      const want = head + 1;
      head = await waitFor(() => master.head() >= want && master.head(), {
        timeoutMs: 20_000,
        what: `the master to record v${want}`,
      });
      // Every replica applies each version (else a later delta would skip some).
      await waitFor(() => replicas.every((r) => r.head() >= head), {
        timeoutMs: 30_000,
        intervalMs: 10,
        what: `the replicas to apply v${head} (${replicas.map((r) => `${r.name} v${r.head()}`).join(', ')})`,
      });
    }
    await cluster.waitConverged({ timeoutMs: 60_000 });
    writeFileSync(stop, '');
    await finished;
    const seen = JSON.parse(out) as Observed[];
    const committed = await committedGroups(master, CHANGES);
    const report = (o: Observed) => ({
      reads: o.reads,
      mixed: mixes(o.observed, committed),
      errors: o.errors,
      states: Object.keys(o.observed).length,
      unpinnedReads: o.unpinnedReads,
      unpinnedMixed: mixes(o.unpinned, committed),
    });
    console.log(
      `master versions: ${committed.size} for ${CHANGES} changes (more: the batcher split some)`,
    );
    seen.forEach((o, i) =>
      console.log(
        `reader of ${replicas[i]!.name} (${i < viewed.length ? 'atomic view' : 'in place'}): ${JSON.stringify(report(o))}`,
      ),
    );
    for (const [i, r] of viewed.entries()) {
      const o = seen[i]!;
      expect(o.reads, r.name).toBeGreaterThan(200);
      expect(Object.keys(o.observed).length, `${r.name}: states seen`).toBeGreaterThan(CHANGES / 4);
      expect(report(o).mixed, `${r.name}: reads of a state no version held`).toBe(0);
      expect(o.errors, r.name).toBe(0);
    }
    expect(seen[3]!.reads, inPlace.name).toBeGreaterThan(200);
    expect(await cluster.compareAll()).toEqual([]);
  }, 600_000);
});

interface Observed {
  /** Reads of the whole group below one resolution of the folder. */
  readonly reads: number;
  readonly errors: number;
  /** How often each state of the group (its files' contents, joined) was read. */
  readonly observed: Record<string, number>;
  /** Reads through the folder path itself (each open resolves the link again). */
  readonly unpinnedReads: number;
  readonly unpinned: Record<string, number>;
}

/** The files of the change group. */
const GROUP = Array.from({ length: 50 }, (_, i) => `f${String(i).padStart(2, '0')}`);
const CHANGES = 200;

/** The group's state at every version the master recorded (the batcher may split a change). */
async function committedGroups(master: ClusterDevice, upTo: number): Promise<Set<string>> {
  const dir = makeTempDir('lanfold-hashes-');
  const byHash = new Map<string, string>();
  for (let n = 0; n <= upTo; n++) {
    writeFileSync(path.join(dir, String(n)), String(n));
    byHash.set((await digestFile(path.join(dir, String(n)))).hash, String(n));
  }
  const log = master.log();
  const states = new Set<string>();
  for (let v = 1; v <= log.head(); v++) {
    const at = new Map(log.stateAt(v).map((e) => [e.path as string, e.hash ?? '']));
    states.add(GROUP.map((f) => byHash.get(at.get(`g/${f}`) ?? '')).join(','));
  }
  return states;
}

/** Reads of a state no version ever held. */
function mixes(observed: Record<string, number>, committed: ReadonlySet<string>): number {
  return Object.entries(observed).reduce(
    (n, [state, count]) => (committed.has(state) ? n : n + count),
    0,
  );
}

/**
 * The reader: per folder in turn, resolves the folder once (realpath, as `cd` would) and
 * reads every file of the group below it; also reads them through the folder path itself
 * (each open resolves the link again). Stops when STOP exists.
 */
const READER = `
import { existsSync, readFileSync, realpathSync } from 'node:fs';
const folders = JSON.parse(process.env.FOLDERS);
const files = JSON.parse(process.env.FILES);
const stats = folders.map(() => ({ reads: 0, errors: 0, observed: {}, unpinned: {}, unpinnedReads: 0 }));
const group = (dir) => files.map((f) => readFileSync(dir + '/g/' + f, 'utf8')).join(',');
let i = 0;
while (!(i++ % 16 === 0 && existsSync(process.env.STOP))) {
  folders.forEach((f, k) => {
    const s = stats[k];
    try {
      const state = group(realpathSync(f));
      s.reads++;
      s.observed[state] = (s.observed[state] ?? 0) + 1;
    } catch { s.errors++; }
    try {
      const state = group(f);
      s.unpinnedReads++;
      s.unpinned[state] = (s.unpinned[state] ?? 0) + 1;
    } catch { s.errors++; }
  });
}
process.stdout.write(JSON.stringify(stats));
`;
