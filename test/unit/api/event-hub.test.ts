import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent, Status } from '../../../main/api/contract.js';
import { ApiEventHub } from '../../../main/daemon/api/event-hub.js';
import { silentLogger } from '../../../main/engine/logger.js';

const version = {
  seq: 2,
  epoch: 1,
  createdAt: 5,
  method: '1pc',
  reason: 'one file changed',
  origin: 'watch',
  changes: 1,
  bytes: 3,
} as const;

function statusWith(name: string): Status {
  return {
    apiVersion: 1,
    device: { id: 'D', name, listen: '0.0.0.0:1', listening: '0.0.0.0:1', restartNeeded: false },
    daemon: { pid: 1, version: '0.1.0', startedAt: 0 },
    folders: [],
    peers: [],
  };
}

describe('ApiEventHub', () => {
  let now = 0;
  let hub: ApiEventHub;
  let got: ApiEvent[];
  let texts: string[];

  beforeEach(() => {
    vi.useFakeTimers();
    now = 1_000_000;
    hub = new ApiEventHub(silentLogger, () => now);
    got = [];
    texts = [];
  });

  afterEach(() => {
    hub.close();
    vi.useRealTimers();
  });

  const listen = () =>
    hub.subscribe((text, e) => {
      texts.push(text);
      got.push(e);
    });

  it('sends versions, peers, conflicts and folder errors as they happen, as JSON', () => {
    listen();
    hub.onVersion('f1', version);
    hub.onPeer('DEV', 'nas', true);
    hub.onConflict('f1', 'a.txt', 'a.conflict.txt');
    hub.onFolderError('f2', 'missing');
    expect(got.map((e) => e.type)).toEqual(['version', 'peer', 'conflict', 'folder-error']);
    expect(JSON.parse(texts[0]!)).toEqual({ type: 'version', folder: 'f1', version });
  });

  it('stops sending to a listener that unsubscribed', () => {
    const off = listen();
    off();
    hub.onVersion('f1', version);
    expect(got).toEqual([]);
    expect(hub.listenerCount).toBe(0);
  });

  it('coalesces progress to one event per folder every 200 ms, with a rate', () => {
    listen();
    hub.onProgress('f1', { phase: 'hashing', files: 1, totalFiles: 4, bytes: 0, totalBytes: 4000 });
    now += 500;
    hub.onProgress('f1', {
      phase: 'hashing',
      files: 2,
      totalFiles: 4,
      bytes: 1000,
      totalBytes: 4000,
    });
    now += 500;
    hub.onProgress('f1', {
      phase: 'hashing',
      files: 3,
      totalFiles: 4,
      bytes: 2000,
      totalBytes: 4000,
    });
    expect(got).toEqual([]);
    vi.advanceTimersByTime(200);
    expect(got).toEqual([
      {
        type: 'progress',
        folder: 'f1',
        progress: {
          phase: 'hashing',
          filesDone: 3,
          filesTotal: 4,
          bytesDone: 2000,
          bytesTotal: 4000,
          bytesPerSecond: 2000,
        },
      },
    ]);
  });

  it('keeps the latest progress for status until a version or 3 s of silence', () => {
    hub.onTransfer('f1', { bytes: 10, files: 2, totalFiles: 2 });
    expect(hub.progressOf('f1')).toMatchObject({
      phase: 'fetching',
      filesDone: null,
      bytesDone: 10,
    });
    hub.onVersion('f1', version);
    expect(hub.progressOf('f1')).toBeNull();
    hub.onProgress('f2', { phase: 'walking', files: 9, totalFiles: 0, bytes: 0, totalBytes: 0 });
    expect(hub.progressOf('f2')).toMatchObject({
      filesDone: 9,
      filesTotal: null,
      bytesTotal: null,
    });
    now += 3001;
    expect(hub.progressOf('f2')).toBeNull();
  });

  it('sends the status each second while it changes, and at least every 5 s', () => {
    let name = 'a';
    hub.setSnapshotSource(() => statusWith(name));
    listen();
    const tick = () => {
      now += 1000;
      vi.advanceTimersByTime(1000);
    };
    tick();
    expect(got).toHaveLength(1);
    tick();
    tick();
    expect(got).toHaveLength(1); // unchanged
    name = 'b';
    tick();
    expect(got).toHaveLength(2);
    for (let i = 0; i < 4; i++) tick();
    expect(got).toHaveLength(2);
    tick();
    expect(got).toHaveLength(3); // 5 s after the last one
    expect(got.every((e) => e.type === 'status')).toBe(true);
  });

  it('makes no snapshots while nobody listens', () => {
    const source = vi.fn(() => statusWith('a'));
    hub.setSnapshotSource(source);
    vi.advanceTimersByTime(5000);
    expect(source).not.toHaveBeenCalled();
    const off = listen();
    vi.advanceTimersByTime(1000);
    expect(source).toHaveBeenCalledTimes(1);
    off();
    vi.advanceTimersByTime(5000);
    expect(source).toHaveBeenCalledTimes(1);
  });
});
