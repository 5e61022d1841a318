/**
 * Crash safety of a replica's apply, with real daemons: one replica per failpoint of
 * FAILPOINTS, each started with LANFOLD_FAILPOINT=<name>:2, so one multi-file change on the
 * master makes every replica SIGKILL itself at a different step of its apply. Each is then
 * restarted without the failpoint while the master is down (two of them crash once more
 * while replaying their journal first): before it can reconnect, the version its log
 * records must be exactly what its disk holds (hashed). Then the master
 * comes back and every replica must converge to it, file for file.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FAILPOINTS, type FailpointName } from '../../main/engine/failpoints.js';
import { Cluster, killClusters } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

/** Failpoints that fire again while a replica replays the journal left by the first crash. */
const CRASH_IN_RECOVERY: Partial<Record<FailpointName, FailpointName>> = {
  'apply:journaled': 'apply:renamed-some',
  'apply:renamed': 'apply:committed',
};

function populate(root: string, rng: Rng): void {
  mkdirSync(path.join(root, 'docs/old'), { recursive: true });
  mkdirSync(path.join(root, 'keep'));
  for (let i = 0; i < 6; i++)
    writeFileSync(path.join(root, `docs/old/page ${i}.txt`), rng.text(rng.int(100, 90_000)));
  writeFileSync(path.join(root, 'notes.txt'), 'line\n'.repeat(40_000));
  writeFileSync(path.join(root, 'rename-me.bin'), rng.bytes(300_000));
  writeFileSync(path.join(root, 'delete-me.bin'), rng.bytes(150_000));
  writeFileSync(path.join(root, 'small.txt'), 'small\n');
  symlinkSync('notes.txt', path.join(root, 'link'));
}

/**
 * One change touching many paths at once: new files (fetched, inline, empty, two with the
 * same content; two with modes of their own), an in-place text edit, a delete, a file rename, a directory rename, a new
 * empty directory, a chmod and a symlink. The new files are written outside the folder
 * and renamed in, so the master sees the whole change in one batch.
 */
function bigChange(root: string, outside: string, rng: Rng): void {
  mkdirSync(outside, { recursive: true });
  const incoming: [string, Buffer][] = [
    ['new/a.bin', rng.bytes(700_000)],
    ['new/b.bin', rng.bytes(260_000)],
    ['new/c.txt', rng.text(5_000)],
    ['new/d.txt', rng.text(40)],
    ['twin-1.bin', rng.bytes(120_000)],
    ['empty-1', Buffer.alloc(0)],
    ['empty-2', Buffer.alloc(0)],
  ];
  incoming.push(['twin-2.bin', incoming[4]![1]]);
  mkdirSync(path.join(outside, 'new'));
  for (const [rel, data] of incoming) writeFileSync(path.join(outside, rel), data);
  // New files with modes of their own: staged with them, renamed in without a meta step.
  chmodSync(path.join(outside, 'new/c.txt'), 0o640);
  chmodSync(path.join(outside, 'new/b.bin'), 0o600);
  // Everything below happens within a few milliseconds.
  renameSync(path.join(outside, 'new'), path.join(root, 'new'));
  for (const [rel] of incoming)
    if (!rel.startsWith('new/')) renameSync(path.join(outside, rel), path.join(root, rel));
  const notes = readFileSync(path.join(root, 'notes.txt'), 'utf8').split('\n');
  notes.splice(20_000, 3, 'edited in the middle');
  writeFileSync(path.join(root, 'notes.txt'), notes.join('\n'));
  unlinkSync(path.join(root, 'delete-me.bin'));
  renameSync(path.join(root, 'rename-me.bin'), path.join(root, 'renamed.bin'));
  renameSync(path.join(root, 'docs'), path.join(root, 'documents'));
  mkdirSync(path.join(root, 'empty dir'));
  chmodSync(path.join(root, 'small.txt'), 0o600);
  symlinkSync('documents/old/page 1.txt', path.join(root, 'link 2'));
}

