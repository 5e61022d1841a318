/** The overview: every folder with its role, version and state; what to do when there is none. */
import type { Query } from '../../lib/use-query';
import type { Status } from '../../api/types';
import { Page } from '../../app/Page';
import { ErrorBanner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { plural } from '../../lib/format';
import { FolderCard } from './FolderCard';

export function OverviewScreen({ status }: { status: Query<Status> }) {
  const s = status.data;
  const subtitle = s
    ? `${s.device.name} · ${plural(s.folders.length, 'folder')} · ${s.peers.filter((p) => p.connected).length} of ${plural(s.peers.length, 'device')} online`
    : undefined;
  return (
    <Page title="Overview" subtitle={subtitle}>
      <div className="stack">
        {status.error !== undefined && (
          <ErrorBanner
            error={status.error}
            context="Could not load the status"
            onRetry={status.reload}
          />
        )}
        {status.loading && !s && <Loading what="the folders" />}
        {s && s.folders.length === 0 && (
          <EmptyState icon="folder" title="No folders yet">
            <p>
              Lanfold keeps a folder identical on your devices. Make a folder on this computer the
              master with <code className="command">lanfold folder add PATH --master</code>, or keep
              a copy of another device’s folder with{' '}
              <code className="command">
                lanfold folder add PATH --replica-of DEVICE --id FOLDER
              </code>
              .
            </p>
            <p>It appears here as soon as it is added.</p>
          </EmptyState>
        )}
        {s && s.folders.length > 0 && (
          <ul className="folder-grid" aria-label="Folders">
            {s.folders.map((f) => (
              <li key={f.id}>
                <FolderCard folder={f} />
              </li>
            ))}
          </ul>
        )}
      </div>
    </Page>
  );
}
