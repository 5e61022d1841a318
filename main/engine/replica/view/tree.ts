/**
 * Whole-tree operations on version directories: building one from another with hard links,
 * and removing one however its directories' modes are set. Neither ever writes into a file.
 */
import {
  chmodSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
} from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../../errors.js';

/**
 * Recreates the directories of `from` in `to` (which must not exist) and hard-links every
 * other entry (files, symlinks, special files) into them; names in `skip` at the top level
 * are left out. Directory modes are set once each directory is filled, so read-only ones
 * are copied too. Returns the number of entries linked (`onLinked` hears each).
 */
export function linkTree(
  from: string,
  to: string,
  skip: ReadonlySet<string> = new Set(),
  onLinked?: (count: number) => void,
): number {
  let linked = 0;
  const copyDir = (src: string, dst: string, top: boolean): void => {
    const mode = lstatSync(src).mode & 0o7777;
    mkdirSync(dst, { mode: 0o700 });
    for (const d of readdirSync(src, { withFileTypes: true })) {
      if (top && skip.has(d.name)) continue;
      const s = path.join(src, d.name);
      const t = path.join(dst, d.name);
      if (d.isDirectory()) copyDir(s, t, false);
      else {
        linkSync(s, t);
        onLinked?.(++linked);
      }
    }
    chmodSync(dst, mode);
  };
  copyDir(from, to, true);
  return linked;
}

/** Removes `dir` and everything below it (directories are opened to their owner first); nothing when it is gone. */
export function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
    return;
  } catch (err) {
    if (errnoCode(err) !== 'EACCES' && errnoCode(err) !== 'EPERM') throw err;
  }
  const open = (d: string): void => {
    chmodSync(d, 0o700);
    for (const e of readdirSync(d, { withFileTypes: true }))
      if (e.isDirectory()) open(path.join(d, e.name));
  };
  open(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Moves `dir` out of the way under `trashName` (one rename), then removes it (`moved` runs between). */
export function reclaimTree(dir: string, trashName: string, moved?: () => void): void {
  const trash = path.join(path.dirname(dir), trashName);
  try {
    renameSync(dir, trash);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return;
    throw err;
  }
  moved?.();
  removeTree(trash);
}
