/**
 * Comparing a folder on disk with a recorded state: both become a map path -> what the path
 * holds (kind, size, mode, content hash, symlink target). File content is hashed with the
 * engine's chunker (`digestFile`), whose `hash` is the ChunkList.rootHash a version records.
 */
import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { digestFile } from '../../main/engine/chunker.js';
import type { Entry } from '../../main/engine/entry.js';
import type { IgnoreRules } from '../../main/engine/ignore-rules.js';
import type { RelPath } from '../../main/engine/relpath.js';

export interface PathState {
  readonly kind: 'file' | 'dir' | 'symlink';
  readonly size: number;
  readonly mode: number;
  readonly hash: string | null;
  readonly target: string | null;
}

export type FolderState = Map<string, PathState>;

/** Digests keyed by path, inode, size and mtime, so that repeated snapshots hash only what changed. */
export class HashCache {
  private readonly cache = new Map<string, string>();

  async hashOf(full: string, key: string): Promise<string> {
    const known = this.cache.get(key);
    if (known !== undefined) return known;
    const d = await digestFile(full);
    this.cache.set(key, d.hash);
    return d.hash;
  }
}

/**
 * What is on disk below `root`: every file, directory and symlink (not followed), except
 * paths `rules` ignores. Names are kept exactly as the disk returns them (no normalisation).
 */
export async function snapshotFolder(
  root: string,
  rules?: IgnoreRules,
  cache: HashCache = new HashCache(),
): Promise<FolderState> {
  const out: FolderState = new Map();
  const pending: string[] = [''];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for (const name of readdirSync(path.join(root, dir))) {
      const rel = dir === '' ? name : `${dir}/${name}`;
      const full = path.join(root, rel);
      const st = lstatSync(full);
      if (rules?.ignores(rel as RelPath, st.isDirectory())) continue;
      const mode = st.mode & 0o7777;
      if (st.isDirectory()) {
        out.set(rel, { kind: 'dir', size: 0, mode, hash: null, target: null });
        pending.push(rel);
      } else if (st.isSymbolicLink()) {
        out.set(rel, { kind: 'symlink', size: 0, mode, hash: null, target: readlinkSync(full) });
      } else if (st.isFile()) {
        const hash = await cache.hashOf(full, `${rel}\0${st.ino}\0${st.size}\0${st.mtimeMs}`);
        out.set(rel, { kind: 'file', size: st.size, mode, hash, target: null });
      }
    }
  }
  return out;
}

/** The recorded state as a FolderState (from VersionLog.stateAt). */
export function stateOfEntries(entries: readonly Entry[]): FolderState {
  const out: FolderState = new Map();
  for (const e of entries) {
    if (e.kind === 'none') continue;
    out.set(e.path, {
      kind: e.kind,
      size: e.kind === 'file' ? e.size : 0,
      mode: e.mode,
      hash: e.kind === 'file' ? e.hash : null,
      target: e.kind === 'symlink' ? e.target : null,
    });
  }
  return out;
}

/**
 * The differences between two states, one line each ("path: disk X, log Y"); empty when
 * equal. Symlink permission bits are not compared (they mean nothing on Linux).
 */
export function stateDifferences(disk: FolderState, recorded: FolderState): string[] {
  const out: string[] = [];
  const show = (s: PathState | undefined) =>
    s === undefined
      ? 'absent'
      : `${s.kind} size=${s.size} mode=${s.mode.toString(8)}${s.hash ? ` hash=${s.hash.slice(0, 12)}` : ''}${s.target !== null ? ` -> ${s.target}` : ''}`;
  for (const p of new Set([...disk.keys(), ...recorded.keys()])) {
    const a = disk.get(p);
    const b = recorded.get(p);
    const same =
      a !== undefined &&
      b !== undefined &&
      a.kind === b.kind &&
      a.size === b.size &&
      a.hash === b.hash &&
      a.target === b.target &&
      (a.kind === 'symlink' || a.mode === b.mode);
    if (!same) out.push(`${JSON.stringify(p)}: disk ${show(a)}, log ${show(b)}`);
  }
  return out.sort();
}
