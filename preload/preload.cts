/**
 * The preload bridge: exposes `window.lanfold` with exactly pickFolder, revealPath,
 * notify, getStartAtLogin and setStartAtLogin, each an invoke on a channel of main/electron/channels.ts. It is CommonJS (.cts)
 * because sandboxed preloads cannot be ES modules, and it requires nothing but 'electron'
 * because a sandboxed preload cannot load other files; so the channel names are written as
 * literals here, each checked by the compiler against the contract.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- a sandboxed preload is CommonJS
import electron = require('electron');
import type {
  BRIDGE_NAME,
  Channel,
  ChannelArgs,
  ChannelResult,
  LanfoldBridge,
} from '../main/electron/channels.js' with { 'resolution-mode': 'import' };

function invoke<C extends Channel>(channel: C, ...args: ChannelArgs<C>): Promise<ChannelResult<C>> {
  return electron.ipcRenderer.invoke(channel, ...args) as Promise<ChannelResult<C>>;
}

const bridge: LanfoldBridge = {
  pickFolder: () => invoke('lanfold:pick-folder'),
  revealPath: (path) => invoke('lanfold:reveal-path', path),
  notify: (title, body) => invoke('lanfold:notify', title, body),
  getStartAtLogin: () => invoke('lanfold:get-start-at-login'),
  setStartAtLogin: (on) => invoke('lanfold:set-start-at-login', on),
};

const name: typeof BRIDGE_NAME = 'lanfold';
electron.contextBridge.exposeInMainWorld(name, Object.freeze(bridge));
