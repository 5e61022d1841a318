/** How versions and their operations are named in the UI. */
import type { Tone } from '../components/Pill';
import type { Entry, VersionInfo } from '../api/types';

export const methodWords: Record<
  VersionInfo['method'],
  { label: string; tone: Tone; long: string }
> = {
  '1pc': { label: '1PC', tone: 'idle', long: 'One-phase: replicas applied it on receipt' },
  '2pc': {
    label: '2PC',
    tone: 'accent',
    long: 'Two-phase: replicas prepared it, then switched together',
  },
  scan: { label: 'Scan', tone: 'idle', long: 'Recorded by a scan of the folder' },
};

export const originWords: Record<VersionInfo['origin'], string> = {
  'initial-scan': 'First scan of the folder',
  rescan: 'Rescan of the folder',
  watch: 'Changes on disk',
  restore: 'Restored from history',
  apply: 'Received from the master',
};

export const opWords: Record<Entry['op'], { label: string; tone: Tone }> = {
  add: { label: 'Added', tone: 'ok' },
  modify: { label: 'Changed', tone: 'busy' },
  delete: { label: 'Deleted', tone: 'bad' },
  move: { label: 'Moved', tone: 'accent' },
  meta: { label: 'Permissions', tone: 'idle' },
};

/** Whether comparing this path with the version before makes sense (its content changed). */
export function canDiff(e: Entry): boolean {
  return ((e.op === 'add' || e.op === 'modify') && e.kind === 'file') || e.op === 'delete';
}

/** Whether this path can be put back as it was in a version (files and symlinks). */
export function canRestore(e: Entry): boolean {
  return e.kind === 'file' || e.kind === 'symlink' || e.op === 'delete';
}
