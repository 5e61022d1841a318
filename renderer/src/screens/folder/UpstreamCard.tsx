/** A replica's master: connected or not, its version, and how far this copy is behind. */
import type { FolderDetail } from '../../api/types';
import { Pill } from '../../components/Pill';
import { formatVersion, shortDeviceId } from '../../lib/format';
import { lagSentence } from '../../model/sync-state';

export function UpstreamCard({ folder }: { folder: FolderDetail }) {
  const up = folder.upstream;
  return (
    <section className="card" aria-labelledby="folder-upstream">
      <div className="card-header">
        <h2 id="folder-upstream">Master</h2>
        {up && (up.connected ? <Pill tone="ok">Connected</Pill> : <Pill tone="idle">Offline</Pill>)}
      </div>
      <div className="card-body">
        {!up ? (
          <p className="muted">Lanfold has not heard from this folder’s master yet.</p>
        ) : (
          <dl className="facts">
            <dt>Device</dt>
            <dd>
              <strong>{up.name || shortDeviceId(up.deviceId)}</strong>{' '}
              <code className="faint">{shortDeviceId(up.deviceId)}</code>
            </dd>
            <dt>Its version</dt>
            <dd className="numeric">{formatVersion(up.version)}</dd>
            <dt>This copy</dt>
            <dd className="numeric">
              {lagSentence(
                folder.head,
                up.version,
                folder.lag ?? {
                  versions: Math.max(0, up.version - folder.head),
                  files: null,
                  bytes: null,
                },
              )}
            </dd>
          </dl>
        )}
        {up && !up.connected && (
          <p className="muted card-note">
            This copy keeps working offline and catches up in one step when the master is reachable
            again.
          </p>
        )}
      </div>
    </section>
  );
}
