import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkList } from '../../../../main/engine/chunk-list.js';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { NewVersion } from '../../../../main/engine/entry.js';
import { silentLogger } from '../../../../main/engine/logger.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import { relayHop } from '../../../../main/engine/replication/hop.js';
import { FolderPublisher } from '../../../../main/engine/replication/publisher.js';
import { VersionLog } from '../../../../main/engine/store/version-log.js';
import { memoryLinkPair } from '../../../../main/protocol/link.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const HEADER: NewVersion = {
  epoch: 1,
  createdAt: 1_700_000_000_000,
  method: 'scan',
  reason: 'first scan of the folder',
  origin: 'initial-scan',
};

describe('FolderPublisher and background work', () => {
  const tempDir = useTempDirs();
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const c of closers.splice(0)) c();
  });

  it('defers background work while a subscribed replica has not acknowledged the head', () => {
    const log = new VersionLog(path.join(tempDir('data'), 'log.db'));
    const chunks = ChunkList.fromChunks([{ hash: Buffer.alloc(32, 1), fast: 1n, size: 10 }]);
    log.commit(HEADER, [
      {
        path: toRelPath('a.txt'),
        op: 'add',
        kind: 'file',
        size: 10,
        mtimeMs: 1,
        mode: 0o644,
        ino: 0,
        hash: chunks.rootHash(),
        target: null,
        chunks,
        movedFrom: null,
      },
    ]);
    const clock = new ManualClock(0);
    const deferred: number[] = [];
    const pub = new FolderPublisher({
      folder: {
        id: 'f',
        root: tempDir('root'),
        log,
        content: { get: () => undefined },
        head: () => log.head(),
        deferBackgroundWork: (ms) => deferred.push(ms),
      },
      hop: relayHop(
        () => false,
        () => ({ commitMode: 'one-phase', twoPhasePolicy: 'all' }),
      ),
      isShared: () => true,
      clock,
      logger: silentLogger,
      heartbeatMs: 10_000,
      windowVersions: 8,
    });
    closers.push(
      () => pub.close(),
      () => log.close(),
    );
    const [, masterSide] = memoryLinkPair(
      { deviceId: 'R', name: 'replica' },
      { deviceId: 'M', name: 'master' },
    );
    pub.onVersion(log.version(1)!); // released (one-phase)
    pub.handle(masterSide, { t: 'subscribe', folder: 'f', have: 0 });
    expect(deferred.length).toBeGreaterThan(0);
    // Each deferral lasts past the next heartbeat, which defers again while the replica lags.
    const first = deferred.length;
    clock.advance(deferred[0]!);
    expect(deferred.length).toBeGreaterThan(first);
    // Caught up: heartbeats go on at the steady period and no longer hold background work.
    pub.handle(masterSide, { t: 'ack', folder: 'f', version: 1 });
    const caughtUp = deferred.length;
    clock.advance(30_000);
    expect(deferred.length).toBe(caughtUp);
  });
});
