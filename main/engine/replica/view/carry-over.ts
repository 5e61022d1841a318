/**
 * Keeps what users wrote into the old version directory while the new one was being built
 * (they reach it through the folder link until the switch): right after the switch, paths
 * the version did not touch that were created, or replaced by a file with a newer mtime, in the old
 * directory are moved into the new one, where the replica reports them as local changes.
 * Edits made in place need nothing: the two directories share those files' inodes.
 */
import { lstatSync, readdirSync, renameSync, type Stats } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../../errors.js';
import { STAGING_DIR } from '../../ignore-rules.js';

export interface CarryRules {
  /** Paths the version wrote or deleted: its result wins there. */
  readonly touched: ReadonlySet<string>;
  /** Paths the replica knew before the version (a tracked path missing in the new directory was deleted there on purpose). */
  readonly tracked: (rel: string) => boolean;
}

/** Moves late writes from `oldDir` into `newDir`; returns the folder-relative paths moved. */
export function carryOver(oldDir: string, newDir: string, rules: CarryRules): string[] {
  const moved: string[] = [];
  const visit = (rel: string | undefined): void => {
    let names: string[];
    try {
      names = readdirSync(rel === undefined ? oldDir : path.join(oldDir, rel));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return;
      throw err;
    }
    for (const name of names) {
      if (rel === undefined && name === STAGING_DIR) continue;
      const p = rel === undefined ? name : `${rel}/${name}`;
      if (rules.touched.has(p)) continue;
      const o = lstatOrUndefined(path.join(oldDir, p));
      if (!o) continue;
      const n = lstatOrUndefined(path.join(newDir, p));
      if (o.isDirectory()) {
        if (n?.isDirectory()) visit(p);
        else if (!n && !rules.tracked(p)) move(p);
        continue;
      }
      if (!n) {
        if (!rules.tracked(p)) move(p);
      } else if (!n.isDirectory() && n.ino !== o.ino && o.mtimeMs > n.mtimeMs) {
        move(p);
      }
    }
  };
  const move = (p: string): void => {
    try {
      renameSync(path.join(oldDir, p), path.join(newDir, p));
      moved.push(p);
    } catch (err) {
      // The parent went away in the new version: the version's result wins.
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
  };
  visit(undefined);
  return moved;
}

function lstatOrUndefined(full: string): Stats | undefined {
  try {
    return lstatSync(full);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}
