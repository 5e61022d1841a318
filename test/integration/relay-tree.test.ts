/**
 * Relays (claims 35/36, issue 7), with real daemons on 127.0.0.1 (TLS, SQLite,
 * LANFOLD_DISCOVERY=off): one master, one relay, two replicas that list RELAY,MASTER as
 * their upstreams. Random edits converge everywhere (every file hashed); the replicas follow
 * the relay, fall back to the master while it is down and return to it; a replica that was
 * away catches up by one delta served by the relay.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DownstreamReport } from '../../main/engine/twophase/tx-store.js';
import { clusterCli, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { RandomEdits } from '../helpers/random-edits.js';
import { RelayTree } from '../helpers/relay-tree.js';
import { removeTempDirs } from '../helpers/temp.js';
import { historyJson, writeBatch, type HistoryJson } from '../helpers/twophase.js';
import { quietPeriod, waitFor } from '../helpers/wait.js';

let tree: RelayTree | undefined;

afterEach(async () => {
  await tree?.close();
  tree = undefined;
  await killClusters();
  removeTempDirs();
});

/** Makes `n` random edits on the master, waiting for a new version after each when `paced`. */
async function edit(
  master: ClusterDevice,
  edits: RandomEdits,
  n: number,
  paced: boolean,
): Promise<void> {
  for (let i = 0; i < n; i++) {
    const head = master.head();
    edits.step();
    if (paced)
      await waitFor(() => master.head() > head, { timeoutMs: 10_000, intervalMs: 20 }).catch(
        () => undefined, // pacing only: the batcher may fold two edits into one version
      );
  }
}

async function setup(seed: number): Promise<{ t: RelayTree; edits: RandomEdits }> {
  let edits: RandomEdits | undefined;
  const rng = new Rng(seed);
  tree = await RelayTree.create({
    relays: 1,
    replicasPerRelay: 2,
    populate: (dir) => {
      edits = new RandomEdits(rng, dir);
      for (let i = 0; i < 10; i++) edits.step();
    },
  });
  await tree.startAll();
  await tree.waitConverged();
  return { t: tree, edits: edits! };
}

function context(seed: number, err: unknown): Error {
  return new Error(
    `relay test failed (replay with LANFOLD_SEED=${seed}): ${(err as Error).message}\n${tree?.describe() ?? ''}`,
    { cause: err },
  );
}

