/**
 * The replication method's behaviours, observed from outside real daemons (their debug
 * logs and status files): a change packet whose prior version is the replica's own is
 * applied as it comes, without a delta (claims 1, 12, 19); the master heartbeats a new
 * version, backing off, until the replica acknowledges it (claims 5, 9, 10); a replica that
 * missed a few versions (its link stalled) fills the gap from the packet's window of recent
 * versions instead of asking for a delta (claim 14); idle, the master keeps heartbeating
 * and the replica keeps acknowledging.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, killClusters, type ClusterDevice, type LogLine } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

async function recorded(master: ClusterDevice, before: number): Promise<number> {
  return waitFor(() => master.head() > before && master.head(), {
    intervalMs: 10,
    what: `the master to record v${before + 1}`,
  });
}

function acked(master: ClusterDevice, replica: ClusterDevice): number | undefined {
  return master.replication()?.replicas?.find((r) => r.deviceId === replica.deviceId)?.acked;
}

describe('replication as the claims describe it', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('applies change packets in order, heartbeats until acked, fills gaps from the window', async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let cluster: Cluster | undefined;
    let step = 'setup';
    try {
      cluster = await Cluster.create({
        deletionGuard: 'off',
        replicas: 1,
        populate: (dir) => writeFileSync(path.join(dir, 'start.txt'), 'start\n'),
        env: { LANFOLD_LOG_LEVEL: 'debug' },
      });
      const { master } = cluster;
      const replica = cluster.replicas[0]!;
      await cluster.startAll();
      let head = await cluster.waitConverged();
      const deltasAtStart = master.logged('delta served').length;

      step = "change packets applied when their prior version is the replica's";
      for (let i = 0; i < 3; i++) {
        const before = head;
        writeFileSync(path.join(master.folder, `one-${i}.txt`), rng.text(rng.int(10, 2000)));
        head = await recorded(master, before);
        await cluster.waitConverged();
        // The log line follows the commit the test saw: wait for it.
        const line = await waitFor(
          () => replica.logged('version applied').find((l) => l.version === head),
          { what: `the replica to log v${head}` },
        );
        expect([line.via, line.from, line.versions], `v${head}`).toEqual(['change', before, 1]);
        // The replica acknowledged it (claim 10): seen in the master's log and its status.
        await waitFor(
          () =>
            master
              .logged('ack received')
              .some((l) => l.replica === replica.deviceId && l.version === head),
          {
            what: `the master to receive the ack of v${head}`,
          },
        );
        await waitFor(() => acked(master, replica) === head, {
          intervalMs: 100,
          what: `status to show v${head} acked`,
        });
      }
      expect(master.logged('delta served').length, 'no delta for versions that follow on').toBe(
        deltasAtStart,
      );

      step = 'a stalled link: heartbeats until acked';
      replica.freeze();
      const stalledAt = Date.now();
      const first = head;
      // The first missed version needs chunks fetched, so the later packets queue up behind it.
      writeFileSync(path.join(master.folder, 'needs-fetch.bin'), rng.bytes(600_000));
      head = await recorded(master, head);
      writeFileSync(path.join(master.folder, 'missed-2.txt'), 'two\n');
      head = await recorded(master, head);
      writeFileSync(path.join(master.folder, 'missed-3.txt'), 'three\n');
      head = await recorded(master, head);
      const last = head;
      const unacked = (): LogLine[] =>
        master
          .logged('heartbeat sent')
          .filter(
            (l) =>
              l.replica === replica.deviceId &&
              l.time >= stalledAt &&
              l.version === last &&
              (l.acked as number) < last,
          );
      const beats = await waitFor(() => unacked().length >= 4 && unacked(), {
        timeoutMs: 20_000,
        intervalMs: 50,
        what: 'four unacknowledged heartbeats',
      });
      const gaps = beats.slice(1, 4).map((l, i) => l.time - beats[i]!.time);
      // Backing off: each interval longer than the one before (250, 500, 1000 ms...).
      expect(gaps[1]!, `heartbeat intervals ${gaps.join(', ')}`).toBeGreaterThan(gaps[0]!);
      expect(gaps[2]!, `heartbeat intervals ${gaps.join(', ')}`).toBeGreaterThan(gaps[1]!);
      expect(replica.head()).toBe(first);

      step = 'the replica fills the gap from the window';
      replica.thaw();
      await cluster.waitConverged();
      expect(await cluster.compareAll()).toEqual([]);
      await waitFor(() => replica.logged('version applied').some((l) => l.version === last), {
        what: `the replica to log v${last}`,
      });
      const since = replica.logged('version applied').filter((l) => l.time >= stalledAt);
      expect(
        replica.logged('delta requested').filter((l) => l.time >= stalledAt),
        'delta requests',
      ).toEqual([]);
      expect(since.every((l) => l.via === 'change')).toBe(true);
      expect(since[0]?.from).toBe(first);
      expect(since.at(-1)?.version).toBe(last);
      expect(
        Math.max(...since.map((l) => l.versions as number)),
        'versions applied from one packet',
      ).toBeGreaterThan(1);
      await waitFor(() => acked(master, replica) === last, {
        intervalMs: 100,
        what: `status to show v${last} acked`,
      });

      step = 'idle: steady heartbeats, acknowledged';
      const idleAt = Date.now();
      await waitFor(
        () => {
          const steady = master
            .logged('heartbeat sent')
            .find((l) => l.replica === replica.deviceId && l.time >= idleAt && l.acked === last);
          return (
            steady !== undefined &&
            master
              .logged('ack received')
              .some(
                (l) =>
                  l.replica === replica.deviceId && l.time >= steady.time && l.version === last,
              )
          );
        },
        { timeoutMs: 25_000, intervalMs: 200, what: 'a periodic heartbeat and its ack' },
      );
      console.log(
        `claims: seed ${seed}, heartbeat intervals while unacked ${gaps.join(', ')} ms, ` +
          `gap v${first} -> v${last} filled by ${since.map((l) => `${String(l.versions)} version(s)`).join(' + ')}`,
      );
    } catch (err) {
      throw new Error(
        `claims test failed (seed ${seed}) at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 120_000);
});
