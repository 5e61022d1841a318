/** A folder's scan or transfer in progress: what it is doing, a bar, amounts done and the rate. */
import type { Progress } from '../api/types';
import { formatBytes, formatCount, formatRate } from '../lib/format';
import { ProgressBar } from './ProgressBar';

const phaseWords: Record<Progress['phase'], string> = {
  walking: 'Looking for changes',
  hashing: 'Reading changed files',
  fetching: 'Downloading',
};

export function SyncProgress({ progress }: { progress: Progress | null }) {
  if (!progress)
    return (
      <div className="sync-progress">
        <ProgressBar value={undefined} label="Syncing" />
      </div>
    );
  const fraction =
    progress.bytesTotal !== null && progress.bytesTotal > 0
      ? progress.bytesDone / progress.bytesTotal
      : progress.filesDone !== null && progress.filesTotal !== null && progress.filesTotal > 0
        ? progress.filesDone / progress.filesTotal
        : undefined;
  const files =
    progress.filesDone === null
      ? undefined
      : progress.filesTotal !== null
        ? `${formatCount(progress.filesDone)} of ${formatCount(progress.filesTotal)} files`
        : `${formatCount(progress.filesDone)} files`;
  const bytes =
    progress.bytesTotal !== null
      ? `${formatBytes(progress.bytesDone)} of ${formatBytes(progress.bytesTotal)}`
      : formatBytes(progress.bytesDone);
  return (
    <div className="sync-progress">
      <ProgressBar value={fraction} label={phaseWords[progress.phase]} />
      <p className="sync-progress-text numeric">
        <span>{phaseWords[progress.phase]}</span>
        {files !== undefined && ` · ${files}`} · {bytes}
        {progress.bytesPerSecond > 0 && ` · ${formatRate(progress.bytesPerSecond)}`}
      </p>
    </div>
  );
}
