/**
 * The deletion guard (claim-level safety, issue 4 item 6): a change that deletes more than
 * a fraction of the folder's files (default half; deleting everything always counts; at
 * least MIN_HELD_DELETIONS files; a ratio of 1, `off`, disables it) is held on the master until a person approves or rejects it.
 * Pure over the log: it counts the files that exist at `prior` and are gone at `to`.
 */
import type { RelPath } from '../relpath.js';
import type { VersionLog } from '../store/version-log.js';

export interface DeletionCount {
  /** Files (and symlinks) at the prior version. */
  readonly before: number;
  /** Of those, how many the range deletes. */
  readonly deleted: number;
}

/**
 * Files at `prior` deleted by (prior, to]. A path that moved (it, or a directory above it,
 * is the `movedFrom` of an entry of the range) is renamed, not deleted.
 */
export function countDeletions(log: VersionLog, prior: number, to: number): DeletionCount {
  const deleted = deletedBetween(log, prior, to);
  return deleted === 0 ? { before: 0, deleted: 0 } : { before: log.countFilesAt(prior), deleted };
}

/** How many files at `prior` the range deletes (moves excluded); reads only the range. */
function deletedBetween(log: VersionLog, prior: number, to: number): number {
  // Nothing exists at version 0: a first scan deletes nothing (and its scope is the whole folder).
  if (prior === 0) return 0;
  const scope = log.scope(prior, to);
  const movedFrom = new Set(scope.flatMap((e) => (e.movedFrom ? [e.movedFrom] : [])));
  const moved = (p: string): boolean => {
    for (let q: string | undefined = p; q !== undefined;) {
      if (movedFrom.has(q as RelPath)) return true;
      const slash = q.lastIndexOf('/');
      q = slash < 0 ? undefined : q.slice(0, slash);
    }
    return false;
  };
  let deleted = 0;
  for (const e of scope) {
    if (e.kind !== 'none' || moved(e.path)) continue;
    const was = log.entryAt(e.path, prior);
    if (was && was.kind !== 'none' && was.kind !== 'dir') deleted++;
  }
  return deleted;
}

/**
 * Fewer deletions than this are never held, whatever the share: removing the two files of a
 * new folder is not a mass deletion. (An unmounted disk never reaches the guard: the master
 * refuses to record a folder whose root vanished.)
 */
export const MIN_HELD_DELETIONS = 5;

/** Why (prior, to] must be held, or undefined when it deletes no more than `ratio` of the files. */
export function massDeletion(
  log: VersionLog,
  prior: number,
  to: number,
  ratio: number,
): string | undefined {
  if (ratio >= 1) return undefined; // the guard is off
  // Judged on every release: the folder's size is counted only when enough files go.
  const deleted = deletedBetween(log, prior, to);
  if (deleted < MIN_HELD_DELETIONS) return undefined;
  const before = log.countFilesAt(prior);
  if (before === 0) return undefined;
  if (deleted / before <= ratio && deleted < before) return undefined;
  return `deletes ${deleted} of ${before} files (${Math.round((100 * deleted) / before)}%, more than ${Math.round(ratio * 100)}%)`;
}

/** The paths of files and symlinks at `prior` that (prior, to] deletes. */
export function deletedPaths(log: VersionLog, prior: number, to: number): string[] {
  const out: string[] = [];
  for (const e of log.scope(prior, to)) {
    if (e.kind !== 'none') continue;
    const was = log.entryAt(e.path, prior);
    if (was && was.kind !== 'none') out.push(e.path);
  }
  return out;
}
