import { beforeEach, describe, expect, it, vi } from 'vitest';
import { BrowserWindow, resetFakes } from './fake-electron.js';
import { createMainWindow, isUiUrl, PRELOAD_PATH } from '../../../main/electron/window.js';

vi.mock('electron', () => import('./fake-electron.js'));

const ORIGIN = 'http://127.0.0.1:47211';
const URL_WITH_TOKEN = `${ORIGIN}/#token=abc`;

function open(): BrowserWindow {
  createMainWindow(URL_WITH_TOKEN, ORIGIN);
  const win = BrowserWindow.created.at(-1);
  if (!win) throw new Error('no window was created');
  return win;
}

/** Emits `event` with a fake navigation event and tells whether a listener prevented it. */
function prevented(win: BrowserWindow, event: string, url: string): boolean {
  const nav = { preventDefault: vi.fn() };
  win.webContents.emit(event, nav, url);
  return nav.preventDefault.mock.calls.length > 0;
}

describe('createMainWindow', () => {
  beforeEach(() => resetFakes());

  it('creates one isolated, sandboxed window without Node and with the preload', () => {
    const win = open();
    expect(BrowserWindow.created).toHaveLength(1);
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: PRELOAD_PATH,
    });
    expect(PRELOAD_PATH).toMatch(/[/\\]preload[/\\]preload\.cjs$/);
  });

  it('loads the UI address with its token', () => {
    const win = open();
    expect(win.loadURL).toHaveBeenCalledWith(URL_WITH_TOKEN);
  });

  it('denies every window.open, including to the UI origin', () => {
    const win = open();
    expect(win.webContents.windowOpenHandler?.({ url: 'https://example.com/' })).toEqual({
      action: 'deny',
    });
    expect(win.webContents.windowOpenHandler?.({ url: `${ORIGIN}/x` })).toEqual({ action: 'deny' });
  });

  it('prevents navigation and redirects away from the UI origin', () => {
    const win = open();
    expect(prevented(win, 'will-navigate', 'https://example.com/')).toBe(true);
    expect(prevented(win, 'will-navigate', 'http://127.0.0.1:9999/')).toBe(true);
    expect(prevented(win, 'will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(prevented(win, 'will-navigate', 'not a url')).toBe(true);
    expect(prevented(win, 'will-redirect', 'https://example.com/')).toBe(true);
  });

  it('allows navigation within the UI origin', () => {
    const win = open();
    expect(prevented(win, 'will-navigate', `${ORIGIN}/folders/docs`)).toBe(false);
  });

  it('denies every permission request from the page', () => {
    const win = open();
    const callback = vi.fn();
    win.webContents.session.permissionHandler?.(win.webContents, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
  });

  it('shows the window once it is ready', () => {
    const win = open();
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalled();
  });
});

describe('isUiUrl', () => {
  it.each([
    [`${ORIGIN}/`, true],
    [`${ORIGIN}/a?b#c`, true],
    ['http://localhost:47211/', false],
    ['https://127.0.0.1:47211/', false],
    ['http://127.0.0.1:47211.evil.com/', false],
    ['javascript:alert(1)', false],
    ['', false],
  ])('%s -> %s', (url, expected) => {
    expect(isUiUrl(url, ORIGIN)).toBe(expected);
  });
});
