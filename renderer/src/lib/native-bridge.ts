/**
 * The desktop app's native bits as the UI sees them: the object the Electron preload puts
 * on `window.lanfold` (main/electron/channels.ts, LanfoldBridge). The renderer may not
 * import main/electron, so the shape is written here, and a unit test
 * (test/unit/electron/preload.test.ts) checks that the preload's bridge has it.
 */
export interface NativeBridge {
  /** A native folder picker: the chosen absolute path, or null when cancelled. */
  pickFolder(): Promise<string | null>;
  /** Shows a path in the file manager. */
  revealPath(path: string): Promise<void>;
  notify(title: string, body: string): Promise<void>;
  /** Whether the desktop app starts when the user logs in. */
  getStartAtLogin(): Promise<boolean>;
  /** Sets it; resolves with the setting now in effect. */
  setStartAtLogin(on: boolean): Promise<boolean>;
}
