/**
 * Guards for every write a replica makes into its folder: the parent chain of a target
 * path must consist of real directories inside the folder (no symlink may redirect a
 * write outside it), and local files that would be overwritten are detected first.
 */
import { lstatSync, readlinkSync, renameSync, existsSync } from 'node:fs';
import type { Entry } from '../entry.js';
import { errnoCode, LanfoldError } from '../errors.js';
import { parentOf, relPathProblem, resolveIn, type RelPath } from '../relpath.js';

/**
 * Why a write at `rel` below `root` would be unsafe: `rel` is not a valid folder-relative
 * path (a message that skipped validation), or an existing ancestor is not a real directory
 * (a symlink there could redirect the write outside the folder). Undefined when safe.
 */
export function unsafeWrite(root: string, rel: RelPath): string | undefined {
  const problem = relPathProblem(rel);
  if (problem !== undefined) return problem;
  for (let p = parentOf(rel); p !== undefined; p = parentOf(p)) {
    let st;
    try {
      st = lstatSync(resolveIn(root, p));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue;
      throw err;
    }
    if (!st.isDirectory())
      return `${p} is ${st.isSymbolicLink() ? 'a symlink' : 'not a directory'}`;
  }
  return undefined;
}

/** Throws unless `rel` is a valid path whose existing ancestors below `root` are all real directories. */
export function assertSafeParents(root: string, rel: RelPath): void {
  const problem = unsafeWrite(root, rel);
  if (problem !== undefined)
    throw new LanfoldError('BAD_PATH', `Refused to write ${JSON.stringify(rel)}: ${problem}`);
}

/**
 * True when an ancestor of `rel` does not exist and every ancestor above it is a real
 * directory: then nothing exists at `rel`, and no symlink lies on the way to it. What each
 * directory turned out to be is kept in `dirs` (true: a real directory, false: missing) for
 * one pass that only reads the folder — in an apply, the check for local edits before
 * anything is written. The writes that follow check their parents themselves, at write time.
 * False in every other case (all ancestors exist, or one is not a real directory): the
 * caller then looks at the path itself, as before.
 */
export function underMissingDir(root: string, rel: RelPath, dirs: Map<RelPath, boolean>): boolean {
  const ancestors: RelPath[] = [];
  for (let p = parentOf(rel); p !== undefined; p = parentOf(p)) ancestors.push(p);
  for (let i = ancestors.length - 1; i >= 0; i--) {
    const dir = ancestors[i]!;
    let isDir = dirs.get(dir);
    if (isDir === undefined) {
      try {
        if (!lstatSync(resolveIn(root, dir)).isDirectory()) return false;
        isDir = true;
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') return false;
        isDir = false;
      }
      dirs.set(dir, isDir);
    }
    if (!isDir) return true;
  }
  return false;
}

export type LocalState = 'same' | 'missing' | 'changed' | 'unknown';

/**
 * How the disk at `rel` compares with what the replica last applied there (`known`):
 * unchanged, missing, changed locally, or present without the replica having put it there.
 * Throws BAD_PATH when `rel` is invalid or lies below a symlink or a file.
 */
export function localState(
  root: string,
  rel: RelPath,
  known: Entry | undefined,
  sameContent: (rel: RelPath, known: Entry) => boolean,
): LocalState {
  // Never look through a symlinked ancestor: what lies behind it is outside the folder, and
  // the version that names such a path is refused (before anything is written).
  assertSafeParents(root, rel);
  const full = resolveIn(root, rel);
  let st;
  try {
    st = lstatSync(full);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return 'missing';
    throw err;
  }
  if (!known || known.kind === 'none') return st.isDirectory() ? 'same' : 'unknown';
  if (st.isDirectory()) return known.kind === 'dir' ? 'same' : 'changed';
  if (st.isSymbolicLink())
    return known.kind === 'symlink' && readlinkSync(full) === known.target ? 'same' : 'changed';
  if (!st.isFile() || known.kind !== 'file') return 'changed';
  if (st.size === known.size && st.mtimeMs === known.mtimeMs && st.ino === known.ino) return 'same';
  return st.size === known.size && known.hash !== null && sameContent(rel, known)
    ? 'same'
    : 'changed';
}

/** `notes.txt` -> `notes.conflict-ABCD1234-20261126-091500.txt`, made unique in its directory. */
export function conflictName(rel: RelPath, deviceId: string, now: number): RelPath {
  const dir = parentOf(rel);
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [base.slice(0, dot), base.slice(dot)] : [base, ''];
  const d = new Date(now);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}-${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  const name = `${stem}.conflict-${deviceId.slice(0, 8)}-${stamp}${ext}`;
  return (dir ? `${dir}/${name}` : name) as RelPath;
}

/** Moves a local file aside under a conflict name; returns the name used. */
export function keepAsConflict(root: string, rel: RelPath, deviceId: string, now: number): RelPath {
  // The rename must not reach through a symlinked ancestor (it would move a file outside the folder).
  assertSafeParents(root, rel);
  let target = conflictName(rel, deviceId, now);
  for (let n = 2; existsSync(resolveIn(root, target)); n++)
    target = `${conflictName(rel, deviceId, now)}-${n}` as RelPath;
  renameSync(resolveIn(root, rel), resolveIn(root, target));
  return target;
}
