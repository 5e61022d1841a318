/**
 * The one application window: isolated, sandboxed, no Node in the page, a preload that
 * exposes only the bridge, and no way to navigate away from the UI's origin or open windows.
 */
import { BrowserWindow } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/preload/preload.cjs: sandboxed preloads must be CommonJS. */
export const PRELOAD_PATH = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'preload',
  'preload.cjs',
);

/** True when `url` parses and has exactly the UI's origin. */
export function isUiUrl(url: string, uiOrigin: string): boolean {
  try {
    return new URL(url).origin === uiOrigin;
  } catch {
    return false;
  }
}

export function createMainWindow(uiUrl: string, uiOrigin: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 640,
    minHeight: 420,
    title: 'Lanfold',
    show: false,
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
    },
  });
  // No pop-ups of any kind, and no leaving the UI's origin.
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  win.webContents.on('will-navigate', (event, url) => {
    if (!isUiUrl(url, uiOrigin)) event.preventDefault();
  });
  // The UI needs no camera, microphone, location or notifications permission from the page.
  win.webContents.session.setPermissionRequestHandler((_contents, _permission, callback) =>
    callback(false),
  );
  win.webContents.on('will-redirect', (event, url) => {
    if (!isUiUrl(url, uiOrigin)) event.preventDefault();
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(uiUrl);
  return win;
}
