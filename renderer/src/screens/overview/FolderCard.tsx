/**
 * One folder on the overview: name, role, state, version and path; a progress bar while it
 * scans or syncs; on a master, each replica's exact lag; on a replica, how far behind it is.
 */
import { useClient, useEventsAlive } from '../../api/connection';
import { eventFolder, useLiveQuery } from '../../api/live';
import type { FolderSummary } from '../../api/types';
import { routeHref } from '../../app/routes';
import { Icon } from '../../components/Icon';
import { PauseButton } from '../../components/PauseButton';
import { Pill } from '../../components/Pill';
import { SyncProgress } from '../../components/SyncProgress';
import { formatAgo, formatDateTime, formatVersion, shortDeviceId } from '../../lib/format';
import { lagSentence, shownState } from '../../model/sync-state';
import { BlockedVersion } from './BlockedVersion';
import { HeldDeletion } from './HeldDeletion';
import { ReplicaLagList } from './ReplicaLagList';

export function FolderCard({ folder }: { folder: FolderSummary }) {
  const s = shownState(folder, useEventsAlive());
  const href = routeHref({ page: 'folder', folderId: folder.id, tab: 'status' });
  const titleId = `folder-${folder.id}`;
  return (
    <article
      className="card folder-card"
      aria-labelledby={titleId}
      data-testid={`folder-card-${folder.id}`}
    >
      <header className="folder-card-head">
        <div className="folder-card-title">
          <span className="folder-icon">
            <Icon name="folder" />
          </span>
          <div className="truncate">
            <h2 id={titleId} className="truncate">
              <a href={href}>{folder.id}</a>
            </h2>
            <p className="mono faint truncate" title={folder.path}>
              {folder.path}
            </p>
          </div>
        </div>
        <div className="row">
          <Pill tone="accent" plain>
            {folder.role === 'master' ? 'Master' : 'Replica'}
          </Pill>
          <span data-testid="folder-state">
            <Pill tone={s.tone}>{s.label}</Pill>
          </span>
        </div>
      </header>
      <div className="folder-card-body">
        <div className="folder-stats">
          <div>
            <span className="stat-label">Version</span>
            <span className="stat-value numeric" data-testid="folder-version">
              {folder.head > 0 ? formatVersion(folder.head) : 'None yet'}
            </span>
          </div>
          <div>
            <span className="stat-label">Last change</span>
            <span
              className="stat-value"
              title={folder.lastChange === null ? undefined : formatDateTime(folder.lastChange)}
            >
              {folder.lastChange === null ? '—' : formatAgo(folder.lastChange)}
            </span>
          </div>
        </div>
        {folder.progress !== null || folder.state === 'syncing' ? (
          <SyncProgress progress={folder.progress} />
        ) : null}
        {folder.error !== null && (
          <p className="folder-error" role="alert">
            {folder.error}
          </p>
        )}
        {folder.paused && (
          <p className="folder-paused">
            {folder.role === 'master'
              ? 'Paused: changes here are still recorded, but no replica receives them until you resume.'
              : 'Paused: this copy takes no new versions until you resume; then it catches up.'}
          </p>
        )}
        {folder.role === 'replica' && <ReplicaUpstream folder={folder} />}
        {folder.role === 'master' && <MasterReplicas folderId={folder.id} head={folder.head} />}
      </div>
      <footer className="folder-card-foot">
        <PauseButton folderId={folder.id} paused={folder.paused} small />
        <span className="spacer" />
        <a
          className="button button-small"
          href={routeHref({ page: 'folder', folderId: folder.id, tab: 'history' })}
        >
          <Icon name="history" /> History
        </a>
        <a className="button button-small" href={href} aria-label={`Details of ${folder.id}`}>
          Details
        </a>
      </footer>
    </article>
  );
}

/** A replica's master, whether it is reachable, and how far behind this copy is. */
function ReplicaUpstream({ folder }: { folder: FolderSummary }) {
  const client = useClient();
  const detail = useLiveQuery(
    `folder:${folder.id}`,
    () => client.folder(folder.id),
    (e) => eventFolder(e) === folder.id || e.type === 'peer',
  );
  const up = detail.data?.upstream;
  const behind = folder.lag !== null && folder.lag.versions > 0 ? folder.lag : undefined;
  return (
    <div className="folder-upstream">
      {up && (
        <p className="muted">
          Follows <strong className="text">{up.name || shortDeviceId(up.deviceId)}</strong>
          {up.connected ? ', connected' : ', not reachable now'}
        </p>
      )}
      {behind && (
        <p className="lag numeric">
          {lagSentence(folder.head, folder.head + behind.versions, behind)}
        </p>
      )}
    </div>
  );
}

function MasterReplicas({ folderId, head }: { folderId: string; head: number }) {
  const client = useClient();
  const detail = useLiveQuery(
    `folder:${folderId}`,
    () => client.folder(folderId),
    (e) => eventFolder(e) === folderId || e.type === 'peer' || e.type === 'status',
  );
  const d = detail.data;
  if (!d) return null;
  const t = d.twoPhase;
  return (
    <div className="folder-replicas">
      {t?.held && <HeldDeletion key={t.held.version} folderId={folderId} held={t.held} />}
      {t?.blocked && <BlockedVersion blocked={t.blocked} replicas={d.replicas} />}
      <h3 className="stat-label">Replicas</h3>
      <ReplicaLagList
        replicas={d.replicas}
        head={head}
        empty={
          <>
            Not shared with any device yet.{' '}
            <a href={routeHref({ page: 'folder', folderId, tab: 'status' })}>Share it</a>
          </>
        }
      />
    </div>
  );
}
