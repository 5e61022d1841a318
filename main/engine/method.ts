/**
 * Claim 31's decision: whether a version reaches replicas by one-phase or two-phase
 * commit. Pure: it looks only at the version's entries and the folder's settings, and
 * says why, so that the history can show the reason.
 */
import ignore from 'ignore';
import type { CommitMethod, NewEntry } from './entry.js';

export type CommitMode = 'auto' | 'one-phase' | 'two-phase';

export interface MethodSettings {
  readonly commitMode: CommitMode;
  /** gitignore-style patterns of paths whose changes always go two-phase. */
  readonly atomicPatterns: readonly string[];
}

export interface MethodChoice {
  readonly method: Exclude<CommitMethod, 'scan'>;
  readonly reason: string;
}

export function chooseMethod(entries: readonly NewEntry[], settings: MethodSettings): MethodChoice {
  if (settings.commitMode === 'one-phase')
    return { method: '1pc', reason: 'folder is set to one-phase' };
  if (settings.commitMode === 'two-phase')
    return { method: '2pc', reason: 'folder is set to two-phase' };
  if (settings.atomicPatterns.length > 0) {
    const atomic = ignore().add([...settings.atomicPatterns]);
    const hit = entries.find((e) => atomic.ignores(e.kind === 'dir' ? `${e.path}/` : e.path));
    if (hit) return { method: '2pc', reason: `${hit.path} matches an atomic pattern` };
  }
  const dirMove = entries.find((e) => e.kind === 'dir' && e.op === 'move');
  if (dirMove) return { method: '2pc', reason: `directory moved to ${dirMove.path}` };
  const move = entries.find((e) => e.op === 'move');
  if (move) return { method: '2pc', reason: `${move.movedFrom ?? '?'} moved to ${move.path}` };
  const files = entries.filter((e) => e.kind !== 'dir').length;
  if (files > 1) return { method: '2pc', reason: `${files} paths changed together` };
  return { method: '1pc', reason: files === 1 ? 'one file changed' : 'only directories changed' };
}
