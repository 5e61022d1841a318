/**
 * A replica syncing from its master through a misbehaving network (test/helpers/fault-proxy.ts):
 * connections cut at random moments, stalled, slowed and refused while the master's folder
 * keeps changing. Once the faults heal the replica must hold the master's latest version
 * exactly (every file hashed), its log must match its disk, and every version it recorded
 * must be the master's state at that version. (robustness-resume.test.ts cuts a 256 MiB
 * transfer.) Replay a failure with LANFOLD_SEED=<seed in the error>.
 */
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceState, initDevice } from '../../main/daemon/device.js';
import type { Entry } from '../../main/engine/entry.js';
import { IgnoreRules } from '../../main/engine/ignore-rules.js';
import type { VersionLog } from '../../main/engine/store/version-log.js';
import { lanfoldOk, startDaemon, stopAllDaemons, type DaemonProcess } from '../helpers/cli.js';
import { openLogReadonly } from '../helpers/device.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import {
  snapshotFolder,
  stateDifferences,
  stateOfEntries,
  HashCache,
} from '../helpers/folder-state.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const FOLDER = 'f1';
const MiB = 1024 * 1024;

interface Pair {
  readonly masterState: string;
  readonly masterRoot: string;
  readonly replicaState: string;
  readonly replicaRoot: string;
  readonly master: DaemonProcess;
  readonly replica: DaemonProcess;
  readonly proxy: FaultProxy;
  readonly masterLog: VersionLog;
  readonly replicaLog: VersionLog;
}

const proxies: FaultProxy[] = [];
const logs: VersionLog[] = [];

afterEach(async () => {
  for (const log of logs.splice(0)) log.close();
  await stopAllDaemons();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
  removeTempDirs();
});

async function listenPort(state: string): Promise<number> {
  return waitFor(
    () => {
      try {
        const port = (
          JSON.parse(readFileSync(path.join(state, 'daemon.json'), 'utf8')) as {
            listenPort?: number;
          }
        ).listenPort;
        return typeof port === 'number' && port > 0 ? port : undefined;
      } catch {
        return undefined;
      }
    },
    { what: 'the daemon to write its listen port' },
  );
}

/**
 * A master and a replica daemon, the replica pointed at the master through a fault proxy.
 * `base` is where the folders and state live (a fresh temp dir by default).
 */
async function startPair(
  populate: (root: string) => void,
  base: string = makeTempDir(),
): Promise<Pair> {
  const masterState = path.join(base, 'master-state');
  const masterRoot = path.join(base, 'master');
  const replicaState = path.join(base, 'replica-state');
  const replicaRoot = path.join(base, 'replica');
  mkdirSync(masterRoot);
  mkdirSync(replicaRoot);
  populate(masterRoot);
  // Configured in-process through DeviceState (what the CLI commands call; a CLI process per
  // command costs seconds on a busy machine), except the replica's `peer add` below.
  const [masterDevice, replicaDevice] = await Promise.all([
    initDevice(masterState, { name: 'master', listen: '127.0.0.1:0', gui: '127.0.0.1:0' }),
    initDevice(replicaState, { name: 'replica', listen: '127.0.0.1:0', gui: '127.0.0.1:0' }),
  ]);
  const masterId = masterDevice.deviceId;
  const m = DeviceState.open(masterState);
  m.addFolder({ path: masterRoot, role: 'master', id: FOLDER });
  m.addPeer(replicaDevice.deviceId);
  m.shareFolder(FOLDER, replicaDevice.deviceId);
  const master = startDaemon(masterState);
  await master.ready(60_000);
  const proxy = await FaultProxy.start({ port: await listenPort(masterState) });
  proxies.push(proxy);
  await lanfoldOk(['peer', 'add', `${masterId}@127.0.0.1:${proxy.port}`], { state: replicaState });
  DeviceState.open(replicaState).addFolder({
    path: replicaRoot,
    role: 'replica',
    id: FOLDER,
    upstreams: [masterId],
  });
  const masterLog = await openLogReadonly({ state: masterState, folderId: FOLDER });
  logs.push(masterLog);
  const replica = startDaemon(replicaState);
  await replica.ready();
  const replicaLog = await openLogReadonly({ state: replicaState, folderId: FOLDER });
  logs.push(replicaLog);
  return {
    masterState,
    masterRoot,
    replicaState,
    replicaRoot,
    master,
    replica,
    proxy,
    masterLog,
    replicaLog,
  };
}

/** Path -> what a recorded state says of it, comparable between two logs. */
function recorded(entries: readonly Entry[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of entries) {
    if (e.kind === 'none') continue;
    out.set(
      e.path,
      `${e.kind} ${e.kind === 'file' ? `${e.size} ${e.hash}` : ''} ${e.kind === 'symlink' ? e.target : ''} ${e.kind === 'symlink' ? '' : e.mode.toString(8)}`,
    );
  }
  return out;
}

