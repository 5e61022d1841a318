/**
 * Where an atomic-view replica keeps its version directories: a hidden sibling of the
 * folder path (`.<name>.lanfold-views/v<N>`), so that every directory lives on the folder's
 * filesystem (hard links and renames need that), and the folder path itself is a symlink
 * to the current one.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { errnoCode } from '../../errors.js';

export interface ViewLayout {
  /** The user's folder path: a symlink to the current version directory. */
  readonly root: string;
  /** The directory holding the version directories. */
  readonly viewsDir: string;
}

const VIEW_NAME = /^v(0|[1-9]\d{0,15})$/;

export function viewLayout(root: string): ViewLayout {
  const resolved = path.resolve(root);
  return {
    root: resolved,
    viewsDir: path.join(path.dirname(resolved), `.${path.basename(resolved)}.lanfold-views`),
  };
}

/** The version directory of version `n`. */
export function viewDir(layout: ViewLayout, n: number): string {
  return path.join(layout.viewsDir, `v${n}`);
}

/** The version a version directory's name stands for, or undefined for other names. */
export function viewNumber(name: string): number | undefined {
  const m = VIEW_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** The link's target as written: relative to the folder's parent, so the pair can be moved together. */
export function linkTarget(layout: ViewLayout, n: number): string {
  return path.join(path.basename(layout.viewsDir), `v${n}`);
}

export type RootShape =
  | { readonly kind: 'missing' }
  | { readonly kind: 'dir' }
  /** A symlink to one of our version directories. */
  | { readonly kind: 'view'; readonly version: number }
  /** Something else: a file, or a symlink we did not make. */
  | { readonly kind: 'other'; readonly what: string };

/** What stands at the folder path now. */
export function rootShape(layout: ViewLayout): RootShape {
  let st;
  try {
    st = lstatSync(layout.root);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'missing' };
    throw err;
  }
  if (st.isDirectory()) return { kind: 'dir' };
  if (!st.isSymbolicLink()) return { kind: 'other', what: 'not a directory' };
  const target = readlinkSync(layout.root);
  const resolved = path.resolve(path.dirname(layout.root), target);
  const n = viewNumber(path.basename(resolved));
  if (n === undefined || path.dirname(resolved) !== layout.viewsDir)
    return { kind: 'other', what: `a symlink to ${target}` };
  return { kind: 'view', version: n };
}
