/** The records of the version log: what one path is at one version, and one version's header. */
import type { ChunkList } from './chunk-list.js';
import type { RelPath } from './relpath.js';

/** What a path holds. `none` marks a deletion in the log. */
export type EntryKind = 'file' | 'dir' | 'symlink' | 'none';

/** How a path changed in a version relative to the version before. */
export type EntryOp = 'add' | 'modify' | 'delete' | 'move' | 'meta';

/** Observed metadata of one path, as the scanner reads it from disk. */
export interface PathStat {
  readonly path: RelPath;
  readonly kind: Exclude<EntryKind, 'none'>;
  readonly size: number;
  readonly mtimeMs: number;
  /** Permission bits only (mode & 0o7777). */
  readonly mode: number;
  /** Local inode number; used to skip unchanged files and to detect renames. */
  readonly ino: number;
  /** Symlink target, recorded as-is and never followed. */
  readonly target: string | null;
}

/** One path at one version: the row of `entries`. */
export interface Entry {
  readonly path: RelPath;
  readonly seq: number;
  readonly op: EntryOp;
  readonly kind: EntryKind;
  readonly size: number;
  readonly mtimeMs: number;
  readonly mode: number;
  readonly ino: number;
  /** Content hash (ChunkList.rootHash) of a file; null otherwise. */
  readonly hash: string | null;
  readonly target: string | null;
  /** Chunks of a file; null otherwise. Loaded only where asked for. */
  readonly chunks: ChunkList | null;
  /** For op `move`: the path this content came from in the same version. */
  readonly movedFrom: RelPath | null;
}

/** An entry about to be written; its `seq` is assigned by the log. */
export type NewEntry = Omit<Entry, 'seq'>;

export type CommitMethod = 'scan' | '1pc' | '2pc';

/** A version's header: the row of `versions`. */
export interface VersionInfo {
  readonly seq: number;
  readonly epoch: number;
  readonly createdAt: number;
  readonly method: CommitMethod;
  /** Why this method was chosen, in words (claim 31's decision, recorded). */
  readonly reason: string;
  /** What produced it: the first scan, a rescan, a watcher batch, a restore, or a replica apply. */
  readonly origin: 'initial-scan' | 'rescan' | 'watch' | 'restore' | 'apply';
  readonly changes: number;
  /** Bytes of new file content this version introduced. */
  readonly bytes: number;
}

export type NewVersion = Omit<VersionInfo, 'seq' | 'changes' | 'bytes'>;
