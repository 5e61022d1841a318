/**
 * The status tab of a folder. A master: its numbers and each replica's lag. A replica: its
 * master and how far behind it is, the transfer under way, files changed on this computer
 * and the conflict copies kept.
 */
import type { FolderDetail } from '../../api/types';
import { Banner } from '../../components/Banner';
import { SyncProgress } from '../../components/SyncProgress';
import { formatBytes, formatDateTime, formatVersion, plural } from '../../lib/format';
import { ReplicaLagList } from '../overview/ReplicaLagList';
import { LocalChanges } from './LocalChanges';
import { ShareFolderForm } from './ShareFolderForm';
import { UpstreamCard } from './UpstreamCard';

export function FolderStatus({
  folder,
  onChanged,
}: {
  folder: FolderDetail;
  /** Something was changed here: reload the folder. */
  onChanged: () => void;
}) {
  return (
    <div className="stack">
      {folder.error !== null && (
        <Banner kind="bad" title="This folder has a problem">
          {folder.error}
        </Banner>
      )}
      {(folder.progress !== null || folder.syncing) && (
        <section className="card" aria-label="Progress">
          <div className="card-body">
            <SyncProgress progress={folder.progress} />
          </div>
        </section>
      )}
      <section className="card" aria-labelledby="folder-facts">
        <div className="card-header">
          <h2 id="folder-facts">{folder.role === 'master' ? 'This folder' : 'This copy'}</h2>
        </div>
        <div className="card-body">
          <dl className="facts">
            <dt>Version</dt>
            <dd className="numeric">{folder.head > 0 ? formatVersion(folder.head) : 'None yet'}</dd>
            <dt>Last change</dt>
            <dd>{folder.lastChange === null ? '—' : formatDateTime(folder.lastChange)}</dd>
            {folder.totals && (
              <>
                <dt>Contents</dt>
                <dd className="numeric">
                  {plural(folder.totals.files, 'file')} in {plural(folder.totals.dirs, 'folder')},{' '}
                  {formatBytes(folder.totals.bytes)}
                </dd>
              </>
            )}
            {folder.role === 'replica' && folder.bytesFetched > 0 && (
              <>
                <dt>Downloaded</dt>
                <dd className="numeric">
                  {formatBytes(folder.bytesFetched)} since Lanfold started
                </dd>
              </>
            )}
            <dt>Location</dt>
            <dd className="mono">{folder.path}</dd>
            <dt>Role</dt>
            <dd>
              {folder.role === 'master'
                ? 'Master: changes made here become new versions and go to every replica.'
                : 'Replica: a full copy that follows the master. Edits made here are not sent back.'}
            </dd>
          </dl>
        </div>
      </section>
      {folder.role === 'master' && (
        <section className="card" aria-labelledby="folder-replicas">
          <div className="card-header">
            <h2 id="folder-replicas">Replicas</h2>
          </div>
          <div className="card-body stack-tight">
            <ReplicaLagList
              replicas={folder.replicas}
              head={folder.head}
              empty="Not shared with any device yet."
            />
            <ShareFolderForm folder={folder} onShared={onChanged} />
          </div>
        </section>
      )}
      {folder.role === 'replica' && <UpstreamCard folder={folder} />}
      {folder.role === 'replica' && <LocalChanges folder={folder} onChanged={onChanged} />}
    </div>
  );
}
