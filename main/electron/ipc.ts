/**
 * The main side of the IPC contract (channels.ts): one handler per channel, each refusing
 * calls from any frame whose origin is not the UI's (and from sub-frames), and checking its
 * arguments' types, since a compromised page can send anything.
 */
import { app, dialog, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import path from 'node:path';
import type { Channel, ChannelArgs, ChannelResult } from './channels.js';
import { CHANNELS } from './channels.js';
import { showNotification } from './notify.js';

type Handler<C extends Channel> = (...args: ChannelArgs<C>) => Promise<ChannelResult<C>>;

/** True when the event comes from the window's main frame showing the UI's origin. */
export function isTrustedSender(event: IpcMainInvokeEvent, uiOrigin: string): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  try {
    return new URL(frame.url).origin === uiOrigin;
  } catch {
    return false;
  }
}

function requireString(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string' || value.length > max) {
    throw new Error(`${name} must be a string of at most ${max} characters`);
  }
  return value;
}

function requireBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${name} must be true or false`);
  return value;
}

function handlers(): { [C in Channel]: (args: unknown[]) => Promise<ChannelResult<C>> } {
  const pickFolder: Handler<'lanfold:pick-folder'> = async () => {
    const picked = await dialog.showOpenDialog({
      properties: ['openDirectory', 'createDirectory'],
    });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  };
  const revealPath: Handler<'lanfold:reveal-path'> = (p) => {
    if (!path.isAbsolute(p)) return Promise.reject(new Error('revealPath needs an absolute path'));
    shell.showItemInFolder(p);
    return Promise.resolve(undefined);
  };
  const notify: Handler<'lanfold:notify'> = (title, body) => {
    showNotification(title, body);
    return Promise.resolve(undefined);
  };
  const getStartAtLogin: Handler<'lanfold:get-start-at-login'> = () =>
    Promise.resolve(app.getLoginItemSettings().openAtLogin);
  const setStartAtLogin: Handler<'lanfold:set-start-at-login'> = (on) => {
    app.setLoginItemSettings({ openAtLogin: on });
    return Promise.resolve(app.getLoginItemSettings().openAtLogin);
  };
  return {
    'lanfold:pick-folder': () => pickFolder(),
    'lanfold:get-start-at-login': () => getStartAtLogin(),
    'lanfold:set-start-at-login': (args) => setStartAtLogin(requireBoolean(args[0], 'on')),
    'lanfold:reveal-path': (args) => revealPath(requireString(args[0], 'path', 4096)),
    'lanfold:notify': (args) =>
      notify(requireString(args[0], 'title', 1000), requireString(args[1], 'body', 10_000)),
  };
}

/** Registers every channel; returns a function that removes them. */
export function registerIpc(uiOrigin: string): () => void {
  const table = handlers();
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event, uiOrigin)) {
        throw new Error(`IPC ${channel} refused: the sender is not the Lanfold UI`);
      }
      return table[channel](args);
    });
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}
