/**
 * The pure core of recording a version: compare what is on disk with the folder's current
 * state, decide what must be hashed, and turn the result into log entries with their
 * operations (add, modify, delete, move, meta), pairing deletions with additions as moves.
 */
import type { ChunkList } from '../chunk-list.js';
import type { Entry, NewEntry, PathStat } from '../entry.js';
import { isWithin, type RelPath } from '../relpath.js';

/** Which part of the folder a scan covers: all of it, or the subtrees at some roots. */
export type Scope =
  { readonly all: true } | { readonly all: false; readonly roots: readonly RelPath[] };

export const WHOLE_FOLDER: Scope = { all: true };

export function inScope(path: string, scope: Scope): boolean {
  return scope.all || scope.roots.some((root) => isWithin(path, root));
}

/**
 * The smallest set of roots covering `paths`: a path below another one is dropped, so a
 * directory rename of thousands of files becomes one subtree to walk.
 */
export function minimalRoots(paths: Iterable<RelPath>): RelPath[] {
  // Sorted, a parent comes before its children, but not always right before them: `a-b`
  // and `a.txt` sort between `a` and `a/c`. So check every ancestor, not the last root.
  const sorted = [...new Set(paths)].sort();
  const kept = new Set<string>();
  const out: RelPath[] = [];
  for (const p of sorted) {
    let covered = false;
    for (let i = p.indexOf('/'); i >= 0 && !covered; i = p.indexOf('/', i + 1))
      covered = kept.has(p.slice(0, i));
    if (!covered) {
      kept.add(p);
      out.push(p);
    }
  }
  return out;
}

/** A path whose state on disk differs from the current state, with what it was before. */
export interface Observation {
  readonly stat: PathStat;
  readonly prev: Entry | undefined;
}

export interface StateDiff {
  readonly changed: Observation[];
  readonly deleted: Entry[];
  readonly unchanged: number;
}

/** Content of a file as recorded: its hash and chunks. */
export interface Content {
  readonly hash: string;
  readonly chunks: ChunkList;
}

/** True when a file must be read again: it is new, or its size, mtime or inode moved. */
export function needsDigest(obs: Observation): boolean {
  const { stat, prev } = obs;
  if (stat.kind !== 'file') return false;
  return !(
    prev !== undefined &&
    prev.kind === 'file' &&
    prev.size === stat.size &&
    prev.mtimeMs === stat.mtimeMs &&
    prev.ino === stat.ino
  );
}

function sameMeta(stat: PathStat, prev: Entry): boolean {
  if (prev.kind !== stat.kind || prev.mode !== stat.mode) return false;
  switch (stat.kind) {
    case 'file':
      return prev.size === stat.size && prev.mtimeMs === stat.mtimeMs && prev.ino === stat.ino;
    case 'symlink':
      return prev.target === stat.target;
    case 'dir':
      return true;
  }
}

/**
 * Compares the current state (`index`, one live entry per path) with what was observed
 * on disk within `scope`. Paths of the index in scope that were not observed are deleted.
 */
export function diffState(
  index: ReadonlyMap<string, Entry>,
  observed: readonly PathStat[],
  scope: Scope,
): StateDiff {
  const changed: Observation[] = [];
  const seen = new Set<string>();
  let unchanged = 0;
  for (const stat of observed) {
    seen.add(stat.path);
    const prev = index.get(stat.path);
    if (prev && sameMeta(stat, prev)) unchanged++;
    else changed.push({ stat, prev });
  }
  const deleted: Entry[] = [];
  for (const [path, entry] of index) {
    if (!seen.has(path) && inScope(path, scope)) deleted.push(entry);
  }
  return { changed, deleted, unchanged };
}

/**
 * Renames found without reading content: an added file or directory whose inode matches a
 * deleted one (and, for files, whose size and mtime match too) is that path moved.
 * Returns added path -> deleted entry.
 */
export function movesByInode(diff: StateDiff): Map<RelPath, Entry> {
  const byIno = new Map<number, Entry>();
  for (const d of diff.deleted) if (d.kind === 'file' || d.kind === 'dir') byIno.set(d.ino, d);
  const moves = new Map<RelPath, Entry>();
  for (const { stat, prev } of diff.changed) {
    if (prev !== undefined) continue;
    const from = byIno.get(stat.ino);
    if (!from || from.kind !== stat.kind) continue;
    if (stat.kind === 'file' && (from.size !== stat.size || from.mtimeMs !== stat.mtimeMs))
      continue;
    moves.set(stat.path, from);
    byIno.delete(stat.ino);
  }
  return moves;
}

/**
 * Builds the entries of a version from a diff. `content` holds the content of every
 * changed file (digested, or carried over from its previous version or move source).
 * `inodeMoves` is the result of `movesByInode`; remaining additions are paired with
 * deletions of identical non-empty content as moves. Entries come out sorted by path.
 */
export function buildEntries(
  diff: StateDiff,
  content: ReadonlyMap<string, Content>,
  inodeMoves: ReadonlyMap<RelPath, Entry> = new Map(),
): NewEntry[] {
  const out: NewEntry[] = [];
  const movedAway = new Set<string>([...inodeMoves.values()].map((e) => e.path));
  const byHash = new Map<string, Entry[]>();
  for (const d of diff.deleted) {
    if (d.kind === 'file' && d.hash && d.size > 0 && !movedAway.has(d.path)) {
      const list = byHash.get(d.hash) ?? [];
      list.push(d);
      byHash.set(d.hash, list);
    }
  }

  for (const { stat, prev } of diff.changed) {
    const c = stat.kind === 'file' ? content.get(stat.path) : undefined;
    if (stat.kind === 'file' && !c) throw new Error(`no content for ${stat.path}`);
    const base = {
      path: stat.path,
      kind: stat.kind,
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      mode: stat.mode,
      ino: stat.ino,
      hash: c ? c.hash : null,
      target: stat.target,
      chunks: c ? c.chunks : null,
      movedFrom: null,
    };
    if (prev === undefined) {
      let from = inodeMoves.get(stat.path);
      if (!from && c && stat.size > 0) {
        const candidates = byHash.get(c.hash);
        if (candidates && candidates.length > 0) {
          const name = baseName(stat.path);
          const i = Math.max(
            0,
            candidates.findIndex((e) => baseName(e.path) === name),
          );
          from = candidates.splice(i, 1)[0];
        }
      }
      out.push(from ? { ...base, op: 'move', movedFrom: from.path } : { ...base, op: 'add' });
    } else if (prev.kind !== stat.kind) {
      out.push({ ...base, op: 'modify' });
    } else if (stat.kind === 'file') {
      const sameContent = c!.hash === prev.hash;
      if (sameContent && prev.mode === stat.mode && prev.mtimeMs === stat.mtimeMs) continue; // only the inode moved
      out.push({ ...base, op: sameContent ? 'meta' : 'modify' });
    } else if (stat.kind === 'symlink' && prev.target !== stat.target) {
      out.push({ ...base, op: 'modify' });
    } else {
      out.push({ ...base, op: 'meta' });
    }
  }

  for (const d of diff.deleted) {
    out.push({
      path: d.path,
      op: 'delete',
      kind: 'none',
      size: 0,
      mtimeMs: 0,
      mode: 0,
      ino: 0,
      hash: null,
      target: null,
      chunks: null,
      movedFrom: null,
    });
  }
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}

function baseName(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
