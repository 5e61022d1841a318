/**
 * The control API of two real daemons replicating a folder (compiled CLI, `npm run build`):
 * the master's API reports peer events and each replica's exact lag (versions, files and
 * bytes from the log's scope), and the replica's API shows its upstream and the versions it
 * applies.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LanfoldClient } from '../../main/api/client.js';
import type { ApiEvent } from '../../main/api/contract.js';
import { Cluster, killClusters, type ClusterDevice } from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

/** A client of a running device's control API (address from daemon.json, token from its file). */
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

describe('control API with replication', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('reports peers coming and going, and a replica exact lag', async () => {
    const cluster = await Cluster.create({
      replicas: 1,
      populate: (root) => writeFileSync(path.join(root, 'start.txt'), 'start\n'),
    });
    const { master } = cluster;
    const replica = cluster.replicas[0]!;
    try {
      await master.start();
      const api = await clientOf(master);
      const events: ApiEvent[] = [];
      const off = api.subscribe((e) => events.push(e));
      try {
        await waitFor(() => events.some((e) => e.type === 'status'), { what: 'a status event' });
        await replica.start();
        await waitFor(
          () =>
            events.some((e) => e.type === 'peer' && e.deviceId === replica.deviceId && e.connected),
          { what: 'the replica to connect' },
        );
        const head = await cluster.waitConverged();
        const inSync = await waitFor(async () => {
          const r = (await api.folder(master.folderId)).replicas[0];
          return r?.connected && r.version === head && r;
        });
        expect(inSync.lag).toEqual({ versions: 0, files: 0, bytes: 0 });

        // A frozen replica keeps its connection but acknowledges nothing: it falls behind.
        replica.freeze();
        writeFileSync(path.join(master.folder, 'a.txt'), 'x'.repeat(1000));
        writeFileSync(path.join(master.folder, 'b.txt'), 'y'.repeat(24));
        const behind = await waitFor(
          async () => {
            const detail = await api.folder(master.folderId);
            const r = detail.replicas[0];
            return r?.lag?.files === 2 ? { detail, r } : undefined;
          },
          { what: 'the master to show the frozen replica two files behind' },
        );
        expect(behind.r.lag).toEqual({
          versions: behind.detail.head - head,
          files: 2,
          bytes: 1024,
        });
        expect(behind.detail.state).toBe('behind');
        expect(behind.detail.lag).toEqual(behind.r.lag);
        replica.thaw();
        await waitFor(
          async () => (await api.folder(master.folderId)).replicas[0]?.lag?.versions === 0,
          {
            what: 'the replica to catch up',
          },
        );

        // The replica's own API: its upstream, and the versions it applied.
        const mine = await clientOf(replica);
        const detail = await mine.folder(replica.folderId);
        expect(detail).toMatchObject({
          role: 'replica',
          state: 'in-sync',
          upstream: { deviceId: master.deviceId, connected: true },
        });
        const history = await mine.history(replica.folderId, { limit: 1 });
        expect(history.versions[0]?.origin).toBe('apply');
        const diff = await mine.diff(replica.folderId, { from: 0, to: detail.head, path: 'b.txt' });
        expect(diff.kind).toBe('text');

        await replica.stop();
        await waitFor(
          () =>
            events.some(
              (e) => e.type === 'peer' && e.deviceId === replica.deviceId && !e.connected,
            ),
          { what: 'the replica to go away' },
        );
        const gone = (await api.folder(master.folderId)).replicas[0];
        // Gone, it keeps the version it last acknowledged, and its lag from there.
        expect(gone).toMatchObject({
          deviceId: replica.deviceId,
          connected: false,
          version: detail.head,
          lag: { versions: 0, files: 0, bytes: 0 },
        });
      } finally {
        off();
      }
    } catch (err) {
      throw new Error(`${(err as Error).message}\n${cluster.describe()}`, { cause: err });
    }
  });
});
