/** A replica's disk (log, index, journal) in temp directories, and entries for content given as bytes. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { digestFile } from '../../../../main/engine/chunker.js';
import type { Entry, NewEntry } from '../../../../main/engine/entry.js';
import { silentLogger } from '../../../../main/engine/logger.js';
import type { ReplicaDisk } from '../../../../main/engine/replica/apply.js';
import { LocalChunks } from '../../../../main/engine/replica/local-chunks.js';
import type { StageSources } from '../../../../main/engine/replica/staging.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import { VersionLog } from '../../../../main/engine/store/version-log.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

/**
 * Registers the hooks of a describe block that makes replica disks: each test's disks get
 * temp directories, and their logs are closed after the test. Returns the maker.
 */
export function useDisks(): () => ReplicaDisk & { log: VersionLog } {
  const tempDir = useTempDirs();
  const logs: VersionLog[] = [];
  afterEach(() => {
    for (const l of logs.splice(0)) l.close();
  });
  return () => {
    const disk = makeDisk(tempDir);
    logs.push(disk.log);
    return disk;
  };
}

function makeDisk(tempDir: (label?: string) => string): ReplicaDisk & { log: VersionLog } {
  const root = tempDir('replica');
  const data = tempDir('replica-data');
  return {
    root,
    journalFile: path.join(data, 'apply-journal.json'),
    deviceId: 'R'.repeat(52),
    log: new VersionLog(path.join(data, 'log.db')),
    index: new Map<string, Entry>(),
    logger: silentLogger,
    now: () => 1_700_000_000_000,
    sameContent: () => false,
  };
}

/** A file entry for `data` (chunked as the master would), and the bytes keyed by hash for inline use. */
export async function fileEntry(
  rel: string,
  data: Buffer,
  mode = 0o644,
  mtimeMs = 1_600_000_000_000,
): Promise<NewEntry> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lf-entry-'));
  const f = path.join(dir, 'f');
  writeFileSync(f, data);
  const d = await digestFile(f);
  return {
    path: toRelPath(rel),
    op: 'add',
    kind: 'file',
    size: d.size,
    mtimeMs,
    mode,
    ino: 0,
    hash: d.hash,
    target: null,
    chunks: d.chunks,
    movedFrom: null,
  };
}

export function dirEntry(rel: string, mode = 0o755): NewEntry {
  return {
    path: toRelPath(rel),
    op: 'add',
    kind: 'dir',
    size: 0,
    mtimeMs: 0,
    mode,
    ino: 0,
    hash: null,
    target: null,
    chunks: null,
    movedFrom: null,
  };
}

export function inlineSources(
  root: string,
  inline: Map<string, Buffer>,
  version = 1,
): StageSources {
  mkdirSync(root, { recursive: true });
  return {
    version,
    local: new LocalChunks(root),
    inline,
    texts: new Map(),
    currentContent: () => undefined,
    fetcher: undefined,
  };
}
