/**
 * Driving a MasterFolder in-process (faster than a daemon): open one on a temp folder with
 * the watcher on, wait until what it recorded equals the disk, and read its versions.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Entry, VersionInfo } from '../../main/engine/entry.js';
import { DEFAULT_FOLDER_SETTINGS, type FolderSettings } from '../../main/engine/folder-settings.js';
import { IgnoreRules } from '../../main/engine/ignore-rules.js';
import { MasterFolder, type StartHooks } from '../../main/engine/master-folder.js';
import { HashCache, snapshotFolder, stateDifferences, stateOfEntries } from './folder-state.js';
import { makeTempDir } from './temp.js';
import { waitFor } from './wait.js';

const open = new Set<MasterFolder>();

export interface WatchedFolder {
  readonly root: string;
  readonly dataDir: string;
  readonly folder: MasterFolder;
  /** Every version recorded since it was opened, in order. */
  readonly versions: VersionInfo[];
}

/** A fresh temp folder (and data dir), optionally populated before the folder is opened. */
export function makeFolderDirs(): { root: string; dataDir: string } {
  const base = makeTempDir();
  const root = path.join(base, 'folder');
  const dataDir = path.join(base, 'data');
  mkdirSync(root);
  return { root, dataDir };
}

/** Opens a MasterFolder on `root` and starts it (watcher on, first scan done). */
export async function openWatched(
  dirs: { root: string; dataDir: string },
  options: {
    watch?: boolean;
    settings?: Partial<FolderSettings>;
    startHooks?: StartHooks;
    /** Called with the folder before it is started (to reach it from start hooks). */
    onOpen?: (w: WatchedFolder) => void;
  } = {},
): Promise<WatchedFolder> {
  const versions: VersionInfo[] = [];
  const folder = new MasterFolder({
    id: 'test',
    root: dirs.root,
    dataDir: dirs.dataDir,
    settings: { ...DEFAULT_FOLDER_SETTINGS, ...options.settings },
    onVersion: (v) => versions.push(v),
    ...(options.startHooks ? { startHooks: options.startHooks } : {}),
  });
  open.add(folder);
  const w = { ...dirs, folder, versions };
  options.onOpen?.(w);
  await folder.start({ watch: options.watch ?? true });
  return w;
}

export async function closeWatched(w: WatchedFolder): Promise<void> {
  open.delete(w.folder);
  await w.folder.close();
}

/** Closes every folder still open (call in afterEach). */
export async function closeAllWatched(): Promise<void> {
  const all = [...open];
  open.clear();
  await Promise.all(all.map((f) => f.close()));
}

/**
 * Waits until the folder has recorded a version after `after` and its state at the head
 * equals the disk (ignore rules applied). Returns the head. Nothing on disk may change meanwhile.
 */
export async function settle(
  w: WatchedFolder,
  after: number,
  options: { timeoutMs?: number; cache?: HashCache; what?: string } = {},
): Promise<number> {
  const disk = await snapshotFolder(w.root, IgnoreRules.load(w.root), options.cache);
  const log = w.folder.log;
  let lastDiff: string[] = [];
  try {
    return await waitFor(
      () => {
        const head = log.head();
        if (head <= after) return false;
        lastDiff = stateDifferences(disk, stateOfEntries(log.stateAt(head)));
        return lastDiff.length === 0 && head;
      },
      { timeoutMs: options.timeoutMs ?? 20_000, what: options.what ?? 'the change to be recorded' },
    );
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nhead ${log.head()}, differences:\n${lastDiff.join('\n')}\n${describeVersions(w, after)}`,
      { cause: err },
    );
  }
}

/** The entries of the versions after `after`, in version order. */
export function entriesSince(w: WatchedFolder, after: number): Entry[] {
  const out: Entry[] = [];
  for (let seq = after + 1; seq <= w.folder.log.head(); seq++)
    out.push(...w.folder.log.operations(seq));
  return out;
}

/** [op, path, movedFrom?] of entries, sorted: a compact form to compare in assertions. */
export function opsOf(entries: readonly Entry[]): string[] {
  return entries
    .map((e) => `${e.op} ${e.path}${e.movedFrom !== null ? ` <- ${e.movedFrom}` : ''}`)
    .sort();
}

export function describeVersions(w: WatchedFolder, after: number): string {
  const lines: string[] = [];
  for (let seq = after + 1; seq <= w.folder.log.head(); seq++) {
    const v = w.folder.log.version(seq);
    lines.push(`v${seq} ${v?.origin} ${v?.method} (${v?.reason}):`);
    for (const e of w.folder.log.operations(seq))
      lines.push(`  ${e.op} ${e.kind} ${e.path}${e.movedFrom ? ` <- ${e.movedFrom}` : ''}`);
  }
  return lines.join('\n');
}
