/**
 * The daemon: owns the device's folders while it runs (one MasterFolder per master folder),
 * holds the state directory's lock, and notices folders added by the CLI while it runs.
 * Stopping it finishes the version being recorded, so no partial version is ever left.
 */
import { unlinkSync, unwatchFile, watchFile } from 'node:fs';
import type { VersionInfo } from '../engine/entry.js';
import { isLanfoldError } from '../engine/errors.js';
import type { Logger } from '../engine/logger.js';
import { MasterFolder, type ScanProgress } from '../engine/master-folder.js';
import { writeConfig } from './config.js';
import { DeviceState } from './device.js';
import { acquireLock, type DaemonLock } from './lock.js';

export interface DaemonEvents {
  readonly onVersion?: (folderId: string, version: VersionInfo) => void;
  readonly onProgress?: (folderId: string, progress: ScanProgress) => void;
  readonly onFolderError?: (folderId: string, message: string) => void;
}

const RETRY_MS = 5000;

export class Daemon {
  readonly state: DeviceState;
  private readonly folders = new Map<string, MasterFolder>();
  private readonly failed = new Map<string, string>();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly startedAt = Date.now();

  private constructor(
    state: DeviceState,
    private readonly lock: DaemonLock,
    private readonly logger: Logger,
    private readonly events: DaemonEvents,
  ) {
    this.state = state;
  }

  static async start(stateDir: string, logger: Logger, events: DaemonEvents = {}): Promise<Daemon> {
    const state = DeviceState.open(stateDir);
    const lock = acquireLock(state.paths.lock);
    const daemon = new Daemon(state, lock, logger, events);
    try {
      daemon.writeRuntime();
      logger.info(
        { device: state.device.deviceId, folders: state.folders.length },
        'daemon starting',
      );
      await daemon.openFolders(true);
      watchFile(state.paths.folders, { interval: 1000 }, () => void daemon.onFoldersChanged());
      daemon.retryTimer = setInterval(() => void daemon.openFolders(), RETRY_MS);
      daemon.retryTimer.unref();
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  folder(id: string): MasterFolder | undefined {
    return this.folders.get(id);
  }

  /** Folders that could not be opened, with the reason. */
  failures(): ReadonlyMap<string, string> {
    return this.failed;
  }

  /** daemon.json: what `lanfold status` shows about the running daemon. */
  private writeRuntime(): void {
    writeConfig(this.state.paths.runtime, {
      pid: process.pid,
      startedAt: this.startedAt,
      folderErrors: Object.fromEntries(this.failed),
    });
  }

  private async onFoldersChanged(): Promise<void> {
    try {
      this.state.reloadFolders();
    } catch (err) {
      this.logger.error(
        { err },
        'folders.json could not be read; keeping the folders already open',
      );
      return;
    }
    await this.openFolders();
  }

  private async openFolders(initial = false): Promise<void> {
    for (const config of this.state.folders) {
      if (this.stopping || this.folders.has(config.id) || config.role !== 'master') continue;
      let folder: MasterFolder | undefined;
      try {
        folder = new MasterFolder({
          id: config.id,
          root: config.path,
          dataDir: this.state.folderDataDir(config.id),
          settings: config.settings,
          logger: this.logger,
          onVersion: (v) => this.events.onVersion?.(config.id, v),
          onProgress: (p) => this.events.onProgress?.(config.id, p),
        });
        this.folders.set(config.id, folder);
        await folder.start();
        if (this.failed.delete(config.id)) {
          this.logger.info({ folder: config.id }, 'folder is back');
          this.writeRuntime();
        }
      } catch (err) {
        const message = isLanfoldError(err) ? err.toLine() : String(err);
        if (folder) {
          this.folders.delete(config.id);
          await folder.close().catch(() => undefined);
        }
        if (this.failed.get(config.id) !== message) {
          this.logger.error({ folder: config.id, err }, 'folder could not be opened');
          this.events.onFolderError?.(config.id, message);
        }
        this.failed.set(config.id, message);
        this.writeRuntime();
        // A damaged or too-new database needs a person; a missing folder may come back (a disk mounted later).
        if (
          initial &&
          isLanfoldError(err) &&
          (err.code === 'DB_CORRUPT' || err.code === 'DB_TOO_NEW')
        )
          throw err;
      }
    }
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    unwatchFile(this.state.paths.folders);
    for (const folder of this.folders.values()) {
      try {
        await folder.idle();
      } catch (err) {
        this.logger.warn({ err, folder: folder.id }, 'last batch failed while stopping');
      }
      await folder.close();
    }
    this.folders.clear();
    try {
      unlinkSync(this.state.paths.runtime);
    } catch {
      // Not written, or already gone.
    }
    this.logger.info({}, 'daemon stopped');
    this.lock.release();
  }
}
