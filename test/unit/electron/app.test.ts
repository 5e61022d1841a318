import { beforeEach, describe, expect, it, vi } from 'vitest';
import { runApp } from '../../../main/electron/app.js';
import { CHANNELS } from '../../../main/electron/channels.js';
import { LanfoldError } from '../../../main/engine/errors.js';
import { app, BrowserWindow, dialog, ipcMain, resetFakes } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));
const supervise = vi.hoisted(() => vi.fn());
vi.mock('../../../main/electron/daemon-supervisor.js', () => ({ superviseDaemon: supervise }));

const ENDPOINT = {
  pid: 4242,
  gui: '127.0.0.1:47211',
  origin: 'http://127.0.0.1:47211',
  url: 'http://127.0.0.1:47211/#token=abc',
  started: false,
};

describe('runApp', () => {
  beforeEach(() => {
    resetFakes();
    supervise.mockReset();
    supervise.mockResolvedValue(ENDPOINT);
  });

  it('quits at once when another instance holds the single-instance lock', async () => {
    app.singleInstance = false;
    await runApp();
    expect(app.quit).toHaveBeenCalled();
    expect(supervise).not.toHaveBeenCalled();
    expect(BrowserWindow.created).toEqual([]);
  });

  it('attaches to the daemon, registers IPC for its origin and opens one window on its URL', async () => {
    await runApp();
    expect(supervise).toHaveBeenCalledTimes(1);
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    expect(BrowserWindow.created).toHaveLength(1);
    expect(BrowserWindow.created[0]?.loadURL).toHaveBeenCalledWith(ENDPOINT.url);
  });

  it('focuses the existing window when a second instance starts', async () => {
    await runApp();
    const win = BrowserWindow.created[0]!;
    win.minimized = true;
    app.emit('second-instance');
    expect(BrowserWindow.created).toHaveLength(1);
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
  });

  it('reopens the window on second-instance after it was closed', async () => {
    await runApp();
    BrowserWindow.created[0]!.destroyed = true;
    app.emit('second-instance');
    expect(BrowserWindow.created).toHaveLength(2);
  });

  it('shows the error and its hint, then quits, when the daemon cannot be reached', async () => {
    supervise.mockRejectedValue(
      new LanfoldError('DAEMON_UNREACHABLE', 'No Lanfold device in /x', 'run lanfold init'),
    );
    await runApp();
    expect(dialog.showErrorBox).toHaveBeenCalledWith(
      'Lanfold could not start',
      'No Lanfold device in /x\n\nrun lanfold init',
    );
    expect(app.quit).toHaveBeenCalled();
    expect(BrowserWindow.created).toEqual([]);
  });

  it('removes the IPC handlers when the app quits', async () => {
    await runApp();
    app.emit('will-quit');
    expect(ipcMain.handlers.size).toBe(0);
  });
});
