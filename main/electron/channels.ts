/**
 * The IPC contract between the Electron main process and the preload bridge, written once:
 * every channel's name, arguments and result. main/electron/ipc.ts handles exactly these
 * channels and preload/preload.cts invokes exactly these (type-checked against this file).
 */

/** Each channel: the arguments the renderer passes and what the main process returns. */
export interface IpcContract {
  /** Opens a native folder picker; the chosen absolute path, or null when cancelled. */
  'lanfold:pick-folder': { args: []; result: string | null };
  /** Shows a file or folder in the platform's file manager. */
  'lanfold:reveal-path': { args: [path: string]; result: undefined };
  /** Shows a native notification. */
  'lanfold:notify': { args: [title: string, body: string]; result: undefined };
  /** Whether the app starts when the user logs in. */
  'lanfold:get-start-at-login': { args: []; result: boolean };
  /** Makes the app start (or not) when the user logs in; returns the setting now in effect. */
  'lanfold:set-start-at-login': { args: [on: boolean]; result: boolean };
}

export type Channel = keyof IpcContract;
export type ChannelArgs<C extends Channel> = IpcContract[C]['args'];
export type ChannelResult<C extends Channel> = IpcContract[C]['result'];

/** Every channel name, for registration and tests. */
export const CHANNELS = [
  'lanfold:pick-folder',
  'lanfold:reveal-path',
  'lanfold:notify',
  'lanfold:get-start-at-login',
  'lanfold:set-start-at-login',
] as const satisfies readonly Channel[];

/** The object the preload exposes to the UI as `window.lanfold`. */
export interface LanfoldBridge {
  pickFolder(): Promise<string | null>;
  revealPath(path: string): Promise<void>;
  notify(title: string, body: string): Promise<void>;
  getStartAtLogin(): Promise<boolean>;
  setStartAtLogin(on: boolean): Promise<boolean>;
}

/** The name of the bridge on `window`. */
export const BRIDGE_NAME = 'lanfold';
