/**
 * Two-phase commit under kill -9, with real daemons: each replica dies at a different
 * failpoint of its side of a transaction (staged, prepared, voted, committing) and is
 * restarted; the master dies once after writing a decision and before sending it, and
 * once after sending prepares and before deciding. Whatever the step, after a restart
 * every replica's disk is exactly the version its log records (never part of a version),
 * a prepared replica resolves its transaction as the master decided it, and all converge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import { attemptsOf, twoPhaseLog, writeBatch } from '../helpers/twophase.js';

const REPLICA_FAILPOINTS = ['2pc:staged', '2pc:prepared', '2pc:voted', '2pc:committing'] as const;

function populate(root: string): void {
  mkdirSync(path.join(root, 'docs'));
  for (let i = 0; i < 8; i++)
    writeFileSync(path.join(root, `docs/page-${i}.txt`), `page ${i}\n`.repeat(2000 * (i + 1)));
}

function change(master: ClusterDevice, tag: string): void {
  const files: Record<string, string> = {};
  for (let i = 0; i < 6; i++) files[`docs/page-${i}.txt`] = `page ${i} ${tag}\n`.repeat(3000 + i);
  files[`docs/${tag}.txt`] = `${tag}\n`;
  writeBatch(master.folder, files);
}

async function died(r: ClusterDevice, failpoint: string): Promise<void> {
  const run = r.daemon!;
  const exit = await Promise.race([
    run.exit(),
    new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000).unref()),
  ]);
  expect(exit, `${r.name} died at ${failpoint}`).toEqual({ code: null, signal: 'SIGKILL' });
  expect(run.stderr).toContain(`failpoint ${failpoint} fired`);
}

describe('two-phase commit under kill -9', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  /** Waits until every replica is subscribed to the master (a change then has them all as participants). */
  async function allConnected(cluster: Cluster): Promise<void> {
    await waitFor(
      () => cluster.master.replication()?.replicas?.length === cluster.replicas.length,
      {
        timeoutMs: 30_000,
        what: 'every replica to connect to the master',
      },
    );
  }

  it('resolves every interrupted transaction after a restart, on either side', async () => {
    // Each change (7 files renamed in) must be one version, one transaction: split in two,
    // the attempt checked would not be the one the replicas died in.
    const cluster = await Cluster.create({
      replicas: REPLICA_FAILPOINTS.length,
      populate,
      masterBatchQuietMs: 300,
    });
    let step = 'setup';
    try {
      const { master, replicas } = cluster;
      await master.start();
      await Promise.all(
        replicas.map((r, i) => r.start({ env: { LANFOLD_FAILPOINT: REPLICA_FAILPOINTS[i] } })),
      );
      const v1 = await cluster.waitConverged();
      await allConnected(cluster);

      step = 'replicas die at their failpoints';
      change(master, 'one');
      await Promise.all(replicas.map((r, i) => died(r, REPLICA_FAILPOINTS[i]!)));
      for (const r of replicas) {
        expect(r.head(), `${r.name} applied nothing`).toBe(v1);
        expect(await r.diskVersusLog(), `${r.name} disk vs log`).toEqual([]);
      }
      step = 'replicas restart';
      await Promise.all(replicas.map((r) => r.start()));
      const v2 = await cluster.waitConverged({ timeoutMs: 90_000 });
      expect(v2).toBeGreaterThan(v1);
      expect(await cluster.compareAll()).toEqual([]);
      const [tx] = await attemptsOf(master, v2);
      expect(tx?.state).toBe('commit');
      for (const [i, r] of replicas.entries()) {
        const fp = REPLICA_FAILPOINTS[i]!;
        const pid = r.daemon!.pid;
        const committed = r.logged('committing a prepared version', pid).length > 0;
        const aborted = r.logged('prepared version aborted', pid).length > 0;
        const voted = tx!.votes.find((v) => v.replica === r.deviceId);
        if (fp === '2pc:staged') {
          // Died before recording anything: nothing to resolve; a delta brought it up.
          expect(committed || aborted, `${r.name} had nothing prepared`).toBe(false);
        } else {
          // Prepared: it asked, and did what the master decided for it.
          expect(r.logged('outcome requested', pid).length, `${r.name} asked`).toBeGreaterThan(0);
          expect(committed, `${r.name} committed iff the master counted its yes`).toBe(
            voted?.outcome === 'commit',
          );
          expect(aborted, `${r.name} aborted otherwise`).toBe(voted?.outcome !== 'commit');
        }
        if (fp === '2pc:committing') expect(voted?.outcome).toBe('commit');
        // The status a daemon publishes may trail its log by a moment: wait for it, bounded.
        await waitFor(() => (r.replication()?.prepared ?? null) === null, {
          timeoutMs: 15_000,
          what: `${r.name} to show no prepared transaction`,
        }).catch(() => undefined);
        expect(r.replication()?.prepared ?? null, `${r.name} prepared`).toBeNull();
      }

      step = 'the master dies after deciding, before sending the decision';
      await master.stop();
      await master.start({ env: { LANFOLD_FAILPOINT: '2pc:decided' } });
      await allConnected(cluster);
      change(master, 'two');
      await died(master, '2pc:decided');
      await waitFor(() => replicas.every((r) => r.replication()?.prepared), {
        timeoutMs: 20_000,
        what: 'every replica to show its prepared transaction',
      });
      for (const r of replicas) {
        expect(r.head(), `${r.name} waits for the decision`).toBe(v2);
        expect(await r.diskVersusLog(), `${r.name} disk vs log`).toEqual([]);
      }
      await master.start();
      const v3 = await cluster.waitConverged({ timeoutMs: 60_000 });
      expect(v3).toBeGreaterThan(v2);
      expect(await cluster.compareAll()).toEqual([]);
      const decided = await attemptsOf(master, v3);
      expect(
        decided.map((t) => t.state),
        'the decision stood',
      ).toEqual(['commit']);
      for (const r of replicas)
        expect(
          r.logged('committing a prepared version').filter((l) => l.version === v3).length,
          `${r.name} committed from its staging area`,
        ).toBe(1);

      step = 'the master dies after sending prepares, before deciding';
      await master.stop();
      await master.start({ env: { LANFOLD_FAILPOINT: '2pc:prepare-sent' } });
      await allConnected(cluster);
      change(master, 'three');
      await died(master, '2pc:prepare-sent');
      await master.start();
      const v4 = await cluster.waitConverged({ timeoutMs: 60_000 });
      expect(v4).toBeGreaterThan(v3);
      expect(await cluster.compareAll()).toEqual([]);
      const retried = await attemptsOf(master, v4);
      expect(
        retried.map((t) => t.state),
        'presumed abort, then a retry',
      ).toEqual(['abort', 'commit']);
      expect(retried[0]!.reason).toMatch(/presumed abort/);
      for (const r of replicas) {
        expect(await r.diskVersusLog(), `${r.name} disk vs log`).toEqual([]);
        // daemon.json is written every second: it may still show the aborted prepare.
        await waitFor(() => (r.replication()?.prepared ?? null) === null, {
          timeoutMs: 15_000,
          what: `${r.name} to show no prepared transaction`,
        }).catch(() => undefined);
        expect(r.replication()?.prepared ?? null, `${r.name} prepared`).toBeNull();
      }
    } catch (err) {
      throw new Error(
        `failed at ${step}: ${(err as Error).message}\n${cluster.describe()}\n${twoPhaseLog(cluster.devices)}`,
        {
          cause: err,
        },
      );
    }
  }, 300_000);
});
