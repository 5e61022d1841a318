/**
 * The window: a skip link, the sidebar, and the screen the address names. The daemon's
 * status is loaded here (and kept current by its events) because the sidebar and the
 * overview both show it; state changes of folders are announced to screen readers.
 */
import { useEffect, useRef } from 'react';
import { useApiEvents, useCloseConnection, useEventsAlive } from '../api/connection';
import { useStatus } from '../api/status';
import type { Status } from '../api/types';
import { forgetToken } from '../lib/auth';
import { describeError } from '../lib/errors';
import { formatVersion } from '../lib/format';
import { folderStateWords } from '../model/sync-state';
import { DevicesScreen } from '../screens/devices/DevicesScreen';
import { DeviceSettingsScreen } from '../screens/device/DeviceSettingsScreen';
import { DiffScreen } from '../screens/diff/DiffScreen';
import { FolderScreen } from '../screens/folder/FolderScreen';
import { OverviewScreen } from '../screens/overview/OverviewScreen';
import { useAnnounce } from './Announcer';
import { ConnectionLost } from './ConnectionLost';
import { useNativeNotifications } from './notifications';
import { SignedOut } from './SignedOut';
import { Sidebar } from './Sidebar';
import { useRoute } from './use-route';
import { useTheme } from './theme';

/** Announces folders whose state changed between two status snapshots. */
function useStateAnnouncements(status: Status | undefined): void {
  const announce = useAnnounce();
  const previous = useRef<Map<string, string>>(new Map());
  useEffect(() => {
    if (!status) return;
    const changes: string[] = [];
    const next = new Map<string, string>();
    for (const f of status.folders) {
      const words = folderStateWords(f).label.toLowerCase();
      next.set(f.id, words);
      const before = previous.current.get(f.id);
      if (before !== undefined && before !== words)
        changes.push(`${f.id}: ${words} at ${formatVersion(f.head)}`);
    }
    previous.current = next;
    if (changes.length > 0) announce(changes.join('. '));
  }, [status, announce]);
}

/** Announces devices coming online or going offline. */
function usePeerAnnouncements(): void {
  const announce = useAnnounce();
  useApiEvents((e) => {
    if (e.type === 'peer')
      announce(`${e.name || 'A device'} ${e.connected ? 'is online' : 'went offline'}`);
  });
}

export function App() {
  useTheme();
  const route = useRoute();
  const status = useStatus();
  const live = useEventsAlive();
  useStateAnnouncements(status.data);
  usePeerAnnouncements();
  useNativeNotifications();

  const refused = status.error !== undefined && describeError(status.error).unauthorized;
  const close = useCloseConnection();
  useEffect(() => {
    // A refused token stays refused: stop retrying and forget it.
    if (refused) {
      close();
      forgetToken();
    }
  }, [refused, close]);
  if (refused) return <SignedOut refused />;

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(e) => {
          // The fragment holds the route: move the focus without navigating.
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <Sidebar route={route} status={status.data} live={live} />
      <main className="main" id="main" tabIndex={-1}>
        {!live && status.data !== undefined && <ConnectionLost />}
        {route.page === 'overview' && <OverviewScreen status={status} />}
        {route.page === 'devices' && <DevicesScreen status={status} />}
        {route.page === 'device-settings' && <DeviceSettingsScreen status={status} />}
        {route.page === 'folder' && <FolderScreen key={route.folderId} route={route} />}
        {route.page === 'diff' && <DiffScreen route={route} />}
      </main>
    </div>
  );
}
