/** One folder: its header (role, state, path) and tabs for status, history and settings. */
import { useClient, useEventsAlive } from '../../api/connection';
import { eventFolder, useLiveQuery } from '../../api/live';
import { Page } from '../../app/Page';
import { routeHref, type FolderTab, type Route } from '../../app/routes';
import { ErrorBanner } from '../../components/Banner';
import { Icon, type IconName } from '../../components/Icon';
import { Loading } from '../../components/Loading';
import { PauseButton } from '../../components/PauseButton';
import { Pill } from '../../components/Pill';
import { HistoryView } from '../history/HistoryView';
import { shownState } from '../../model/sync-state';
import { FolderSettingsForm } from './FolderSettingsForm';
import { FolderStatus } from './FolderStatus';

type FolderRoute = Extract<Route, { page: 'folder' }>;

const tabs: readonly { tab: FolderTab; label: string; icon: IconName }[] = [
  { tab: 'status', label: 'Status', icon: 'overview' },
  { tab: 'history', label: 'History', icon: 'history' },
  { tab: 'settings', label: 'Settings', icon: 'settings' },
];

function tabRoute(folderId: string, tab: FolderTab): Route {
  if (tab === 'history') return { page: 'folder', folderId, tab };
  return { page: 'folder', folderId, tab };
}

export function FolderScreen({ route }: { route: FolderRoute }) {
  const client = useClient();
  const { folderId } = route;
  const detail = useLiveQuery(
    `folder:${folderId}`,
    () => client.folder(folderId),
    (e) =>
      eventFolder(e) === folderId ||
      e.type === 'peer' ||
      e.type === 'status' ||
      e.type === 'config',
  );
  const d = detail.data;
  const live = useEventsAlive();
  const s = d ? shownState(d, live) : undefined;
  return (
    <Page
      wide={route.tab === 'history'}
      title={folderId}
      subtitle={d ? <span className="mono">{d.path}</span> : undefined}
      actions={
        d &&
        s && (
          <>
            <Pill tone="accent" plain>
              {d.role === 'master' ? 'Master' : 'Replica'}
            </Pill>
            <span data-testid="folder-state">
              <Pill tone={s.tone}>{s.label}</Pill>
            </span>
            <PauseButton folderId={d.id} paused={d.paused} />
          </>
        )
      }
    >
      <nav className="tabs" aria-label={`Folder ${folderId}`}>
        {tabs.map((t) => (
          <a
            key={t.tab}
            className="tab"
            href={routeHref(tabRoute(folderId, t.tab))}
            aria-current={route.tab === t.tab ? 'page' : undefined}
          >
            <Icon name={t.icon} />
            {t.label}
          </a>
        ))}
      </nav>
      {detail.error !== undefined && (
        <ErrorBanner
          error={detail.error}
          context={`Could not load the folder “${folderId}”`}
          onRetry={detail.reload}
        />
      )}
      {!d && detail.loading && <Loading what="the folder" />}
      {d && route.tab === 'status' && <FolderStatus folder={d} onChanged={detail.reload} />}
      {d && route.tab === 'history' && <HistoryView folder={d} selected={route.version} />}
      {d && route.tab === 'settings' && <FolderSettingsForm folder={d} onSaved={detail.reload} />}
    </Page>
  );
}