function mapDifferences(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const p of new Set([...a.keys(), ...b.keys()]))
    if (a.get(p) !== b.get(p)) out.push(`${p}: ${a.get(p) ?? 'absent'} vs ${b.get(p) ?? 'absent'}`);
  return out.sort();
}

/**
 * Waits until the master has recorded its disk, the replica holds the master's head, and
 * both disks and the replica's log agree; then checks every version the replica recorded
 * against the master's state at that version.
 */
async function expectConverged(pair: Pair, what: string, timeoutMs = 60_000): Promise<number> {
  const cache = new HashCache();
  const masterRules = IgnoreRules.load(pair.masterRoot);
  const replicaRules = IgnoreRules.load(pair.replicaRoot);
  let problems: string[] = [];
  const head = await waitFor(
    async () => {
      const masterHead = pair.masterLog.head();
      const masterDisk = await snapshotFolder(pair.masterRoot, masterRules, cache);
      problems = stateDifferences(
        masterDisk,
        stateOfEntries(pair.masterLog.stateAt(masterHead)),
      ).map((d) => `master log vs disk: ${d}`);
      if (problems.length > 0) return false;
      const replicaHead = pair.replicaLog.head();
      if (replicaHead !== masterHead) {
        problems = [`replica at v${replicaHead}, master at v${masterHead}`];
        return false;
      }
      const replicaDisk = await snapshotFolder(pair.replicaRoot, replicaRules, cache);
      problems = [
        ...stateDifferences(replicaDisk, masterDisk).map(
          (d) => `replica disk vs master disk: ${d}`,
        ),
        ...stateDifferences(replicaDisk, stateOfEntries(pair.replicaLog.stateAt(replicaHead))).map(
          (d) => `replica disk vs replica log: ${d}`,
        ),
      ];
      return problems.length === 0 && pair.masterLog.head() === masterHead && masterHead;
    },
    { timeoutMs, intervalMs: 200, what },
  ).catch((err: unknown) => {
    throw new Error(
      `${(err as Error).message}\n${problems.slice(0, 20).join('\n')}\nproxy: ${pair.proxy.events.slice(-30).join('\n')}`,
    );
  });
  // Every version the replica recorded is the master's state at that version.
  for (let seq = 1; seq <= head; seq++) {
    if (!pair.replicaLog.version(seq)) continue;
    const diff = mapDifferences(
      recorded(pair.replicaLog.stateAt(seq)),
      recorded(pair.masterLog.stateAt(seq)),
    );
    expect(diff, `replica v${seq} differs from the master's v${seq}`).toEqual([]);
  }
  return head;
}

/** Random edits of the master folder: small (inline) and larger (fetched in chunks) files. */
class Changer {
  private n = 0;
  constructor(
    private readonly rng: Rng,
    private readonly root: string,
  ) {}

  private files(): string[] {
    const out: string[] = [];
    const walk = (rel: string) => {
      for (const name of readdirSync(path.join(this.root, rel), { withFileTypes: true })) {
        const r = rel === '' ? name.name : `${rel}/${name.name}`;
        if (name.isDirectory()) walk(r);
        else out.push(r);
      }
    };
    walk('');
    return out.sort();
  }

  private content(): Buffer {
    const r = this.rng.next();
    const size =
      r < 0.5
        ? this.rng.int(0, 20_000)
        : r < 0.85
          ? this.rng.int(100_000, 600_000)
          : this.rng.int(1 * MiB, 3 * MiB);
    return this.rng.chance(0.3) ? this.rng.text(size) : randomBytes(size);
  }

  /** One random change; returns what it did. */
  step(): string {
    const files = this.files();
    const r = this.rng.next();
    if (r < 0.35 || files.length < 3) {
      const dir = this.rng.pick(['', 'a', 'a/b', 'c']);
      mkdirSync(path.join(this.root, dir), { recursive: true });
      const rel = `${dir === '' ? '' : `${dir}/`}file-${++this.n}.bin`;
      writeFileSync(path.join(this.root, rel), this.content());
      return `create ${rel}`;
    }
    const rel = this.rng.pick(files);
    const full = path.join(this.root, rel);
    if (r < 0.6) {
      writeFileSync(full, this.content());
      return `rewrite ${rel}`;
    }
    if (r < 0.75) {
      // An edit in place: a few bytes in the middle, so most chunks are unchanged.
      const fd = openSync(full, 'r+');
      writeSync(fd, randomBytes(this.rng.int(1, 64)), 0, undefined, this.rng.int(0, 1000));
      closeSync(fd);
      return `patch ${rel}`;
    }
    if (r < 0.85) {
      appendFileSync(full, this.rng.text(this.rng.int(1, 50_000)));
      return `append ${rel}`;
    }
    if (r < 0.93) {
      const to = `moved-${++this.n}.bin`;
      renameSync(full, path.join(this.root, to));
      return `move ${rel} -> ${to}`;
    }
    unlinkSync(full);
    return `delete ${rel}`;
  }
}

