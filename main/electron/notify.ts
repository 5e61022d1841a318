/** Native notifications: shown when the platform supports them, silently skipped otherwise. */
import { Notification } from 'electron';

/** Shows a notification; returns whether one was shown. */
export function showNotification(title: string, body: string): boolean {
  if (!Notification.isSupported()) return false;
  new Notification({ title: title.slice(0, 200), body: body.slice(0, 1000) }).show();
  return true;
}
