/**
 * The tray icon: Open and Quit. The control API has no pause/resume endpoint, so the tray
 * offers none.
 */
import { Menu, Tray, nativeImage } from 'electron';

export interface TrayActions {
  open(): void;
  quit(): void;
}

export function createTray(iconPath: string, actions: TrayActions): Tray {
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Lanfold');
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Lanfold', click: () => actions.open() },
      { type: 'separator' },
      { label: 'Quit', click: () => actions.quit() },
    ]),
  );
  tray.on('click', () => actions.open());
  return tray;
}
