/**
 * Folder-relative paths. A RelPath exists only after validation: POSIX separators, no
 * empty, `.` or `..` segments, not absolute, no NUL or control characters. Every path that
 * comes from disk, the wire or a user passes through `toRelPath` before it is used.
 */
import path from 'node:path';
import { LanfoldError } from './errors.js';

export type RelPath = string & { readonly __brand: 'RelPath' };

const MAX_PATH_BYTES = 4096;
const MAX_SEGMENT_BYTES = 255;

/** Why `raw` is not a valid folder-relative path, or undefined when it is. */
export function relPathProblem(raw: string): string | undefined {
  if (raw.length === 0) return 'empty path';
  if (raw.includes('\0')) return 'contains NUL';
  if (raw.startsWith('/') || /^[A-Za-z]:/.test(raw)) return 'absolute path';
  if (raw.includes('\\')) return 'contains a backslash';
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES) return 'longer than 4096 bytes';
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return `bad segment "${segment}"`;
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES) return 'a name longer than 255 bytes';
    // eslint-disable-next-line no-control-regex
    if (/[\x00-\x1f]/.test(segment)) return 'contains a control character';
  }
  return undefined;
}

export function isRelPath(raw: string): raw is RelPath {
  return relPathProblem(raw) === undefined;
}

export function toRelPath(raw: string): RelPath {
  const problem = relPathProblem(raw);
  if (problem !== undefined) {
    throw new LanfoldError('BAD_PATH', `Refused path ${JSON.stringify(raw)}: ${problem}`);
  }
  return raw as RelPath;
}

/** The RelPath of an absolute `full` below `root`, or undefined if it is `root` itself or outside. */
export function relativeTo(root: string, full: string): RelPath | undefined {
  const rel = path.relative(root, full);
  // `..foo` is a name inside the root; only `..` itself or `../...` climbs out.
  if (rel === '' || rel === '..' || rel.startsWith('..' + path.sep) || path.isAbsolute(rel))
    return undefined;
  const posix = path.sep === '/' ? rel : rel.split(path.sep).join('/');
  return isRelPath(posix) ? posix : undefined;
}

/** The absolute path of `rel` inside `root`; it cannot leave `root` because `rel` is validated. */
export function resolveIn(root: string, rel: RelPath): string {
  return path.join(root, ...rel.split('/'));
}

export function parentOf(rel: RelPath): RelPath | undefined {
  const i = rel.lastIndexOf('/');
  return i < 0 ? undefined : (rel.slice(0, i) as RelPath);
}

/** True when `rel` is `dir` or lies below it. */
export function isWithin(rel: string, dir: string): boolean {
  return rel === dir || rel.startsWith(dir + '/');
}
