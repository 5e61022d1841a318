import { describe, expect, it } from 'vitest';
import type { ReplicaLag, SyncState } from '../src/api/types';
import {
  folderStateWords,
  lagSentence,
  replicaWords,
  shownState,
  stateWords,
} from '../src/model/sync-state';

function replica(change: Partial<ReplicaLag>): ReplicaLag {
  return {
    deviceId: 'D'.repeat(52),
    name: 'desk',
    connected: true,
    version: 10,
    connectedAt: 1,
    lag: { versions: 0, files: 0, bytes: 0 },
    ...change,
  };
}

describe('lagSentence', () => {
  it('says exactly how far behind, in versions, files and bytes', () => {
    expect(lagSentence(1234, 1240, { versions: 6, files: 3, bytes: 1_200_000 })).toBe(
      'v1,234 of 1,240: 6 versions, 3 files, 1.2 MB behind',
    );
  });

  it('leaves out what only the master knows', () => {
    expect(lagSentence(7, 8, { versions: 1, files: null, bytes: null })).toBe(
      'v7 of 8: 1 version behind',
    );
  });

  it('says up to date when there is no lag', () => {
    expect(lagSentence(1240, 1240, { versions: 0, files: 0, bytes: 0 })).toBe('v1,240: up to date');
  });
});

describe('replicaWords', () => {
  it.each<[string, Partial<ReplicaLag>, string, string]>([
    ['in sync', {}, 'In sync', 'v10: up to date'],
    [
      'behind',
      { version: 4, lag: { versions: 6, files: 2, bytes: 2048 } },
      'Behind',
      'v4 of 10: 6 versions, 2 files, 2.0 kB behind',
    ],
    [
      'behind, lag not computed yet',
      { version: 8, lag: null },
      'Behind',
      'v8 of 10: 2 versions behind',
    ],
    [
      'connecting',
      { version: null, lag: null },
      'Connecting',
      'Connected, not yet reporting its version',
    ],
    [
      'offline, in sync when last seen',
      { connected: false, version: 10 },
      'Offline',
      'Last seen at v10, in sync then',
    ],
    [
      'offline and behind since',
      { connected: false, version: 9, lag: { versions: 1, files: 1, bytes: 37 } },
      'Offline',
      'Last seen at v9 of 10: 1 version, 1 file, 37 B behind',
    ],
    [
      'offline, never seen',
      { connected: false, version: null, lag: null },
      'Offline',
      'Not connected; it catches up when it comes back',
    ],
  ])('describes a replica that is %s', (_name, change, label, detail) => {
    const w = replicaWords(replica(change), 10);
    expect(w.label).toBe(label);
    expect(w.detail).toBe(detail);
  });
});

describe('shownState', () => {
  it('shows the daemon state while connected, and Unknown when not', () => {
    const f = (state: SyncState) => ({ state, role: 'replica' as const, replicasOffline: 0 });
    expect(shownState(f('paused'), true)).toEqual({ label: 'Paused', tone: 'idle' });
    expect(shownState(f('in-sync'), false).label).toBe('Unknown');
    expect(Object.keys(stateWords).sort()).toEqual(
      ['behind', 'error', 'in-sync', 'offline', 'paused', 'syncing'].sort(),
    );
  });
});

describe('folderStateWords', () => {
  it('says how many replicas are offline for a master none of whose replicas is connected', () => {
    const master = (state: SyncState, replicasOffline: number) => ({
      state,
      role: 'master' as const,
      replicasOffline,
    });
    expect(folderStateWords(master('offline', 1)).label).toBe('1 replica offline');
    expect(folderStateWords(master('offline', 3)).label).toBe('3 replicas offline');
    // One of two offline, the other in sync: the folder is in sync.
    expect(folderStateWords(master('in-sync', 1)).label).toBe('In sync');
    expect(folderStateWords({ ...master('offline', 0), role: 'replica' }).label).toBe('Offline');
  });
});
