/**
 * The overview: every folder with its role, version and state; adding a folder, pausing and
 * resuming all of them; what to do when there is none.
 */
import { useState } from 'react';
import type { Query } from '../../lib/use-query';
import type { Status } from '../../api/types';
import { useAnnounce } from '../../app/Announcer';
import { Page } from '../../app/Page';
import { routeHref } from '../../app/routes';
import { ErrorBanner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { Loading } from '../../components/Loading';
import { PauseButton } from '../../components/PauseButton';
import { plural } from '../../lib/format';
import { AddFolderDialog } from './AddFolderDialog';
import { FolderCard } from './FolderCard';
import { FolderOffers } from './FolderOffers';

export function OverviewScreen({ status }: { status: Query<Status> }) {
  const s = status.data;
  const [adding, setAdding] = useState(false);
  const announce = useAnnounce();
  const subtitle = s
    ? `${s.device.name} · ${plural(s.folders.length, 'folder')} · ${s.peers.filter((p) => p.connected).length} of ${plural(s.peers.length, 'device')} online`
    : undefined;
  const addButton = (
    <button type="button" className="button button-primary" onClick={() => setAdding(true)}>
      <Icon name="plus" /> Add folder
    </button>
  );
  return (
    <Page
      title="Overview"
      subtitle={subtitle}
      actions={
        s && (
          <>
            {s.folders.length > 0 && <PauseButton paused={s.folders.every((f) => f.paused)} />}
            {addButton}
          </>
        )
      }
    >
      <div className="stack">
        {status.error !== undefined && (
          <ErrorBanner
            error={status.error}
            context="Could not load the status"
            onRetry={status.reload}
          />
        )}
        {status.loading && !s && <Loading what="the folders" />}
        <FolderOffers
          onAccepted={(f) => {
            announce(`Accepted folder ${f.id}`);
            status.reload();
          }}
        />
        {s && s.folders.length === 0 && (
          <EmptyState icon="folder" title="No folders yet" action={addButton}>
            <p>
              Lanfold keeps a folder identical on your devices. Add a folder of this computer as its
              master, or keep a copy of a folder another device is the master of.
            </p>
            <p>
              To keep a copy of another device’s folder, pair with it on the{' '}
              <a href={routeHref({ page: 'devices' })}>Devices</a> page: the folders it shares with
              this device show up here to accept.
            </p>
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
      {s && (
        <AddFolderDialog
          open={adding}
          onClose={() => setAdding(false)}
          onAdded={(f) => {
            setAdding(false);
            announce(`Added folder ${f.id}`);
            status.reload();
          }}
          peers={s.peers}
          existingIds={s.folders.map((f) => f.id)}
        />
      )}
    </Page>
  );
}
