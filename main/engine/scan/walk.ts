/**
 * Reads what is on disk: the metadata of every path below a folder (or below some roots in
 * it), skipping ignored paths. Symlinks are recorded with their target, never followed.
 */
import { lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { PathStat } from '../entry.js';
import { errnoCode, LanfoldError } from '../errors.js';
import type { IgnoreRules } from '../ignore-rules.js';
import { isRelPath, resolveIn, type RelPath } from '../relpath.js';

export interface WalkProgress {
  (seen: number): void;
}

/** The PathStat of one path from an lstat, or undefined for kinds Lanfold does not sync. */
export function statToPathStat(rel: RelPath, st: Stats, full: string): PathStat | undefined {
  // Object literals of one shape, without spreads: the walk makes one per path.
  const mode = st.mode & 0o7777;
  if (st.isFile())
    return {
      path: rel,
      kind: 'file',
      size: st.size,
      mtimeMs: st.mtimeMs,
      mode,
      ino: st.ino,
      target: null,
    };
  if (st.isDirectory())
    return { path: rel, kind: 'dir', size: 0, mtimeMs: 0, mode, ino: st.ino, target: null };
  if (st.isSymbolicLink()) {
    const target = readlinkSync(full);
    return { path: rel, kind: 'symlink', size: 0, mtimeMs: st.mtimeMs, mode, ino: st.ino, target };
  }
  return undefined; // sockets, FIFOs, devices
}

/** lstat of one folder-relative path, or undefined when it does not exist (or is not syncable). */
export function statPath(root: string, rel: RelPath): PathStat | undefined {
  const full = resolveIn(root, rel);
  try {
    return statToPathStat(rel, lstatSync(full), full);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Walks below `start` (a directory; undefined for the folder root) and returns every
 * non-ignored path under it, sorted by path. Yields to the event loop between directories
 * so that a huge tree does not block the daemon. Entries whose names are not valid
 * RelPaths (for example with control characters) are reported through `onSkip`.
 *
 * A directory that cannot be listed (EACCES, EPERM) is reported through `onUnreadable` and
 * its content left out (the caller must not take that content as deleted); without
 * `onUnreadable` it fails the walk with a clear FOLDER_UNREADABLE error.
 */
export async function walk(
  root: string,
  rules: IgnoreRules,
  start?: RelPath,
  onProgress?: WalkProgress,
  onSkip?: (name: string, why: string) => void,
  onUnreadable?: (dir: RelPath, code: string) => void,
): Promise<PathStat[]> {
  const out: PathStat[] = [];
  const pending: (RelPath | undefined)[] = [start];
  let visited = 0;
  while (pending.length > 0) {
    const dir = pending.pop();
    const full = dir === undefined ? root : resolveIn(root, dir);
    const prefix = full.endsWith(path.sep) ? full : full + path.sep;
    let names: string[];
    try {
      names = readdirSync(full);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // vanished while walking
      if (code === 'EACCES' || code === 'EPERM') {
        if (onUnreadable && dir !== undefined) {
          onUnreadable(dir, code);
          continue;
        }
        throw new LanfoldError(
          'FOLDER_UNREADABLE',
          `Cannot list ${full}: ${code}`,
          'give this user read permission on it, or list it in .lanfoldignore',
          { cause: err },
        );
      }
      throw err;
    }
    for (const name of names) {
      const relRaw = dir === undefined ? name : `${dir}/${name}`;
      if (!isRelPath(relRaw)) {
        onSkip?.(relRaw, 'not a valid path name');
        continue;
      }
      const childFull = prefix + name; // a name from readdir holds no separator
      let st: Stats;
      try {
        st = lstatSync(childFull);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      if (rules.ignores(relRaw, st.isDirectory())) continue;
      let ps: PathStat | undefined;
      try {
        ps = statToPathStat(relRaw, st, childFull);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      if (!ps) {
        onSkip?.(relRaw, 'not a file, directory or symlink');
        continue;
      }
      out.push(ps);
      if (ps.kind === 'dir') pending.push(relRaw);
    }
    visited++;
    if (visited % 64 === 0) {
      onProgress?.(out.length);
      await yieldToLoop();
    }
  }
  onProgress?.(out.length);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
