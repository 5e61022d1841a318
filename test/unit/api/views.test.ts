import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ControlBackend } from '../../../main/daemon/api/backend.js';
import { ApiEventHub } from '../../../main/daemon/api/event-hub.js';
import { Resolutions } from '../../../main/daemon/api/resolve.js';
import {
  folderSummary,
  LagCache,
  openLog,
  ReplicaSightings,
} from '../../../main/daemon/api/views.js';
import { DeviceState, initDevice } from '../../../main/daemon/device.js';
import type { NewEntry } from '../../../main/engine/entry.js';
import { silentLogger } from '../../../main/engine/logger.js';
import type { ReplicaFolder, ReplicaStatus } from '../../../main/engine/replica/replica-folder.js';
import { toRelPath } from '../../../main/engine/relpath.js';
import { VersionLog } from '../../../main/engine/store/version-log.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const ID = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';
const HEADER = { epoch: 1, createdAt: 1, method: '1pc', reason: 'r', origin: 'watch' } as const;

function entry(p: string, kind: NewEntry['kind'], size: number): NewEntry {
  return {
    path: toRelPath(p),
    op: kind === 'none' ? 'delete' : 'add',
    kind,
    size,
    mtimeMs: 1,
    mode: 0o644,
    ino: 1,
    hash: kind === 'file' ? 'a'.repeat(64) : null,
    target: kind === 'symlink' ? 'x' : null,
    chunks: null,
    movedFrom: null,
  };
}

const idle: ReplicaStatus = {
  head: 5,
  upstreamVersion: 5,
  connected: true,
  syncing: false,
  lastError: undefined,
  conflicts: [],
  atomicView: false,
  bytesFetched: 0,
  prepared: null,
  localChanges: [],
};

describe('folder views', () => {
  const tempDir = useTempDirs();
  const hubs: ApiEventHub[] = [];
  afterEach(() => {
    for (const h of hubs.splice(0)) h.close();
  });

  /** A device with one replica folder "r1", and a backend whose replica reports `status`. */
  async function setup(status: ReplicaStatus | undefined, failure?: string, paused = false) {
    const base = tempDir('views');
    await initDevice(path.join(base, 'state'), { name: 'v' });
    const state = DeviceState.open(path.join(base, 'state'));
    state.addPeer(ID);
    state.addFolder({ path: path.join(base, 'r'), role: 'replica', id: 'r1', upstreams: [ID] });
    const replica =
      status &&
      ({ status: () => status, log: { version: () => undefined } } as unknown as ReplicaFolder);
    const backend: ControlBackend = {
      state,
      startedAt: 0,
      listenPort: 0,
      folder: () => undefined,
      replica: () => replica,
      failures: () => new Map(failure ? [['r1', failure]] : []),
      replicaStates: () => [],
      twoPhaseStatus: () => undefined,
      peerStatus: () => [],
      openNewFolders: () => Promise.resolve(),
      peersChanged: () => undefined,
      applySettings: () => false,
      isPaused: () => paused,
      pausedChanged: () => undefined,
    };
    const hub = new ApiEventHub(silentLogger);
    hubs.push(hub);
    return {
      ctx: {
        backend,
        hub,
        lags: new LagCache(),
        sightings: new ReplicaSightings(),
        resolutions: new Resolutions(),
        listenAtStart: state.device.listen,
      },
      config: state.folder('r1'),
    };
  }

  it.each<[string, Partial<ReplicaStatus>, string]>([
    ['in sync', {}, 'in-sync'],
    ['behind', { upstreamVersion: 8 }, 'behind'],
    ['syncing', { upstreamVersion: 8, syncing: true }, 'syncing'],
    ['offline', { connected: false }, 'offline'],
    ['failing', { lastError: 'disk full', connected: false }, 'error'],
  ])('shows a replica that is %s', async (_name, change, expected) => {
    const { ctx, config } = await setup({ ...idle, ...change });
    const s = folderSummary(ctx, config);
    expect(s.state).toBe(expected);
    expect(s.lag?.versions).toBe(Math.max(0, (change.upstreamVersion ?? 5) - 5));
    expect(s.lag?.files).toBeNull();
    expect(s.error).toBe(change.lastError ?? null);
  });

  it('shows a paused replica as paused, not offline, with how far behind it is', async () => {
    const { ctx, config } = await setup(
      { ...idle, connected: false, upstreamVersion: 9 },
      undefined,
      true,
    );
    const s = folderSummary(ctx, config);
    expect(s).toMatchObject({ state: 'paused', paused: true, error: null });
    expect(s.lag?.versions).toBe(4);
  });

  it('shows a folder that could not be opened, and refuses its log with 503', async () => {
    const { ctx, config } = await setup(undefined, 'folder missing');
    expect(folderSummary(ctx, config)).toMatchObject({
      state: 'error',
      error: 'folder missing',
      head: 0,
    });
    expect(() => openLog(ctx.backend, 'r1')).toThrow(/not open: folder missing/);
    expect(() => openLog(ctx.backend, 'nope')).toThrow(/No folder with ID "nope"/);
  });

  it('measures lag by the scope between two versions, and caches it', () => {
    const log = new VersionLog(path.join(tempDir('lag'), 'log.db'));
    try {
      log.commit(HEADER, [entry('d', 'dir', 0), entry('d/a', 'file', 100), entry('b', 'file', 7)]);
      log.commit(HEADER, [entry('d/a', 'file', 150)]);
      log.commit(HEADER, [entry('b', 'none', 0), entry('l', 'symlink', 1), entry('c', 'file', 5)]);
      const lags = new LagCache();
      expect(lags.lag('f', log, 0, 3)).toEqual({ versions: 3, files: 3, bytes: 155 });
      expect(lags.lag('f', log, 1, 3)).toEqual({ versions: 2, files: 4, bytes: 155 });
      expect(lags.lag('f', log, 2, 3)).toEqual({ versions: 1, files: 3, bytes: 5 });
      expect(lags.lag('f', log, 3, 3)).toEqual({ versions: 0, files: 0, bytes: 0 });
      expect(lags.lag('f', log, 1, 3)).toBe(lags.lag('f', log, 1, 3));
    } finally {
      log.close();
    }
  });
});
