/**
 * Pausing and resuming folders, and keeping or reverting a replica's local changes and
 * conflicts, on two real daemons (compiled CLI, `npm run build`): a paused replica applies
 * nothing and a paused master serves nothing, both catch up on resume; `lanfold pause` and
 * the control API both work on a running daemon; a reverted local change holds the
 * master's content again.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LanfoldClient } from '../../main/api/client.js';
import { Cluster, clusterCli, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

async function clientOf(device: ClusterDevice): Promise<LanfoldClient> {
  const gui = await waitFor(() => {
    const runtime = JSON.parse(readFileSync(path.join(device.state, 'daemon.json'), 'utf8')) as {
      gui?: string | null;
    };
    return runtime.gui ?? undefined;
  });
  const token = readFileSync(path.join(device.state, 'api-token'), 'utf8').trim();
  return new LanfoldClient({ baseUrl: `http://${gui}`, token, WebSocket });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pause, resume, keep and revert on real daemons', () => {
  let cluster: Cluster;
  let master: ClusterDevice;
  let replica: ClusterDevice;
  let masterApi: LanfoldClient;
  let replicaApi: LanfoldClient;

  beforeAll(async () => {
    cluster = await Cluster.create({
      replicas: 1,
      populate: (root) => {
        writeFileSync(path.join(root, 'readme.md'), '# Readme\n');
        writeFileSync(path.join(root, 'notes.txt'), 'notes\n');
        writeFileSync(path.join(root, 'keep.txt'), 'keep me\n');
      },
    });
    master = cluster.master;
    replica = cluster.replicas[0]!;
    await cluster.startAll();
    await cluster.waitConverged();
    masterApi = await clientOf(master);
    replicaApi = await clientOf(replica);
  }, 120_000);

  afterAll(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('a replica paused with the CLI applies nothing until resumed through the API', async () => {
    const out = await clusterCli(replica.state, ['pause', replica.folderId]);
    expect(out).toMatch(/Paused folder/);
    const summary = await waitFor(async () => {
      const f = (await replicaApi.status()).folders[0];
      return f?.state === 'paused' && f;
    });
    expect(summary.paused).toBe(true);
    const before = replica.head();

    writeFileSync(path.join(master.folder, 'while-paused.txt'), 'written while paused\n');
    await waitFor(() => master.head() > before, { what: 'the master to record' });
    await sleep(1500);
    expect(replica.head()).toBe(before);
    expect(existsSync(path.join(replica.folder, 'while-paused.txt'))).toBe(false);

    const resumed = await replicaApi.resume(replica.folderId);
    expect(resumed.changed).toEqual([replica.folderId]);
    await cluster.waitConverged();
    expect(readFileSync(path.join(replica.folder, 'while-paused.txt'), 'utf8')).toBe(
      'written while paused\n',
    );
    expect((await replicaApi.status()).folders[0]?.paused).toBe(false);
  });

  it('a paused master keeps recording but serves nothing; resumed, its replica catches up', async () => {
    const all = await masterApi.pause();
    expect(all.folders).toEqual([{ id: master.folderId, paused: true }]);
    expect((await masterApi.pause(master.folderId)).changed).toEqual([]);
    const before = replica.head();
    writeFileSync(path.join(master.folder, 'master-paused.txt'), 'x\n');
    await waitFor(() => master.head() > before, { what: 'the paused master to record' });
    const status = await masterApi.status();
    expect(status.folders[0]?.state).toBe('paused');
    await sleep(1500);
    expect(replica.head()).toBe(before);

    await masterApi.resume();
    await cluster.waitConverged();
    expect(existsSync(path.join(replica.folder, 'master-paused.txt'))).toBe(true);
  });

  it('keeps and reverts local changes of a replica', async () => {
    const id = replica.folderId;
    writeFileSync(path.join(replica.folder, 'readme.md'), '# Readme, edited here\n');
    writeFileSync(path.join(replica.folder, 'scratch.txt'), 'only here\n');
    rmSync(path.join(replica.folder, 'keep.txt'));
    const listed = await waitFor(async () => {
      const d = await replicaApi.folder(id);
      return d.localChanges.length === 3 && d.localChanges;
    });
    expect(Object.fromEntries(listed.map((c) => [c.path, c.kind]))).toEqual({
      'readme.md': 'modified',
      'scratch.txt': 'added',
      'keep.txt': 'deleted',
    });

    const kept = await replicaApi.resolveLocalChange(id, { path: 'scratch.txt', action: 'keep' });
    expect(kept.done).toMatch(/Kept your added file of scratch\.txt/);
    const marked = (await replicaApi.folder(id)).localChanges.find((c) => c.path === 'scratch.txt');
    expect(marked?.kept).toBe(true);

    const reverted = await replicaApi.resolveLocalChange(id, {
      path: 'readme.md',
      action: 'revert',
    });
    expect(reverted.done).toMatch(/master’s version of readme\.md/);
    expect(readFileSync(path.join(replica.folder, 'readme.md'), 'utf8')).toBe('# Readme\n');
    // The deleted file's content is fetched from the master (no local copy is left).
    await replicaApi.resolveLocalChange(id, { path: 'keep.txt', action: 'revert' });
    expect(readFileSync(path.join(replica.folder, 'keep.txt'), 'utf8')).toBe('keep me\n');
    const deleted = await replicaApi.resolveLocalChange(id, {
      path: 'scratch.txt',
      action: 'revert',
    });
    expect(deleted.done).toMatch(/Deleted scratch\.txt/);
    expect(existsSync(path.join(replica.folder, 'scratch.txt'))).toBe(false);
    await waitFor(async () => (await replicaApi.folder(id)).localChanges.length === 0, {
      what: 'the local changes to be gone',
    });
    expect(await cluster.compareAll()).toEqual([]);

    await expect(
      replicaApi.resolveLocalChange(id, { path: 'readme.md', action: 'revert' }),
    ).rejects.toMatchObject({ status: 404, message: /no local change/ });
    await expect(
      masterApi.resolveLocalChange(master.folderId, { path: 'readme.md', action: 'keep' }),
    ).rejects.toMatchObject({ status: 409, code: 'NOT_REPLICA' });
    await expect(
      replicaApi.resolveLocalChange(id, { path: '../outside', action: 'revert' }),
    ).rejects.toMatchObject({ status: 400 });
  });

  it('keeps a conflict copy, or deletes it', async () => {
    const id = replica.folderId;
    for (const [i, action] of (['keep', 'revert'] as const).entries()) {
      writeFileSync(path.join(replica.folder, 'notes.txt'), `replica edit ${i}\n`);
      await waitFor(async () =>
        (await replicaApi.folder(id)).localChanges.some((c) => c.path === 'notes.txt'),
      );
      writeFileSync(path.join(master.folder, 'notes.txt'), `master edit ${i}\n`);
      await cluster.waitConverged();
      const open = await waitFor(async () => (await replicaApi.folder(id)).conflicts[0], {
        what: 'the conflict to be listed',
      });
      expect(open.path).toBe('notes.txt');
      expect(readFileSync(path.join(replica.folder, open.keptAs), 'utf8')).toBe(
        `replica edit ${i}\n`,
      );
      const result = await replicaApi.resolveConflict(id, { keptAs: open.keptAs, action });
      const detail = await replicaApi.folder(id);
      expect(detail.conflicts).toEqual([]);
      if (action === 'keep') {
        expect(result.done).toMatch(/Kept your version of notes\.txt/);
        expect(existsSync(path.join(replica.folder, open.keptAs))).toBe(true);
        await waitFor(
          async () =>
            (await replicaApi.folder(id)).localChanges.some(
              (c) => c.path === open.keptAs && c.kept,
            ),
          { what: `the kept copy: ${JSON.stringify((await replicaApi.folder(id)).localChanges)}` },
        );
        rmSync(path.join(replica.folder, open.keptAs));
      } else {
        expect(result.done).toMatch(/Deleted your copy/);
        expect(existsSync(path.join(replica.folder, open.keptAs))).toBe(false);
      }
      expect(readFileSync(path.join(replica.folder, 'notes.txt'), 'utf8')).toBe(
        `master edit ${i}\n`,
      );
    }
  });
});
