/**
 * "May this replica vote yes" (claim 22): the checks a replica runs on a prepared version
 * before it stages anything — its folder root is the one it was given (not unmounted or
 * renamed away), writable, no target path carries an unsynced local edit, every name is
 * valid on this OS and filesystem, the result is a tree — and, after the sizes are known,
 * whether the disk has room. Each returns the reason for a no, or undefined.
 */
import { accessSync, constants as fsConstants, statfsSync } from 'node:fs';
import type { NewEntry } from '../entry.js';
import { LanfoldError } from '../errors.js';
import { faultArmed } from '../failpoints.js';
import { checkFolderRoot } from '../folder-root.js';
import { checkTreeShape, type ReplicaDisk } from '../replica/apply.js';
import { localState } from '../replica/fs-safety.js';
import { nameProblem, type NameRules } from './name-checks.js';

/** The name rules of the platform this process runs on. */
export function platformNameRules(): NameRules {
  return {
    caseInsensitive: process.platform === 'darwin' || process.platform === 'win32',
    windows: process.platform === 'win32',
    maxNameBytes: 255,
  };
}

export interface CanApplyInput {
  readonly disk: ReplicaDisk;
  /** The root's device:inode when the replica opened it. */
  readonly rootId: string;
  readonly version: number;
  readonly entries: readonly NewEntry[];
  /** Paths the replica knows were edited locally and not synced. */
  readonly localEdits: ReadonlySet<string>;
  readonly rules?: NameRules;
}

export function cannotApply(input: CanApplyInput): string | undefined {
  const { disk, entries } = input;
  let id: string;
  try {
    id = checkFolderRoot(disk.root);
  } catch (err) {
    return `the folder root is not there (${err instanceof LanfoldError ? err.message : String(err)}): unmounted or moved? nothing is deleted`;
  }
  if (id !== input.rootId)
    return `the folder root ${disk.root} is another directory than the one this replica opened (remounted or replaced)`;
  try {
    accessSync(disk.root, fsConstants.W_OK);
  } catch {
    return `the folder ${disk.root} is not writable`;
  }
  try {
    checkTreeShape(disk.index, entries, input.version);
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  const after = new Set(disk.index.keys());
  for (const e of entries) {
    if (e.kind === 'none') after.delete(e.path);
    else after.add(e.path);
  }
  const names = nameProblem([...after], input.rules ?? platformNameRules());
  if (names !== undefined) return names;
  for (const e of entries) {
    for (const p of e.movedFrom ? [e.path, e.movedFrom] : [e.path]) {
      if (input.localEdits.has(p)) return `${p} has a local edit not synced`;
      const current = disk.index.get(p);
      let state;
      try {
        state = localState(disk.root, p, current, disk.sameContent);
      } catch (err) {
        return err instanceof Error ? err.message : String(err);
      }
      if (state === 'changed' || state === 'unknown' || (state === 'missing' && current))
        return `${p} was ${state === 'missing' ? 'deleted' : 'changed'} locally and not synced`;
    }
  }
  return undefined;
}

/** Bytes kept free beyond what staging needs. */
const SPACE_MARGIN_BYTES = 16 * 1024 * 1024;

/** Why the disk cannot hold `bytes` more of staged content, or undefined. */
export function noSpace(root: string, bytes: number): string | undefined {
  if (faultArmed('2pc:disk-full')) return 'not enough disk space (simulated full disk)';
  let free: number;
  try {
    const st = statfsSync(root);
    free = st.bavail * st.bsize;
  } catch {
    return undefined; // cannot tell: staging itself reports ENOSPC
  }
  if (free < bytes + SPACE_MARGIN_BYTES)
    return `not enough disk space: ${bytes} bytes to stage, ${free} free`;
  return undefined;
}
