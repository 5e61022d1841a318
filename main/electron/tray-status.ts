/**
 * Keeps the tray current: asks the daemon for its status every few seconds (and at once
 * after a pause or resume) and hands the tray the state to show. No Electron here.
 */
import type { LanfoldClient } from '../api/client.js';
import { trayState, UNREACHABLE, type TrayState } from './tray-state.js';

type StatusSource = Pick<LanfoldClient, 'status'>;

export interface TrayStatusWatch {
  /** Asks for the status now (after the user paused or resumed). */
  refresh(): void;
  stop(): void;
}

export function watchTrayStatus(
  client: StatusSource,
  show: (state: TrayState) => void,
  everyMs = 5000,
): TrayStatusWatch {
  let stopped = false;
  const refresh = (): void => {
    client.status().then(
      (status) => {
        if (!stopped) show(trayState(status));
      },
      () => {
        if (!stopped) show(UNREACHABLE);
      },
    );
  };
  const timer = setInterval(refresh, everyMs);
  timer.unref();
  refresh();
  return {
    refresh,
    stop: () => {
      stopped = true;
      clearInterval(timer);
    },
  };
}