describe('a replica killed at each failpoint of its apply', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it(`recovers from a crash at each of ${FAILPOINTS.length} failpoints`, async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let cluster: Cluster | undefined;
    let step = 'setup';
    const t0 = Date.now();
    try {
      cluster = await Cluster.create({
        deletionGuard: 'off',
        replicas: FAILPOINTS.length,
        populate: (dir) => populate(dir, rng),
      });
      const { master, replicas } = cluster;
      step = 'start';
      // Replica i dies at FAILPOINTS[i] in its second apply (`name:2`): the first one is its
      // initial sync (one delta, which reaches every failpoint once), the second the change.
      await master.start();
      await Promise.all(
        replicas.map((r, i) => r.start({ env: { LANFOLD_FAILPOINT: `${FAILPOINTS[i]}:2` } })),
      );
      step = 'initial sync';
      const before = await cluster.waitConverged();
      for (const r of replicas) {
        expect(r.running, `${r.name} survived its initial sync`).toBe(true);
        const applied = await waitFor(
          () => r.logged('version applied').length > 0 && r.logged('version applied'),
        );
        expect(applied.length, `${r.name}: the initial sync is one apply`).toBe(1);
      }
      const t1 = Date.now();

      step = 'the change';
      bigChange(master.folder, path.join(makeTempDir(), 'outside'), rng);
      step = 'waiting for every replica to die at its failpoint';
      await Promise.all(
        replicas.map(async (r, i) => {
          const run = r.daemon!;
          const exit = await Promise.race([
            run.exit(),
            new Promise<undefined>((resolve) =>
              setTimeout(() => resolve(undefined), 60_000).unref(),
            ),
          ]);
          expect(exit, `${r.name} (${FAILPOINTS[i]}) ended`).toEqual({
            code: null,
            signal: 'SIGKILL',
          });
          expect(run.stderr).toContain(`failpoint ${FAILPOINTS[i]} fired`);
        }),
      );
      const t2 = Date.now();

      step = 'master down; replicas restart without failpoints';
      await master.stop();
      const changed = master.head();
      expect(changed).toBeGreaterThan(before);
      // Two of them crash once more, while replaying their journal at start.
      await Promise.all(
        replicas.map(async (r, i) => {
          const again = CRASH_IN_RECOVERY[FAILPOINTS[i]!];
          if (again) {
            const run = await r.start({ env: { LANFOLD_FAILPOINT: again }, ready: false });
            expect(await run.exit(), `${r.name} replaying with ${again}`).toEqual({
              code: null,
              signal: 'SIGKILL',
            });
            expect(run.stderr).toContain(`failpoint ${again} fired`);
          }
          await r.start();
        }),
      );
      for (const [i, r] of replicas.entries()) {
        const name = FAILPOINTS[i]!;
        const pid = r.daemon!.pid;
        // Before any reconnection: the recorded head is exactly what is on disk.
        expect(r.replication()?.connected ?? false, `${r.name} cannot be connected`).toBe(false);
        expect(
          await r.diskVersusLog(),
          `${r.name} after a crash at ${name}: disk vs recorded v${r.head()}`,
        ).toEqual([]);
        expect(
          existsSync(path.join(r.state, 'folders', r.folderId, 'apply-journal.json')),
          `${r.name} journal`,
        ).toBe(false);
        const replayed = r.logged('finishing an apply interrupted by a crash', pid).length > 0;
        // Before the journal exists nothing is replayed; from it on, the apply is finished at start.
        expect(replayed, `${r.name} replayed its journal after ${name}`).toBe(
          name !== 'apply:staged',
        );
        if (name === 'apply:staged') expect(r.head(), `${r.name} head`).toBe(before);
        else expect(r.head(), `${r.name} head`).toBeGreaterThan(before);
      }
      const t3 = Date.now();

      step = 'master back; convergence';
      await master.start();
      const final = await cluster.waitConverged();
      expect(final).toBeGreaterThanOrEqual(changed);
      expect(await cluster.compareAll()).toEqual([]);
      for (const r of replicas) {
        await waitFor(() => r.replication()?.head === final, {
          intervalMs: 100,
          what: `${r.name}'s status to show v${final}`,
        });
        expect(r.replication()?.conflicts, `${r.name} conflicts`).toEqual([]);
      }
      console.log(
        `replication crash: seed ${seed}, failpoints ${FAILPOINTS.join(', ')}; v${before} -> v${final}; ` +
          `setup+sync ${t1 - t0} ms, crashes ${t2 - t1} ms, restarts ${t3 - t2} ms, convergence ${Date.now() - t3} ms`,
      );
    } catch (err) {
      throw new Error(
        `replication crash test failed (seed ${seed}) at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 240_000);
});