describe('the fault proxy', () => {
  it('forwards both ways, counts bytes, cuts after exactly N bytes and rate-limits', async () => {
    const server = net.createServer((s) => s.pipe(s)); // echo
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const proxy = await FaultProxy.start({ port: (server.address() as net.AddressInfo).port });
    proxies.push(proxy);
    try {
      const c = net.connect(proxy.port, '127.0.0.1');
      let echoed = 0;
      c.on('data', (d: Buffer) => (echoed += d.length));
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      c.on('error', () => undefined);
      c.write(Buffer.alloc(10_000, 1));
      await waitFor(() => echoed === 10_000);
      expect(proxy.bytes).toEqual({ up: 10_000, down: 10_000 });

      const cut = proxy.cutAfter(5000, 'down');
      c.write(Buffer.alloc(10_000, 2));
      await cut;
      await closed;
      expect(proxy.bytes.down).toBe(15_000);
      expect(proxy.cuts).toBe(1);

      proxy.slow(50_000);
      const d = net.connect(proxy.port, '127.0.0.1');
      let got = 0;
      d.on('data', (b: Buffer) => (got += b.length));
      const started = Date.now();
      d.write(Buffer.alloc(25_000, 3));
      await waitFor(() => got === 25_000, { timeoutMs: 10_000 });
      // 25 kB up and 25 kB down at 50 kB/s each: about half a second.
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
      proxy.heal();

      const stalled = proxy.stall(300);
      const before = got;
      d.write(Buffer.alloc(1000, 4));
      await new Promise((r) => setTimeout(r, 150));
      expect(got).toBe(before);
      await stalled;
      await waitFor(() => got === before + 1000);
      d.destroy();
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('a replica behind a faulty network', () => {
  it('ends exactly at the master version after random cuts, stalls and slowdowns during changes', async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    const started = Date.now();
    const pair = await startPair((root) => {
      writeFileSync(path.join(root, 'start.txt'), 'first\n');
      writeFileSync(path.join(root, 'start.bin'), randomBytes(2 * MiB));
    });
    const changer = new Changer(rng, pair.masterRoot);
    const done: string[] = [];
    try {
      await expectConverged(pair, 'the first sync');
      const ROUNDS = 24;
      for (let round = 0; round < ROUNDS && Date.now() - started < 60_000; round++) {
        for (let i = rng.int(1, 4); i > 0; i--) done.push(changer.step());
        const fault = rng.int(0, 5);
        const p = pair.proxy;
        switch (fault) {
          case 0:
            done.push('fault: cut now');
            p.cut();
            break;
          case 1: {
            const n = rng.int(1000, 2 * MiB);
            done.push(`fault: cut after ${n} bytes`);
            void p.cutAfter(n, rng.chance(0.8) ? 'down' : 'up');
            break;
          }
          case 2: {
            const ms = rng.int(200, 2500);
            done.push(`fault: stall ${ms} ms`);
            void p.stall(ms);
            break;
          }
          case 3: {
            const rate = rng.int(20_000, 2 * MiB);
            done.push(`fault: slow to ${rate} B/s`);
            p.slow(rate);
            break;
          }
          case 4:
            done.push('fault: refuse connections, cut');
            p.refuse(true);
            p.cut();
            break;
          default:
            done.push('fault: none');
        }
        await new Promise((r) => setTimeout(r, rng.int(100, 1500)));
        if (rng.chance(0.5)) pair.proxy.heal();
      }
      pair.proxy.heal();
      done.push('healed');
      const head = await expectConverged(
        pair,
        'the replica to converge after the faults heal',
        60_000,
      );
      expect(head).toBeGreaterThan(1);
      expect(pair.proxy.accepted).toBeGreaterThan(1);
      expect(pair.replica.running && pair.master.running).toBe(true);
    } catch (err) {
      const tail = (state: string) => {
        try {
          return readFileSync(path.join(state, 'daemon.log'), 'utf8')
            .split('\n')
            .filter((l) => /"level":(40|50|60)/.test(l))
            .slice(-15)
            .join('\n');
        } catch {
          return '(no log)';
        }
      };
      throw new Error(
        `seed ${seed}: ${(err as Error).message}\nsteps:\n${done.join('\n')}\nmaster running ${pair.master.running}, replica running ${pair.replica.running}\n` +
          `master log:\n${tail(pair.masterState)}\nreplica log:\n${tail(pair.replicaState)}\nreplica stderr: ${pair.replica.stderr.slice(-1000)}`,
        { cause: err },
      );
    }
  }, 110_000);
});
