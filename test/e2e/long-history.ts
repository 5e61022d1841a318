/**
 * A master folder with a long history, for testing that the history screen stays fast: a
 * device whose version log already holds `count` versions when its daemon starts. The
 * first version goes through VersionLog (which creates the schema); the rest are written in
 * one SQLite transaction, because committing 10,000 versions one by one (each synced to
 * disk) takes most of a minute. Each version changes one of 100 directories.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { VersionLog } from '../../main/engine/store/version-log.js';
import type { RelPath } from '../../main/engine/relpath.js';
import { clusterCli } from '../helpers/cluster.js';
import { makeTempDir } from '../helpers/temp.js';

export interface LongHistoryDevice {
  readonly state: string;
  readonly folder: string;
  readonly folderId: string;
}

const DIRS = 100;

function dirOf(i: number): string {
  return `projects/p${String(i % DIRS).padStart(2, '0')}`;
}

export async function longHistoryDevice(count: number): Promise<LongHistoryDevice> {
  const base = makeTempDir('lanfold-long-history-');
  const state = path.join(base, 'state');
  const folder = path.join(base, 'folder');
  const folderId = 'archive';
  for (let i = 0; i < DIRS; i++)
    mkdirSync(path.join(folder, dirOf(i)), { recursive: true, mode: 0o755 });
  await clusterCli(state, [
    'init',
    '--name',
    'archive-box',
    '--listen',
    '127.0.0.1:0',
    '--gui',
    '127.0.0.1:0',
  ]);
  await clusterCli(state, ['folder', 'add', folder, '--master', '--id', folderId]);

  const file = path.join(state, 'folders', folderId, 'log.db');
  mkdirSync(path.dirname(file), { recursive: true });
  const start = Date.now() - count * 60_000;
  const log = new VersionLog(file);
  log.commit(
    {
      epoch: 0,
      createdAt: start,
      method: 'scan',
      reason: 'first scan of the folder',
      origin: 'initial-scan',
    },
    [
      {
        path: 'projects' as RelPath,
        op: 'add',
        kind: 'dir',
        size: 0,
        mtimeMs: start,
        mode: 0o755,
        ino: 0,
        hash: null,
        target: null,
        chunks: null,
        movedFrom: null,
      },
    ],
  );
  log.close();

  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const version = db.prepare(
    `INSERT INTO versions (seq, epoch, created_at, method, reason, origin, changes, bytes)
     VALUES (?, 0, ?, ?, ?, 'watch', 1, 0)`,
  );
  const entry = db.prepare(
    `INSERT INTO entries (path, seq, op, kind, size, mtime_ms, mode, ino, hash, target, chunks, moved_from)
     VALUES (?, ?, ?, 'dir', 0, ?, ?, 0, NULL, NULL, NULL, NULL)`,
  );
  db.transaction(() => {
    for (let seq = 2; seq <= count; seq++) {
      const at = start + seq * 60_000;
      const twoPhase = seq % 9 === 0;
      version.run(
        seq,
        at,
        twoPhase ? '2pc' : '1pc',
        twoPhase ? 'several files changed together' : 'one file changed',
      );
      entry.run(dirOf(seq), seq, seq <= DIRS + 1 ? 'add' : 'meta', at, 0o755);
    }
  })();
  db.close();
  return { state, folder, folderId };
}
