/** How a folder's sync state and lag are shown: the pill's word and colour, the lag sentence. */
import type { Tone } from '../components/Pill';
import { formatBytes, formatCount, formatVersion, plural } from '../lib/format';
import type { FolderSummary, Lag, ReplicaLag, SyncState } from '../api/types';

export const stateWords: Record<SyncState, { label: string; tone: Tone }> = {
  'in-sync': { label: 'In sync', tone: 'ok' },
  syncing: { label: 'Syncing', tone: 'busy' },
  behind: { label: 'Behind', tone: 'warn' },
  offline: { label: 'Offline', tone: 'idle' },
  paused: { label: 'Paused', tone: 'idle' },
  error: { label: 'Error', tone: 'bad' },
};

/** The parts of a folder's summary its state is shown from. */
export type StateOf = Pick<FolderSummary, 'state' | 'role' | 'replicasOffline'>;

/**
 * A folder's state in words: the daemon's state, except that a master none of whose
 * replicas is connected says how many are offline ("1 replica offline"), not "Offline".
 */
export function folderStateWords(f: StateOf): { label: string; tone: Tone } {
  if (f.role === 'master' && f.state === 'offline')
    return { label: `${plural(f.replicasOffline, 'replica')} offline`, tone: 'idle' };
  return stateWords[f.state];
}

/** The state to show: the folder's, or "Unknown" while the daemon cannot be reached. */
export function shownState(f: StateOf, live: boolean): { label: string; tone: Tone } {
  return live ? folderStateWords(f) : { label: 'Unknown', tone: 'idle' };
}

/**
 * "v1,234 of 1,240: 6 versions, 3 files, 1.2 MB behind" (files and bytes when known), or
 * "v1,240: up to date".
 */
export function lagSentence(version: number, head: number, lag: Lag): string {
  if (lag.versions <= 0) return `${formatVersion(version)}: up to date`;
  const parts = [plural(lag.versions, 'version')];
  if (lag.files !== null) parts.push(plural(lag.files, 'file'));
  if (lag.bytes !== null) parts.push(formatBytes(lag.bytes));
  return `${formatVersion(version)} of ${formatCount(head)}: ${parts.join(', ')} behind`;
}

/** A master's view of one replica: a pill and a sentence. */
export function replicaWords(
  r: ReplicaLag,
  head: number,
): { label: string; tone: Tone; detail: string } {
  if (!r.connected)
    return {
      label: 'Offline',
      tone: 'idle',
      detail:
        r.version === null
          ? 'Not connected; it catches up when it comes back'
          : r.lag && r.lag.versions > 0
            ? `Last seen at ${lagSentence(r.version, head, r.lag)}`
            : `Last seen at ${formatVersion(r.version)}, in sync then`,
    };
  if (r.version === null)
    return {
      label: 'Connecting',
      tone: 'busy',
      detail: 'Connected, not yet reporting its version',
    };
  const lag = r.lag ?? { versions: Math.max(0, head - r.version), files: null, bytes: null };
  const detail = lagSentence(r.version, head, lag);
  if (lag.versions > 0) return { label: 'Behind', tone: 'warn', detail };
  return { label: 'In sync', tone: 'ok', detail };
}
