/**
 * Two-phase commit with real daemons (a master and three replicas on 127.0.0.1, TLS and
 * SQLite): under `all` one replica that cannot apply (a local edit on a target path)
 * aborts the change everywhere and changes no replica, and the change commits once the
 * edit is undone; under `available` the change commits on the replicas that voted yes and
 * the refuser (a simulated full disk) catches up afterwards. Votes, reasons and outcomes
 * show in `lanfold history --json` and `lanfold status --json`.
 */
import {
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoordinatorStatus } from '../../main/engine/twophase/coordinator.js';
import { Cluster, clusterCli, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';
import { historyJson, twoPhaseLog, writeBatch } from '../helpers/twophase.js';
import { quietPeriod, waitFor } from '../helpers/wait.js';

function populate(root: string): void {
  mkdirSync(path.join(root, 'docs'));
  for (let i = 0; i < 10; i++) writeFileSync(path.join(root, `docs/page-${i}.txt`), `page ${i}\n`);
}

const history = (device: ClusterDevice) => historyJson(device, 5);

function twoPhaseOf(master: ClusterDevice): CoordinatorStatus | undefined {
  const r = master.replication() as { twoPhase?: CoordinatorStatus } | undefined;
  return r?.twoPhase;
}

function read(device: ClusterDevice, rel: string): string {
  return readFileSync(path.join(device.folder, rel), 'utf8');
}

describe('two-phase commit between a master and three replicas', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('aborts everywhere under `all` while one replica has a local edit on a target path, and commits once it is undone', async () => {
    const cluster = await Cluster.create({ replicas: 3, populate });
    try {
      const { master, replicas } = cluster;
      const [r1, r2, r3] = replicas as [ClusterDevice, ClusterDevice, ClusterDevice];
      await clusterCli(master.state, ['folder', 'set', 'shared', 'two-phase-policy', 'all']);
      await cluster.startAll();
      const before = await cluster.waitConverged();

      // A local edit on r1 at a path the next change writes.
      writeFileSync(path.join(r1.folder, 'docs/page-1.txt'), 'edited on replica 1\n');
      await waitFor(
        () => r1.replication()?.localChanges?.some((c) => c.path === 'docs/page-1.txt'),
        { what: 'replica 1 to notice its local edit' },
      );

      writeBatch(master.folder, {
        'docs/page-1.txt': 'page 1, version 2\n',
        'docs/page-2.txt': 'page 2, version 2\n',
        'docs/new.txt': 'new\n',
      });
      const blocked = await waitFor(() => twoPhaseOf(master)?.blocked ?? false, {
        timeoutMs: 30_000,
        what: 'the master to report the blocked version',
      });
      expect(master.head()).toBe(before + 1);
      expect(blocked.version).toBe(before + 1);
      expect(blocked.blockers.map((b) => b.replica)).toEqual([r1.deviceId]);
      expect(blocked.blockers[0]!.reason).toMatch(/docs\/page-1\.txt/);

      // No replica changed: same head, same files, nothing of the new version on disk.
      for (const r of replicas) {
        expect(r.head(), r.name).toBe(before);
        expect(read(r, 'docs/page-2.txt'), r.name).toBe('page 2\n');
        expect(() => read(r, 'docs/new.txt'), r.name).toThrow();
        // The abort reaches the others a moment after the master decides (and the status
        // file is rewritten about once a second): wait for it, bounded.
        await waitFor(() => (r.replication()?.prepared ?? null) === null, {
          timeoutMs: 15_000,
          what: `${r.name} not to be left prepared`,
        });
      }
      const status = await master.folderStatus();
      const statusTwoPhase = (status.replication as { twoPhase?: CoordinatorStatus } | null)
        ?.twoPhase;
      expect(statusTwoPhase?.blocked?.blockers[0]?.replica).toBe(r1.deviceId);

      const aborted = (await history(master)).versions.find((v) => v.seq === before + 1)!;
      expect(aborted.method).toBe('2pc');
      const first = aborted.twoPhase[0]!;
      expect(first.state).toBe('abort');
      expect(first.policy).toBe('all');
      const vote1 = first.votes.find((v) => v.replica === r1.deviceId)!;
      expect(vote1).toMatchObject({ upToDate: true, canApply: false, outcome: 'abort' });
      expect(vote1.reason).toMatch(/docs\/page-1\.txt/);
      // The others voted yes, or had not voted yet when the no arrived: aborted all the same.
      for (const r of [r2, r3])
        expect(first.votes.find((v) => v.replica === r.deviceId)?.outcome, r.name).toBe('abort');

      // The edit undone: a retry commits everywhere.
      writeFileSync(path.join(r1.folder, 'docs/page-1.txt'), 'page 1\n');
      const final = await cluster.waitConverged({ timeoutMs: 90_000 });
      expect(final).toBe(before + 1);
      expect(await cluster.compareAll()).toEqual([]);
      const done = (await history(master)).versions.find((v) => v.seq === before + 1)!;
      const last = done.twoPhase.at(-1)!;
      expect(last.state).toBe('commit');
      expect(last.votes.map((v) => v.outcome)).toEqual(['commit', 'commit', 'commit']);
      expect(done.twoPhase.length).toBeGreaterThan(1);
      await waitFor(() => twoPhaseOf(master)?.blocked === null, {
        what: 'the block to clear in status',
      });
      for (const r of replicas)
        expect(r.logged('committing a prepared version').length, r.name).toBeGreaterThan(0);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n${cluster.describe()}\n${twoPhaseLog(cluster.devices)}`,
        { cause: err },
      );
    }
  }, 180_000);

  it('commits on the yes voters under `available` and brings the refuser up afterwards', async () => {
    // The two-file change below must be one version (one transaction).
    const cluster = await Cluster.create({ replicas: 3, populate, masterBatchQuietMs: 300 });
    try {
      const { master, replicas } = cluster;
      const [r1, r2, r3] = replicas as [ClusterDevice, ClusterDevice, ClusterDevice];
      await clusterCli(master.state, ['folder', 'set', 'shared', 'two-phase-policy', 'available']);
      await master.start();
      await r1.start();
      await r3.start();
      // r2's disk is "full" for every prepare (a simulated fault: it only refuses votes).
      await r2.start({ env: { LANFOLD_FAILPOINT: '2pc:disk-full' } });
      const before = await cluster.waitConverged();

      writeBatch(master.folder, {
        'docs/page-3.txt': 'page 3, version 2\n',
        'docs/page-4.txt': 'page 4, version 2\n',
      });
      const final = await cluster.waitConverged({ timeoutMs: 60_000 });
      expect(final).toBe(before + 1);
      expect(await cluster.compareAll()).toEqual([]);

      const v = (await history(master)).versions.find((x) => x.seq === final)!;
      expect(v.twoPhase).toHaveLength(1);
      const tx = v.twoPhase[0]!;
      expect(tx.state).toBe('commit');
      expect(tx.policy).toBe('available');
      expect(tx.votes.find((x) => x.replica === r2.deviceId)).toMatchObject({
        canApply: false,
        outcome: 'behind',
      });
      expect(tx.votes.find((x) => x.replica === r2.deviceId)!.reason).toMatch(/disk space/);
      for (const r of [r1, r3])
        expect(tx.votes.find((x) => x.replica === r.deviceId)?.outcome, r.name).toBe('commit');
      // The yes voters applied from their staging area; the refuser caught up by a delta.
      for (const r of [r1, r3])
        expect(r.logged('committing a prepared version').length, r.name).toBe(1);
      expect(r2.logged('committing a prepared version')).toHaveLength(0);
      const deltas = master
        .logged('delta served')
        .filter((l) => l.replica === r2.deviceId && l.to === final);
      expect(deltas.length, 'a delta brought the refuser up').toBeGreaterThan(0);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n${cluster.describe()}\n${twoPhaseLog(cluster.devices)}`,
        { cause: err },
      );
    }
  }, 180_000);

  it('holds a 60% deletion until approved, restores it on rejection, and never deletes on a replica whose root is gone', async () => {
    const cluster = await Cluster.create({ replicas: 3, populate });
    try {
      const { master, replicas } = cluster;
      const [r1] = replicas as [ClusterDevice, ClusterDevice, ClusterDevice];
      await cluster.startAll();
      const before = await cluster.waitConverged();
      const doomed = [0, 1, 2, 3, 4, 5].map((i) => `docs/page-${i}.txt`);

      // 6 of 10 files deleted: held on the master, no replica changes.
      for (const rel of doomed) unlinkSync(path.join(master.folder, rel));
      const held = await waitFor(() => twoPhaseOf(master)?.held ?? false, {
        timeoutMs: 30_000,
        what: 'the deletion to be held',
      });
      expect(held.reason).toMatch(/6 of 10 files/);
      const status = await master.folderStatus();
      expect(
        (status.replication as { twoPhase?: CoordinatorStatus } | null)?.twoPhase?.held?.version,
      ).toBe(held.version);
      await quietPeriod(1500);
      for (const r of replicas) {
        expect(r.head(), r.name).toBe(before);
        for (const rel of doomed) expect(read(r, rel), `${r.name} ${rel}`).toMatch(/^page/);
      }

      // Rejected: the master writes the files back, and the replicas never lose them.
      await clusterCli(master.state, ['reject', 'shared']);
      await waitFor(() => doomed.every((rel) => existsSync(path.join(master.folder, rel))), {
        what: 'the master to restore the files',
      });
      for (const rel of doomed) expect(read(master, rel)).toBe(`page ${rel.slice(-5, -4)}\n`);
      const restored = await cluster.waitConverged({ timeoutMs: 60_000 });
      expect(await cluster.compareAll()).toEqual([]);

      // Deleted again and approved: now the replicas apply it.
      for (const rel of doomed) unlinkSync(path.join(master.folder, rel));
      const again = await waitFor(
        () => {
          const h = twoPhaseOf(master)?.held;
          return h !== undefined && h !== null && h.version > restored && h;
        },
        { timeoutMs: 30_000, what: 'the second deletion to be held' },
      );
      await clusterCli(master.state, ['approve', 'shared', String(again.version)]);
      const approved = await cluster.waitConverged({ timeoutMs: 60_000 });
      expect(await cluster.compareAll()).toEqual([]);
      for (const r of replicas)
        for (const rel of doomed) expect(existsSync(path.join(r.folder, rel)), r.name).toBe(false);

      // Replica 1's root renamed away (an unmounted disk): it votes no and deletes nothing.
      const away = `${r1.folder}.away`;
      renameSync(r1.folder, away);
      unlinkSync(path.join(master.folder, 'docs/page-6.txt'));
      writeFileSync(path.join(master.folder, 'docs/page-7.txt'), 'page 7, version 2\n');
      const next = await waitFor(
        async () => {
          const v = (await history(master)).versions.find((x) => x.seq > approved);
          return v?.twoPhase.some((t) => t.state !== 'preparing') ? v : undefined;
        },
        { timeoutMs: 30_000, what: 'the next version to be decided' },
      );
      const vote = next.twoPhase[0]!.votes.find((v) => v.replica === r1.deviceId)!;
      expect(vote.canApply).toBe(false);
      expect(vote.reason).toMatch(/folder root/);
      await quietPeriod(1500);
      expect(existsSync(r1.folder), 'the missing root is not recreated').toBe(false);
      expect(readFileSync(path.join(away, 'docs/page-6.txt'), 'utf8')).toBe('page 6\n');
      expect(r1.head()).toBe(approved);
      // Back in place, it catches up.
      renameSync(away, r1.folder);
      await cluster.waitConverged({ timeoutMs: 60_000 });
      expect(await cluster.compareAll()).toEqual([]);
    } catch (err) {
      throw new Error(
        `${(err as Error).message}\n${cluster.describe()}\n${twoPhaseLog(cluster.devices)}`,
        {
          cause: err,
        },
      );
    }
  }, 180_000);
});
