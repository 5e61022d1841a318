/**
 * The fan-out tree of issue 7 with 13 real daemons on 127.0.0.1 (TLS, SQLite,
 * LANFOLD_DISCOVERY=off): one master, three relays, three replicas under each relay. 100
 * random edits on the master converge on all twelve (every file hashed); one relay is killed
 * in the middle of them, its replicas fall back to the master and return when it is back.
 * Then a three-file change goes two-phase across the tree: each relay votes for itself and
 * runs it on its replicas, and the master's history shows all nine replicas below.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { killClusters } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { RandomEdits } from '../helpers/random-edits.js';
import { RelayTree } from '../helpers/relay-tree.js';
import { removeTempDirs } from '../helpers/temp.js';
import { historyJson, writeBatch } from '../helpers/twophase.js';
import { waitFor } from '../helpers/wait.js';

const EDITS = 100;

let tree: RelayTree | undefined;

afterEach(async () => {
  await tree?.close();
  tree = undefined;
  await killClusters();
  removeTempDirs();
});

describe('one master, three relays, three replicas under each', () => {
  it(`${EDITS} random edits converge on all twelve; a killed relay's replicas fall back and return`, async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let step = 'setup';
    try {
      let edits: RandomEdits | undefined;
      tree = await RelayTree.create({
        relays: 3,
        replicasPerRelay: 3,
        populate: (dir) => {
          edits = new RandomEdits(rng, dir);
          for (let i = 0; i < 10; i++) edits.step();
        },
      });
      const t = tree;
      await t.startAll();
      await t.waitConverged({ timeoutMs: 120_000 });
      const killed = t.relays[1]!;
      const orphans = t.below[1]!;
      for (const [r, relay] of t.relays.entries())
        for (const leaf of t.below[r]!) await t.waitFollowing(leaf, relay);
      let killedAt = 0;
      for (let i = 0; i < EDITS; i++) {
        if (i === 40) {
          step = `killing ${killed.name}`;
          killedAt = Date.now();
          await killed.kill();
        }
        if (i === 70) {
          step = `restarting ${killed.name}`;
          await killed.start();
        }
        step = `edit ${i + 1}: ${edits!.step()}`;
        if (rng.chance(0.3)) {
          const head = t.master.head();
          await waitFor(() => t.master.head() > head, { timeoutMs: 5000, intervalMs: 20 }).catch(
            () => undefined, // pacing only
          );
        }
      }
      step = 'convergence';
      const head = await t.waitConverged({ timeoutMs: 180_000 });
      step = 'hashing every folder against the master';
      expect(await t.compareAll()).toEqual([]);
      step = "the killed relay's replicas went to the master and came back";
      for (const leaf of orphans) {
        await t.waitFollowing(leaf, killed, 30_000);
        const moves = leaf
          .logged('following upstream')
          .filter((l) => l.time >= killedAt)
          .map((l) => t.nameOf(l.upstream as string));
        expect(moves, leaf.name).toEqual(['master', killed.name]);
      }
      step = 'acks';
      await waitFor(
        () => {
          const onMaster = t.master.replication()?.replicas ?? [];
          return (
            onMaster.length === 3 &&
            t.relays.every((r) =>
              onMaster.some((s) => s.deviceId === r.deviceId && s.acked === head),
            )
          );
        },
        {
          timeoutMs: 30_000,
          intervalMs: 200,
          what: `the master serves exactly the 3 relays, acked v${head}`,
        },
      );
      step = 'a two-phase change across the tree';
      writeBatch(t.master.folder, {
        'tree-a.txt': 'a\n',
        'tree-b.txt': 'b\n',
        'tree-c.txt': 'c\n',
      });
      const tx = await t.waitConverged({ timeoutMs: 120_000 });
      expect(await t.compareAll()).toEqual([]);
      const version = await waitFor(
        async () => {
          const v = (await historyJson(t.master)).versions.find((x) => x.seq === tx);
          return v && v.downstream.length === 9 && v;
        },
        { timeoutMs: 30_000, what: 'every relay to report its hop' },
      );
      expect(version.method).toBe('2pc');
      // The relays voted upstream (for themselves); each reported its three replicas.
      expect(
        version.twoPhase
          .at(-1)!
          .votes.map((v) => [t.nameOf(v.replica), v.outcome])
          .sort(),
      ).toEqual(t.relays.map((r) => [r.name, 'commit']).sort());
      for (const [r, relay] of t.relays.entries())
        expect(
          version.downstream
            .filter((d) => d.via === relay.deviceId)
            .map((d) => [t.nameOf(d.replica), d.outcome])
            .sort(),
          relay.name,
        ).toEqual(t.below[r]!.map((leaf) => [leaf.name, 'commit']).sort());
      console.log(
        `relay fan-out: seed ${seed}, ${EDITS} edits, head v${head}, edits ${JSON.stringify(Object.fromEntries(edits!.counts))}`,
      );
    } catch (err) {
      throw new Error(
        `relay fan-out failed (replay with LANFOLD_SEED=${seed}) at ${step}: ${(err as Error).message}\n${tree?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 540_000);
});
