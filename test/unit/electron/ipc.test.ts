import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../../main/electron/channels.js';
import { registerIpc } from '../../../main/electron/ipc.js';
import { app, dialog, ipcMain, Notification, resetFakes, shell } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

const ORIGIN = 'http://127.0.0.1:47211';

/** An invoke event from a frame showing `url` (a sub-frame when `parent` is set). */
function eventFrom(url: string, parent: unknown = null): unknown {
  return { senderFrame: { url, parent } };
}

function call(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
  const handler = ipcMain.handlers.get(channel);
  if (!handler) throw new Error(`no handler for ${channel}`);
  return handler(event, ...args);
}

describe('registerIpc', () => {
  beforeEach(() => {
    resetFakes();
    registerIpc(ORIGIN);
  });

  it('registers exactly the channels of the contract', () => {
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
  });

  it.each([
    ['another origin', eventFrom('https://example.com/')],
    ['another port', eventFrom('http://127.0.0.1:9999/')],
    ['another host name', eventFrom('http://localhost:47211/')],
    ['a file page', eventFrom('file:///tmp/x.html')],
    ['a sub-frame of the UI origin', eventFrom(`${ORIGIN}/`, { url: `${ORIGIN}/` })],
    ['a destroyed frame', { senderFrame: null }],
  ])('rejects %s on every channel', async (_name, event) => {
    for (const channel of CHANNELS) {
      await expect(call(channel, event, '/tmp', 'b')).rejects.toThrow(/not the Lanfold UI/);
    }
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
    expect(shell.showItemInFolder).not.toHaveBeenCalled();
    expect(Notification.shown).toEqual([]);
  });

  it('accepts the UI origin: pickFolder returns the chosen folder', async () => {
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: ['/home/a/docs'] });
    await expect(call('lanfold:pick-folder', eventFrom(`${ORIGIN}/folders`))).resolves.toBe(
      '/home/a/docs',
    );
  });

  it('pickFolder returns null when the picker is cancelled', async () => {
    await expect(call('lanfold:pick-folder', eventFrom(`${ORIGIN}/`))).resolves.toBeNull();
  });

  it('revealPath shows an absolute path and refuses a relative one or a non-string', async () => {
    await expect(
      call('lanfold:reveal-path', eventFrom(`${ORIGIN}/`), '/home/a/docs/x.txt'),
    ).resolves.toBeUndefined();
    expect(shell.showItemInFolder).toHaveBeenCalledWith('/home/a/docs/x.txt');
    await expect(
      call('lanfold:reveal-path', eventFrom(`${ORIGIN}/`), 'docs/x.txt'),
    ).rejects.toThrow(/absolute/);
    await expect(call('lanfold:reveal-path', eventFrom(`${ORIGIN}/`), 42)).rejects.toThrow(
      /must be a string/,
    );
    expect(shell.showItemInFolder).toHaveBeenCalledTimes(1);
  });

  it('notify shows a native notification', async () => {
    await expect(
      call('lanfold:notify', eventFrom(`${ORIGIN}/`), 'Synced', 'docs is in sync'),
    ).resolves.toBeUndefined();
    expect(Notification.shown).toEqual([{ title: 'Synced', body: 'docs is in sync' }]);
  });

  it('notify is a no-op where notifications are unsupported', async () => {
    Notification.supported = false;
    await call('lanfold:notify', eventFrom(`${ORIGIN}/`), 'a', 'b');
    expect(Notification.shown).toEqual([]);
  });

  it('reads and sets starting at login, refusing anything but a boolean', async () => {
    const ui = eventFrom(`${ORIGIN}/`);
    await expect(call('lanfold:get-start-at-login', ui)).resolves.toBe(false);
    await expect(call('lanfold:set-start-at-login', ui, true)).resolves.toBe(true);
    expect(app.setLoginItemSettings).toHaveBeenCalledWith({ openAtLogin: true });
    await expect(call('lanfold:set-start-at-login', ui, 'yes')).rejects.toThrow(/true or false/);
    expect(app.setLoginItemSettings).toHaveBeenCalledTimes(1);
  });

  it('the returned function removes every handler', () => {
    resetFakes();
    const unregister = registerIpc(ORIGIN);
    unregister();
    expect(ipcMain.handlers.size).toBe(0);
  });
});
