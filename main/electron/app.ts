/**
 * The desktop app's life cycle: one instance per user, a daemon attached to or started, one
 * window showing the daemon's UI, the IPC handlers, and a tray icon. main.ts runs it.
 */
import { app, BrowserWindow, dialog } from 'electron';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { superviseDaemon, type DaemonEndpoint } from './daemon-supervisor.js';
import { LanfoldClient } from '../api/client.js';
import { registerIpc } from './ipc.js';
import { createTray, type LanfoldTray } from './tray.js';
import { watchTrayStatus, type TrayStatusWatch } from './tray-status.js';
import { createMainWindow } from './window.js';

const APP_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** What the running app holds; each has one owner, released on quit. */
interface Shell {
  window: BrowserWindow | undefined;
  tray: LanfoldTray | undefined;
  trayStatus: TrayStatusWatch | undefined;
  unregisterIpc: (() => void) | undefined;
}

/** Shows the window (creating it again if it was closed). */
function focusWindow(shellState: Shell, endpoint: DaemonEndpoint): void {
  if (!shellState.window || shellState.window.isDestroyed()) {
    shellState.window = createMainWindow(endpoint.url, endpoint.origin);
    return;
  }
  if (shellState.window.isMinimized()) shellState.window.restore();
  shellState.window.show();
  shellState.window.focus();
}

export async function runApp(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  const state: Shell = {
    window: undefined,
    tray: undefined,
    trayStatus: undefined,
    unregisterIpc: undefined,
  };
  let endpoint: DaemonEndpoint | undefined;
  app.on('second-instance', () => {
    if (endpoint) focusWindow(state, endpoint);
  });
  // The daemon keeps syncing when the window closes; the tray (or the platform) quits the app.
  app.on('window-all-closed', () => {
    if (!state.tray) app.quit();
  });
  app.on('will-quit', () => {
    state.unregisterIpc?.();
    state.trayStatus?.stop();
    state.tray?.tray.destroy();
  });
  await app.whenReady();
  try {
    endpoint = await superviseDaemon({ execPath: process.execPath });
  } catch (err) {
    const hint =
      err instanceof Error && 'hint' in err && typeof err.hint === 'string'
        ? `\n\n${err.hint}`
        : '';
    dialog.showErrorBox(
      'Lanfold could not start',
      `${err instanceof Error ? err.message : String(err)}${hint}`,
    );
    app.quit();
    return;
  }
  const ready = endpoint;
  state.unregisterIpc = registerIpc(ready.origin);
  focusWindow(state, ready);
  app.on('activate', () => focusWindow(state, ready));
  const icon = path.join(APP_ROOT, 'resources', 'icons', TRAY_ICON);
  if (existsSync(icon)) {
    const client = new LanfoldClient({ baseUrl: ready.origin, token: tokenOf(ready.url) });
    const afterChange = (change: Promise<unknown>) =>
      void change.catch(() => undefined).finally(() => state.trayStatus?.refresh());
    const tray = createTray(icon, {
      open: () => focusWindow(state, ready),
      pauseAll: () => afterChange(client.pause()),
      resumeAll: () => afterChange(client.resume()),
      quit: () => app.quit(),
    });
    state.tray = tray;
    state.trayStatus = watchTrayStatus(client, (s) => tray.update(s));
  }
}

/** The tray's image: small, and sharp at 2x on high-density screens (macOS picks @2x itself). */
const TRAY_ICON = process.platform === 'darwin' ? '16x16.png' : '32x32.png';

/** The access token in a signed-in UI address (`http://HOST:PORT/#token=TOKEN`). */
export function tokenOf(url: string): string {
  return new URLSearchParams(new URL(url).hash.slice(1)).get('token') ?? '';
}
