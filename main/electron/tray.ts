/**
 * The tray icon: the sync state as its tooltip and first menu line, Open, Pause syncing or
 * Resume syncing (every folder of the device, through the control API), and Quit.
 */
import { Menu, Tray, nativeImage, type MenuItemConstructorOptions } from 'electron';
import { UNREACHABLE, type TrayState } from './tray-state.js';

export interface TrayActions {
  open(): void;
  pauseAll(): void;
  resumeAll(): void;
  quit(): void;
}

export interface LanfoldTray {
  readonly tray: Tray;
  /** Redraws the tooltip and the menu for a new state. */
  update(state: TrayState): void;
}

function menu(state: TrayState, actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: state.summary, enabled: false },
    { type: 'separator' },
    { label: 'Open Lanfold', click: () => actions.open() },
    { label: 'Pause syncing', enabled: state.canPause, click: () => actions.pauseAll() },
    { label: 'Resume syncing', enabled: state.canResume, click: () => actions.resumeAll() },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

export function createTray(iconPath: string, actions: TrayActions): LanfoldTray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  const update = (state: TrayState): void => {
    tray.setToolTip(`Lanfold: ${state.summary}`);
    tray.setContextMenu(Menu.buildFromTemplate(menu(state, actions)));
  };
  update(UNREACHABLE);
  tray.on('click', () => actions.open());
  return { tray, update };
}