describe('one master, one relay, two replicas below it', () => {
  it('random edits converge everywhere, served to the replicas by the relay', async () => {
    const seed = seedFromEnv();
    try {
      const { t, edits } = await setup(seed);
      const [relay] = t.relays;
      await edit(t.master, edits, 40, true);
      const head = await t.waitConverged();
      expect(await t.compareAll()).toEqual([]);
      // daemon.json is rewritten every second: wait for it rather than read it once.
      for (const leaf of t.leaves) await t.waitFollowing(leaf, relay!, 10_000);
      await t.waitFollowing(relay!, t.master, 10_000);
      // The master serves only the relay; the relay serves its two replicas, each acked at the head.
      await waitFor(
        () => {
          const onMaster = t.master.replication()?.replicas ?? [];
          const onRelay = relay!.replication()?.replicas ?? [];
          return (
            onMaster.length === 1 &&
            onMaster[0]!.deviceId === relay!.deviceId &&
            onMaster[0]!.acked === head &&
            t.leaves.every((l) =>
              onRelay.some((s) => s.deviceId === l.deviceId && s.acked === head),
            )
          );
        },
        {
          timeoutMs: 30_000,
          intervalMs: 200,
          what: `acks: master ${JSON.stringify(t.master.replication()?.replicas)} relay ${JSON.stringify(relay!.replication()?.replicas)}`,
        },
      );
      const appliedFromChanges = t.leaves.flatMap((l) =>
        l.logged('version applied').filter((x) => x.via === 'change'),
      );
      expect(
        appliedFromChanges.length,
        'versions the replicas applied from the relay’s change packets',
      ).toBeGreaterThan(0);
    } catch (err) {
      throw context(seed, err);
    }
  }, 300_000);

  it('the replicas fall back to the master while the relay is down, and return to it', async () => {
    const seed = seedFromEnv();
    try {
      const { t, edits } = await setup(seed);
      const relay = t.relays[0]!;
      for (const leaf of t.leaves) await t.waitFollowing(leaf, relay);
      const killedAt = Date.now();
      await relay.kill();
      for (const leaf of t.leaves) await t.waitFollowing(leaf, t.master);
      await edit(t.master, edits, 10, true);
      await t.waitConverged({ devices: t.leaves });
      expect(relay.head()).toBeLessThan(t.master.head());

      await relay.start();
      for (const leaf of t.leaves) await t.waitFollowing(leaf, relay);
      await edit(t.master, edits, 10, true);
      await t.waitConverged();
      expect(await t.compareAll()).toEqual([]);
      const onMaster = t.master.replication()?.replicas ?? [];
      expect(onMaster.map((s) => t.nameOf(s.deviceId))).toEqual([relay.name]);
      for (const leaf of t.leaves) {
        // (At start a replica may follow the master for a moment, if it connects there first.)
        const moves = leaf
          .logged('following upstream')
          .filter((l) => l.time >= killedAt)
          .map((l) => t.nameOf(l.upstream as string));
        expect(moves, leaf.name).toEqual(['master', 'relay1']);
      }
    } catch (err) {
      throw context(seed, err);
    }
  }, 300_000);

  it('a relay with relaying off refuses its replicas, which follow the master instead', async () => {
    const seed = seedFromEnv();
    try {
      const { t, edits } = await setup(seed);
      const relay = t.relays[0]!;
      const leaf = t.leaves[0]!;
      await t.waitFollowing(leaf, relay);
      await leaf.stop();
      await clusterCli(relay.state, ['folder', 'set', 'shared', 'relay', 'off']);
      // The running relay reads folders.json again within a second or two.
      await waitFor(() => relay.replication()?.relay === false, {
        timeoutMs: 20_000,
        intervalMs: 100,
        what: 'the relay daemon to see relay off',
      });
      const restartedAt = Date.now();
      await leaf.start();
      await t.waitFollowing(leaf, t.master);
      await edit(t.master, edits, 5, true);
      await t.waitConverged();
      expect(await t.compareAll()).toEqual([]);
      const refusals = leaf
        .logged('upstream refused the folder')
        .filter((l) => l.time >= restartedAt)
        .map((l) => l.reason);
      expect(refusals).toEqual(['this device does not relay the folder']);
      const status = await leaf.folderStatus();
      expect(status.replication?.upstream).toBe(t.master.deviceId);
      expect(status.replication?.lastError).toBeUndefined();
    } catch (err) {
      throw context(seed, err);
    }
  }, 300_000);

  it('a replica that was away catches up by one delta from the relay', async () => {
    const seed = seedFromEnv();
    try {
      const { t, edits } = await setup(seed);
      const relay = t.relays[0]!;
      const away = t.leaves[0]!;
      const before = away.head();
      await away.stop();
      // More versions than a change packet's window (8) carries.
      await edit(t.master, edits, 14, true);
      const head = await t.waitConverged({ devices: [relay, t.leaves[1]!] });
      expect(head - before).toBeGreaterThan(8);
      const restartedAt = Date.now();
      const run = await away.start();
      await t.waitConverged();
      expect(await t.compareAll()).toEqual([]);
      const applied = away.logged('version applied', run.pid);
      expect(applied.map((l) => [l.via, l.from, l.version])).toEqual([['delta', before, head]]);
      const served = relay
        .logged('delta served')
        .filter((l) => l.replica === away.deviceId && l.time >= restartedAt);
      expect(served.map((l) => [l.from, l.to])).toEqual([[before, head]]);
      expect(t.master.logged('delta served').filter((l) => l.replica === away.deviceId)).toEqual(
        [],
      );
    } catch (err) {
      throw context(seed, err);
    }
  }, 300_000);
});

