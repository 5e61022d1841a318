import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FolderSummary, Status } from '../../../main/api/contract.js';
import { trayState, UNREACHABLE } from '../../../main/electron/tray-state.js';
import { watchTrayStatus } from '../../../main/electron/tray-status.js';

function folder(id: string, state: FolderSummary['state'], paused = false): FolderSummary {
  return {
    id,
    role: 'master',
    path: `/f/${id}`,
    head: 1,
    lastChange: null,
    state: paused ? 'paused' : state,
    lag: null,
    progress: null,
    error: null,
    paused,
    replicasOffline: 0,
  };
}

function status(folders: FolderSummary[]): Status {
  return {
    apiVersion: 1,
    device: {
      id: 'D',
      name: 'desk',
      listen: '0.0.0.0:1',
      listening: '0.0.0.0:1',
      restartNeeded: false,
    },
    daemon: { pid: 1, version: '0', startedAt: 0 },
    folders,
    peers: [],
  };
}

describe('trayState', () => {
  it.each<[string, FolderSummary[], string, boolean, boolean]>([
    ['no folders', [], 'No folders yet', false, false],
    ['one folder in sync', [folder('a', 'in-sync')], 'In sync', true, false],
    [
      'two in sync',
      [folder('a', 'in-sync'), folder('b', 'in-sync')],
      'All 2 folders in sync',
      true,
      false,
    ],
    [
      'one syncing',
      [folder('a', 'syncing'), folder('b', 'in-sync')],
      'Syncing 1 of 2 folders',
      true,
      false,
    ],
    [
      'one failing',
      [folder('a', 'error'), folder('b', 'syncing')],
      '1 folder with a problem',
      true,
      false,
    ],
    ['one offline', [folder('a', 'offline')], '1 folder waiting for a device', true, false],
    [
      'all paused',
      [folder('a', 'in-sync', true), folder('b', 'in-sync', true)],
      'Paused (2 folders)',
      false,
      true,
    ],
    [
      'some paused',
      [folder('a', 'in-sync'), folder('b', 'in-sync', true)],
      'In sync, 1 paused',
      true,
      true,
    ],
  ])('with %s', (_name, folders, summary, canPause, canResume) => {
    expect(trayState(status(folders))).toEqual({ summary, canPause, canResume });
  });
});

describe('watchTrayStatus', () => {
  afterEach(() => vi.useRealTimers());

  it('shows the status at once and every period, and "not answering" when a call fails', async () => {
    vi.useFakeTimers();
    const answers = [
      () => Promise.resolve(status([folder('a', 'in-sync')])),
      () => Promise.reject(new Error('ECONNREFUSED')),
    ];
    const client = {
      status: vi.fn(() => (answers.shift() ?? (() => Promise.resolve(status([]))))()),
    };
    const shown: unknown[] = [];
    const watch = watchTrayStatus(client, (s) => shown.push(s), 1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual([{ summary: 'In sync', canPause: true, canResume: false }]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(shown[1]).toEqual(UNREACHABLE);
    watch.refresh();
    await vi.advanceTimersByTimeAsync(0);
    expect(shown[2]).toMatchObject({ summary: 'No folders yet' });
    watch.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(client.status).toHaveBeenCalledTimes(3);
  });
});
