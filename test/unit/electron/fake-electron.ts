/**
 * A fake of the parts of the 'electron' module the desktop shell uses, for vi.mock: it
 * records what the code under test asked for, so tests can assert on it and drive events.
 */
import { vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

/** A minimal event emitter recording listeners by event name. */
class Emitter {
  readonly listeners = new Map<string, Listener[]>();
  on(event: string, listener: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  once(event: string, listener: Listener): this {
    return this.on(event, listener);
  }
  emit(event: string, ...args: unknown[]): unknown[] {
    return (this.listeners.get(event) ?? []).map((l) => l(...args));
  }
}

export class FakeWebContents extends Emitter {
  readonly session = {
    permissionHandler: undefined as
      | ((contents: unknown, permission: string, callback: (granted: boolean) => void) => void)
      | undefined,
    setPermissionRequestHandler(
      handler: (
        contents: unknown,
        permission: string,
        callback: (granted: boolean) => void,
      ) => void,
    ): void {
      this.permissionHandler = handler;
    },
  };
  windowOpenHandler: ((details: { url: string }) => { action: string }) | undefined;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
}

export class BrowserWindow extends Emitter {
  static readonly created: BrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly loadURL = vi.fn(() => Promise.resolve());
  readonly show = vi.fn();
  readonly focus = vi.fn();
  readonly restore = vi.fn();
  minimized = false;
  destroyed = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

type Handle = (event: unknown, ...args: unknown[]) => Promise<unknown>;

export const ipcMain = {
  handlers: new Map<string, Handle>(),
  handle: vi.fn((channel: string, handler: Handle) => {
    ipcMain.handlers.set(channel, handler);
  }),
  removeHandler: vi.fn((channel: string) => {
    ipcMain.handlers.delete(channel);
  }),
};

export const ipcRenderer = {
  invoke: vi.fn((_channel: string, ..._args: unknown[]) => Promise.resolve<unknown>(undefined)),
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: vi.fn((name: string, api: unknown) => {
    contextBridge.exposed.set(name, api);
  }),
};

export const dialog = {
  showOpenDialog: vi.fn(() =>
    Promise.resolve<{ canceled: boolean; filePaths: string[] }>({ canceled: true, filePaths: [] }),
  ),
  showErrorBox: vi.fn(),
};

export const shell = {
  showItemInFolder: vi.fn(),
  openExternal: vi.fn(() => Promise.resolve()),
};

export class Notification {
  static supported = true;
  static readonly shown: { title: string; body: string }[] = [];
  static isSupported(): boolean {
    return Notification.supported;
  }
  constructor(private readonly options: { title: string; body: string }) {}
  show(): void {
    Notification.shown.push(this.options);
  }
}

export const Menu = {
  buildFromTemplate: vi.fn((template: unknown[]) => ({ template })),
};

export const nativeImage = {
  createFromPath: vi.fn((p: string) => ({ path: p })),
};

export class Tray extends Emitter {
  static readonly created: Tray[] = [];
  menu: unknown;
  readonly setToolTip = vi.fn();
  readonly destroy = vi.fn();
  constructor(readonly image: unknown) {
    super();
    Tray.created.push(this);
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
}

class FakeApp extends Emitter {
  singleInstance = true;
  openAtLogin = false;
  readonly getLoginItemSettings = vi.fn(() => ({ openAtLogin: this.openAtLogin }));
  readonly setLoginItemSettings = vi.fn((s: { openAtLogin: boolean }) => {
    this.openAtLogin = s.openAtLogin;
  });
  readonly quit = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => this.singleInstance);
  readonly whenReady = vi.fn(() => Promise.resolve());
}

export const app = new FakeApp();

/** Forgets everything recorded, between tests. */
export function resetFakes(): void {
  app.openAtLogin = false;
  BrowserWindow.created.length = 0;
  Tray.created.length = 0;
  Notification.shown.length = 0;
  Notification.supported = true;
  ipcMain.handlers.clear();
  contextBridge.exposed.clear();
  app.listeners.clear();
  app.singleInstance = true;
  vi.clearAllMocks();
}