describe('two-phase commit across the tree (claims 35(b), 37)', () => {
  it('the relay votes for itself, runs the change below with its own method, and the master shows every replica', async () => {
    const seed = seedFromEnv();
    try {
      const { t } = await setup(seed);
      const relay = t.relays[0]!;
      const [leaf1, leaf2] = t.leaves as [ClusterDevice, ClusterDevice];
      for (const leaf of t.leaves) await t.waitFollowing(leaf, relay);
      // The hop below the relay commits only if both its replicas can apply.
      await clusterCli(relay.state, ['folder', 'set', 'shared', 'two-phase-policy', 'all']);
      mkdirSync(path.join(t.master.folder, 'tx'));
      const base = await t.waitConverged();

      step = 'a three-file change';
      writeBatch(t.master.folder, { 'tx/a.txt': 'a1\n', 'tx/b.txt': 'b1\n', 'tx/c.txt': 'c1\n' });
      const v1 = await t.waitConverged();
      expect(v1).toBe(base + 1);
      expect(await t.compareAll()).toEqual([]);
      const first = await downstreamOf(t.master, v1);
      expect(first.method).toBe('2pc');
      // Upstream, the relay voted for itself only.
      expect(first.twoPhase.at(-1)!.votes.map((v) => [t.nameOf(v.replica), v.outcome])).toEqual([
        [relay.name, 'commit'],
      ]);
      // Below it, its own attempt: both replicas committed, as the relay reported.
      expect(reported(t, first.downstream)).toEqual([
        [leaf1.name, 'commit', relay.name],
        [leaf2.name, 'commit', relay.name],
      ]);

      step = 'a replica below the relay cannot apply';
      writeFileSync(path.join(leaf1.folder, 'tx/a.txt'), 'edited on leaf 1\n');
      await waitFor(() => leaf1.replication()?.localChanges?.some((c) => c.path === 'tx/a.txt'), {
        what: 'leaf 1 to notice its local edit',
      });
      writeBatch(t.master.folder, { 'tx/a.txt': 'a2\n', 'tx/b.txt': 'b2\n' });
      const v2 = v1 + 1;
      // The master commits on the relay (it can apply); the relay's hop aborts under `all`.
      await waitFor(() => relay.head() === v2, { timeoutMs: 30_000, what: 'the relay at v2' });
      const blocked = await waitFor(
        async () => {
          const d = (await downstreamOf(t.master, v2)).downstream;
          return d.length === 2 && d;
        },
        { timeoutMs: 30_000, what: "the relay's report of the aborted hop" },
      );
      expect(reported(t, blocked).map(([n, o]) => [n, o])).toEqual([
        [leaf1.name, 'abort'],
        [leaf2.name, 'abort'],
      ]);
      expect(blocked.find((r) => r.replica === leaf1.deviceId)!.reason).toMatch(/tx\/a\.txt/);
      const onMaster = await downstreamOf(t.master, v2);
      expect(onMaster.twoPhase.at(-1)!.state).toBe('commit');
      // Whole or not at all: neither replica below shows any part of v2.
      for (const leaf of t.leaves) {
        expect(leaf.head(), leaf.name).toBe(v1);
        expect(readFileSync(path.join(leaf.folder, 'tx/b.txt'), 'utf8'), leaf.name).toBe('b1\n');
      }

      step = 'the edit undone: the relay retries and commits below';
      writeFileSync(path.join(leaf1.folder, 'tx/a.txt'), 'a1\n');
      expect(await t.waitConverged({ timeoutMs: 90_000 })).toBe(v2);
      expect(await t.compareAll()).toEqual([]);
      await waitFor(
        async () =>
          reported(t, (await downstreamOf(t.master, v2)).downstream).every(
            ([, o]) => o === 'commit',
          ),
        { timeoutMs: 20_000, what: 'the commit below the relay to be reported' },
      );

      step = "the relay's hop set to one-phase";
      await clusterCli(relay.state, ['folder', 'set', 'shared', 'commit-mode', 'one-phase']);
      await quietPeriod(2500); // the running relay reads folders.json again
      writeBatch(t.master.folder, { 'tx/a.txt': 'a3\n', 'tx/c.txt': 'c3\n' });
      const v3 = await t.waitConverged();
      expect(v3).toBe(v2 + 1);
      expect(await t.compareAll()).toEqual([]);
      const third = await downstreamOf(t.master, v3);
      expect(third.twoPhase.at(-1)!.state).toBe('commit'); // two-phase on the master's hop
      expect(third.downstream).toEqual([]); // one-phase below: nothing to report
      const onRelay = (await historyJson(relay)).versions.find((v) => v.seq === v3)!;
      expect(onRelay.twoPhase).toEqual([]);
    } catch (err) {
      throw context(seed, err);
    }
  }, 300_000);
});

let step = '';

async function downstreamOf(
  device: ClusterDevice,
  version: number,
): Promise<HistoryJson['versions'][number]> {
  const v = (await historyJson(device)).versions.find((x) => x.seq === version);
  if (!v) throw new Error(`v${version} is not in the history of ${device.name} (${step})`);
  return v;
}

/** A history's downstream reports as [replica, outcome, relay] names, sorted by replica. */
function reported(t: RelayTree, reports: readonly DownstreamReport[]): string[][] {
  return reports
    .map((r) => [t.nameOf(r.replica), r.outcome, t.nameOf(r.via)])
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

describe('a relay that lacks content (claim 36: deltas work unchanged at every level)', () => {
  it('serves a chunk its own copy no longer holds by fetching it from its upstream', async () => {
    const seed = seedFromEnv();
    try {
      const { t } = await setup(seed);
      const relay = t.relays[0]!;
      const [away, other] = t.leaves as [ClusterDevice, ClusterDevice];
      for (const leaf of t.leaves) await t.waitFollowing(leaf, relay);
      await away.stop();
      // Big enough to travel as fetched chunks, not inline with the change.
      const content = new Rng(seed).bytes(600 * 1024);
      writeFileSync(path.join(t.master.folder, 'big.bin'), content);
      await t.waitConverged({ devices: [relay, other] });
      // A local edit on the relay: its file no longer holds the chunks its log lists.
      writeFileSync(path.join(relay.folder, 'big.bin'), 'edited on the relay\n');
      await waitFor(() => relay.replication()?.localChanges?.some((c) => c.path === 'big.bin'), {
        what: 'the relay to notice its local edit',
      });
      const startedAt = Date.now();
      await away.start();
      await waitFor(() => away.head() === t.master.head(), {
        timeoutMs: 60_000,
        what: 'the replica that was away to catch up through the relay',
      });
      expect(readFileSync(path.join(away.folder, 'big.bin')).equals(content)).toBe(true);
      expect(await away.diskVersusLog()).toEqual([]);
      await t.waitFollowing(away, relay);
      const fetched = relay
        .logged('chunk fetched upstream for a replica below')
        .filter((l) => l.time >= startedAt && l.path === 'big.bin');
      expect(fetched.length).toBeGreaterThan(0);
      // The relay's own copy keeps its local edit: it is not overwritten behind its user's back.
      expect(readFileSync(path.join(relay.folder, 'big.bin'), 'utf8')).toBe(
        'edited on the relay\n',
      );
    } catch (err) {
      throw context(seed, err);
    }
  }, 300_000);
});
