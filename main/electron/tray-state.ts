/**
 * What the tray shows, from the daemon's status: a one-line summary (also the tooltip) and
 * which of Pause / Resume the menu offers. Pure, so it is tested without Electron; the tray
 * (tray.ts) draws it and tray-status.ts keeps it current.
 */
import type { Status, SyncState } from '../api/contract.js';

export interface TrayState {
  /** "All 3 folders in sync", "Syncing 1 of 3 folders", "Paused", "Lanfold is not running". */
  readonly summary: string;
  /** Offer "Pause syncing": some folder is running. */
  readonly canPause: boolean;
  /** Offer "Resume syncing": some folder is paused. */
  readonly canResume: boolean;
}

export const UNREACHABLE: TrayState = {
  summary: 'Lanfold is not answering',
  canPause: false,
  canResume: false,
};

function count(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}

export function trayState(status: Status): TrayState {
  const folders = status.folders;
  const paused = folders.filter((f) => f.paused).length;
  const running = folders.length - paused;
  const states = (s: SyncState) => folders.filter((f) => !f.paused && f.state === s).length;
  let summary: string;
  if (folders.length === 0) summary = 'No folders yet';
  else if (running === 0) summary = `Paused (${count(folders.length, 'folder')})`;
  else if (states('error') > 0) summary = `${count(states('error'), 'folder')} with a problem`;
  else if (states('syncing') > 0)
    summary = `Syncing ${states('syncing')} of ${count(running, 'folder')}`;
  else if (states('behind') + states('offline') > 0)
    summary = `${count(states('behind') + states('offline'), 'folder')} waiting for a device`;
  else summary = running === 1 ? 'In sync' : `All ${running} folders in sync`;
  if (paused > 0 && running > 0) summary += `, ${paused} paused`;
  return { summary, canPause: running > 0, canResume: paused > 0 };
}
