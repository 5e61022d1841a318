/**
 * Native notifications in the desktop app: a conflict on a replica and a folder that fails
 * are told even when the window is in the background. `notificationFor` picks the events
 * and words them (pure); `useNativeNotifications` sends them through the preload bridge,
 * and does nothing in a browser.
 */
import { useApiEvents } from '../api/connection';
import type { ApiEvent } from '../api/types';
import { nativeBridge } from '../lib/native';

export interface NotificationText {
  readonly title: string;
  readonly body: string;
}

export function notificationFor(e: ApiEvent): NotificationText | undefined {
  switch (e.type) {
    case 'conflict':
      return {
        title: `Conflict in ${e.folder}`,
        body: `The master changed ${e.path}, which you had edited here. Your version was kept as ${e.keptAs}.`,
      };
    case 'folder-error':
      return { title: `Lanfold: ${e.folder} has a problem`, body: e.message };
    default:
      return undefined;
  }
}

export function useNativeNotifications(): void {
  useApiEvents((e) => {
    const bridge = nativeBridge();
    const text = bridge && notificationFor(e);
    if (bridge && text) void bridge.notify(text.title, text.body).catch(() => undefined);
  });
}
