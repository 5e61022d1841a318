/**
 * Catching up, with real daemons: a replica stopped while the master records 100 versions
 * catches up through ONE delta after it restarts (seen in both daemons' logs: the master's
 * "delta served" from the replica's version to the head, with text deltas for the text
 * files edited in place, and the replica applying it in one go). And offline-first: with
 * the master down the replica keeps its whole folder and answers `status` and `history`;
 * it redials with growing backoff, and once the master is back it catches up by a delta.
 * Replay a failure with LANFOLD_SEED=<seed>.
 */
import {
  appendFileSync,
  chmodSync,
  lstatSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, clusterCli, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const MISSED_VERSIONS = 100;
const TEXT_FILES = 8;

function populate(root: string, rng: Rng): void {
  for (let i = 0; i < TEXT_FILES; i++) {
    const lines = Array.from(
      { length: rng.int(2000, 6000) },
      (_, n) => `line ${n} of text file ${i}: ${rng.int(0, 1e9)}`,
    );
    writeFileSync(path.join(root, `text-${i}.txt`), `${lines.join('\n')}\n`);
  }
  writeFileSync(path.join(root, 'blob.bin'), rng.bytes(500_000));
}

/** One small change on the master: mostly in-place text edits, plus creates, appends, chmods, renames, deletes. */
function oneChange(root: string, rng: Rng, i: number, extra: string[]): string {
  const r = rng.next();
  if (r < 0.5) {
    const rel = `text-${rng.int(0, TEXT_FILES - 1)}.txt`;
    const lines = readFileSync(path.join(root, rel), 'utf8').split('\n');
    lines.splice(rng.int(0, lines.length - 1), 1, `edited by change ${i}: ${rng.int(0, 1e9)}`);
    writeFileSync(path.join(root, rel), lines.join('\n'));
    return `edit ${rel}`;
  }
  if (r < 0.65 || extra.length === 0) {
    const rel = `extra-${i}.txt`;
    writeFileSync(path.join(root, rel), rng.text(rng.int(0, 3000)));
    extra.push(rel);
    return `create ${rel}`;
  }
  const rel = rng.pick(extra);
  if (r < 0.75) {
    appendFileSync(path.join(root, rel), `appended ${i}\n`);
    return `append ${rel}`;
  }
  if (r < 0.85) {
    const mode = lstatSync(path.join(root, rel)).mode & 0o777;
    chmodSync(
      path.join(root, rel),
      rng.pick([0o600, 0o640, 0o644, 0o755].filter((m) => m !== mode)),
    );
    return `chmod ${rel}`;
  }
  extra.splice(extra.indexOf(rel), 1);
  if (r < 0.93) {
    const to = `renamed-${i}.txt`;
    renameSync(path.join(root, rel), path.join(root, to));
    extra.push(to);
    return `rename ${rel} -> ${to}`;
  }
  unlinkSync(path.join(root, rel));
  return `delete ${rel}`;
}

/** Makes changes on the master, each recorded before the next, until it holds `count` more versions. */
async function makeVersions(master: ClusterDevice, rng: Rng, count: number): Promise<number> {
  const target = master.head() + count;
  const extra: string[] = [];
  for (let i = 0; master.head() < target; i++) {
    const before = master.head();
    const what = oneChange(master.folder, rng, i, extra);
    // A change that undoes nothing always makes a version (a chmod to the same mode does not: retry then).
    await waitFor(() => master.head() > before, {
      timeoutMs: 10_000,
      intervalMs: 10,
      what: `the master to record ${what}`,
    }).catch(() => undefined);
  }
  return master.head();
}

describe('a replica catching up', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it(`catches up on ${MISSED_VERSIONS} missed versions through one delta`, async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let cluster: Cluster | undefined;
    let step = 'setup';
    try {
      cluster = await Cluster.create({
        replicas: 1,
        populate: (dir) => populate(dir, rng),
        deletionGuard: 'off',
      });
      const { master } = cluster;
      const replica = cluster.replicas[0]!;
      await cluster.startAll();
      const have = await cluster.waitConverged();

      step = 'versions recorded while the replica is stopped';
      await replica.stop();
      const head = await makeVersions(master, rng, MISSED_VERSIONS);
      expect(head - have).toBeGreaterThanOrEqual(MISSED_VERSIONS);

      step = 'restart and catch up';
      const restartAt = Date.now();
      const run = await replica.start();
      expect(await cluster.waitConverged()).toBe(head);
      expect(await cluster.compareAll()).toEqual([]);

      step = 'one delta, seen from both sides';
      const served = master
        .logged('delta served')
        .filter((l) => l.replica === replica.deviceId && l.time >= restartAt);
      expect(served.map((l) => [l.have, l.from, l.to])).toEqual([[have, have, head]]);
      // Its scope is the net effect of the 100 versions: one entry per changed path.
      expect(served[0]!.entries).toBe(master.log().scope(have, head).length);
      expect(served[0]!.texts as number, 'text deltas in it').toBeGreaterThan(0);
      expect(replica.logged('delta requested', run.pid).map((l) => l.have)).toEqual([have]);
      const applied = replica.logged('version applied', run.pid);
      expect(applied.map((l) => [l.via, l.from, l.version])).toEqual([['delta', have, head]]);
      const d = served[0]!;
      console.log(
        `catch-up: seed ${seed}, v${have} -> v${head} in one delta of ${String(d.entries)} paths ` +
          `(${String(d.texts)} text deltas, ${String(d.inline)} inline files, ${String(d.parts)} parts)`,
      );
    } catch (err) {
      throw new Error(
        `catch-up test failed (seed ${seed}) at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        {
          cause: err,
        },
      );
    }
  }, 180_000);

  it('keeps serving its copy while the master is down, redials with backoff and catches up', async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let cluster: Cluster | undefined;
    let step = 'setup';
    try {
      cluster = await Cluster.create({
        deletionGuard: 'off',
        replicas: 1,
        populate: (dir) => populate(dir, rng),
        env: { LANFOLD_LOG_LEVEL: 'debug' },
      });
      const { master } = cluster;
      const replica = cluster.replicas[0]!;
      await cluster.startAll();
      const have = await cluster.waitConverged();

      step = 'master down';
      await master.kill();
      const downAt = Date.now();
      await waitFor(() => replica.replication()?.connected === false, {
        intervalMs: 100,
        what: 'the replica to see the master gone',
      });
      // The replica's copy is whole and readable, and the CLI answers from it.
      expect(await cluster.compareAll()).toEqual([]);
      const status = await replica.folderStatus();
      expect(status.version).toBe(have);
      expect(status.replication?.connected).toBe(false);
      const history = JSON.parse(
        await clusterCli(replica.state, ['history', replica.folderId, '--json']),
      ) as { head: number; versions: { seq: number }[] };
      expect(history.head).toBe(have);
      expect(history.versions[0]?.seq).toBe(have);
      expect(
        readFileSync(path.join(replica.folder, 'text-0.txt')).equals(
          readFileSync(path.join(master.folder, 'text-0.txt')),
        ),
      ).toBe(true);

      step = 'redialing with backoff';
      // The dialer retries at growing intervals (logged at debug level with the next delay).
      const retries = await waitFor(
        () => {
          const r = replica.logged('could not connect; will retry').filter((l) => l.time >= downAt);
          return r.length >= 3 && r;
        },
        { timeoutMs: 30_000, intervalMs: 100, what: 'three failed redials' },
      );
      const delays = retries.slice(0, 3).map((l) => l.retryMs as number);
      expect(delays[1]).toBeGreaterThan(delays[0]!);
      expect(delays[2]).toBeGreaterThan(delays[1]!);

      step = 'changes while the master is down';
      writeFileSync(
        path.join(master.folder, 'written-offline.txt'),
        'made while the daemon was down\n',
      );
      const lines = readFileSync(path.join(master.folder, 'text-1.txt'), 'utf8').split('\n');
      lines.splice(100, 1, 'edited while down');
      writeFileSync(path.join(master.folder, 'text-1.txt'), lines.join('\n'));
      unlinkSync(path.join(master.folder, 'blob.bin'));

      step = 'master back';
      const masterRun = await master.start();
      const head = await cluster.waitConverged();
      expect(head).toBeGreaterThan(have);
      expect(await cluster.compareAll()).toEqual([]);
      const reconnected = replica
        .logged('device connected')
        .filter((l) => l.time >= downAt && l.peer === master.deviceId);
      expect(reconnected.length, 'reconnections').toBe(1);
      // By a delta, unless the replica got back before the master's rescan recorded the offline changes.
      const served = master
        .logged('delta served', masterRun.pid)
        .filter((l) => l.replica === replica.deviceId);
      const applied = replica.logged('version applied').filter((l) => l.time >= downAt);
      expect(applied.at(-1)?.version).toBe(head);
      if (served.length > 0) expect(served.map((l) => [l.from, l.to])).toEqual([[have, head]]);
      console.log(
        `offline-first: seed ${seed}, redial delays ${delays.join(', ')} ms, v${have} -> v${head} after the master came back ` +
          `(${applied.map((l) => `via ${String(l.via)}`).join(', ')})`,
      );
    } catch (err) {
      throw new Error(
        `offline-first test failed (seed ${seed}) at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        {
          cause: err,
        },
      );
    }
  }, 180_000);
});
