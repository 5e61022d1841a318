/** The navigation sidebar: the main places, one link per folder, this device and the theme. */
import { Icon } from '../components/Icon';
import { Pill } from '../components/Pill';
import type { Status } from '../api/types';
import { shownState } from '../model/sync-state';
import { routeHref, type Route } from './routes';
import { ThemeToggle } from './ThemeToggle';

function current(
  route: Route,
  page: 'overview' | 'devices' | 'device-settings',
): 'page' | undefined {
  return route.page === page ? 'page' : undefined;
}

export function Sidebar({
  route,
  status,
  live,
}: {
  route: Route;
  status: Status | undefined;
  /** Whether the daemon's event stream is connected. */
  live: boolean;
}) {
  const folderId = route.page === 'folder' || route.page === 'diff' ? route.folderId : undefined;
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="brand">
        <Icon name="logo" />
        <span>Lanfold</span>
      </div>
      <div className="nav-section">
        <a
          className="nav-link"
          href={routeHref({ page: 'overview' })}
          aria-current={current(route, 'overview')}
        >
          <Icon name="overview" />
          <span className="nav-label">Overview</span>
        </a>
        <a
          className="nav-link"
          href={routeHref({ page: 'devices' })}
          aria-current={current(route, 'devices')}
        >
          <Icon name="devices" />
          <span className="nav-label">Devices</span>
          {status && status.peers.length > 0 && (
            <span className="nav-count">
              {status.peers.filter((p) => p.connected).length}/{status.peers.length}
              <span className="visually-hidden"> online</span>
            </span>
          )}
        </a>
      </div>
      <div className="nav-section" role="group" aria-labelledby="nav-folders">
        <h2 className="nav-heading" id="nav-folders">
          Folders
        </h2>
        {status?.folders.length === 0 && <p className="nav-empty">No folders yet</p>}
        {status?.folders.map((f) => {
          const s = shownState(f, live);
          return (
            <a
              key={f.id}
              className="nav-link"
              href={routeHref({ page: 'folder', folderId: f.id, tab: 'status' })}
              aria-current={folderId === f.id ? 'page' : undefined}
              aria-label={`${f.id}, ${f.role}, ${s.label}`}
            >
              <Icon name="folder" />
              <span className="nav-label">{f.id}</span>
              <span className={`dot dot-${s.tone}`} aria-hidden="true" title={s.label} />
            </a>
          );
        })}
      </div>
      <div className="sidebar-footer">
        <a
          className="nav-link"
          href={routeHref({ page: 'device-settings' })}
          aria-current={current(route, 'device-settings')}
        >
          <Icon name="device" />
          <span className="nav-label">{status?.device.name ?? 'This device'}</span>
        </a>
        <div className="connection">
          {live ? <Pill tone="ok">Connected</Pill> : <Pill tone="warn">Reconnecting…</Pill>}
        </div>
        <ThemeToggle />
      </div>
    </nav>
  );
}
