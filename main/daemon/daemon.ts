/**
 * The daemon: owns the device's folders while it runs (a MasterFolder and its publisher
 * per master folder, a ReplicaFolder per replica folder), the network host, and the
 * state directory's lock. It notices folders and peers changed by the CLI while it runs.
 * Stopping it finishes the version being recorded, so no partial version is ever left.
 */
import { unlinkSync, unwatchFile, watchFile } from 'node:fs';
import { systemClock } from '../engine/clock.js';
import type { VersionInfo } from '../engine/entry.js';
import { isLanfoldError } from '../engine/errors.js';
import type { Logger } from '../engine/logger.js';
import { MasterFolder, type ScanProgress } from '../engine/master-folder.js';
import { ReplicaFolder } from '../engine/replica/replica-folder.js';
import type { FolderConfig } from './config.js';
import { writeConfig } from './config.js';
import { DeviceState } from './device.js';
import { acquireLock, type DaemonLock } from './lock.js';
import { ReplicationHost } from './replication-host.js';

export interface DaemonEvents {
  readonly onVersion?: (folderId: string, version: VersionInfo) => void;
  readonly onProgress?: (folderId: string, progress: ScanProgress) => void;
  readonly onFolderError?: (folderId: string, message: string) => void;
  readonly onConflict?: (folderId: string, path: string, keptAs: string) => void;
}

export interface DaemonOptions {
  /** Overrides the device's listen address (HOST:PORT; port 0 picks a free one). */
  readonly listen?: string;
}

const RETRY_MS = 5000;
const RUNTIME_MS = 1000;

export class Daemon {
  readonly state: DeviceState;
  private readonly masters = new Map<string, MasterFolder>();
  private readonly replicas = new Map<string, ReplicaFolder>();
  private readonly failed = new Map<string, string>();
  private host: ReplicationHost | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private runtimeTimer: NodeJS.Timeout | undefined;
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

  static async start(stateDir: string, logger: Logger, events: DaemonEvents = {}, options: DaemonOptions = {}): Promise<Daemon> {
    const state = DeviceState.open(stateDir);
    const lock = acquireLock(state.paths.lock);
    const daemon = new Daemon(state, lock, logger, events);
    try {
      logger.info({ device: state.device.deviceId, folders: state.folders.length }, 'daemon starting');
      daemon.host = new ReplicationHost(state, logger);
      await daemon.host.listen(options.listen ?? state.device.listen);
      daemon.writeRuntime();
      await daemon.openFolders(true);
      watchFile(state.paths.folders, { interval: 500 }, () => void daemon.onFoldersChanged());
      watchFile(state.paths.peers, { interval: 500 }, () => daemon.onPeersChanged());
      daemon.retryTimer = setInterval(() => void daemon.openFolders(), RETRY_MS);
      daemon.retryTimer.unref();
      daemon.runtimeTimer = setInterval(() => daemon.writeRuntime(), RUNTIME_MS);
      daemon.runtimeTimer.unref();
      daemon.writeRuntime();
    } catch (err) {
      await daemon.stop();
      throw err;
    }
    return daemon;
  }

  get listenPort(): number {
    return this.host?.listenPort ?? 0;
  }

  folder(id: string): MasterFolder | undefined {
    return this.masters.get(id);
  }

  replica(id: string): ReplicaFolder | undefined {
    return this.replicas.get(id);
  }

  /** Folders that could not be opened, with the reason. */
  failures(): ReadonlyMap<string, string> {
    return this.failed;
  }

  /** daemon.json: what `lanfold status` shows about the running daemon. */
  private writeRuntime(): void {
    if (this.stopping) return;
    const folders: Record<string, unknown> = {};
    for (const [id, m] of this.masters) folders[id] = { role: 'master', head: m.head(), replicas: this.host?.replicaStates(id) ?? [], error: m.lastError ?? null };
    for (const [id, r] of this.replicas) folders[id] = { role: 'replica', ...r.status() };
    writeConfig(this.state.paths.runtime, {
      pid: process.pid,
      startedAt: this.startedAt,
      listenPort: this.listenPort,
      folderErrors: Object.fromEntries(this.failed),
      folders,
      peers: this.host?.peerStatus() ?? [],
    });
  }

  private async onFoldersChanged(): Promise<void> {
    try {
      this.state.reloadFolders();
    } catch (err) {
      this.logger.error({ err }, 'folders.json could not be read; keeping the folders already open');
      return;
    }
    await this.openFolders();
  }

  private onPeersChanged(): void {
    try {
      this.state.reloadPeers();
    } catch (err) {
      this.logger.error({ err }, 'peers.json could not be read; keeping the peers already known');
      return;
    }
    this.host?.enforceTrust();
  }

  private async openFolders(initial = false): Promise<void> {
    for (const config of this.state.folders) {
      if (this.stopping || this.masters.has(config.id) || this.replicas.has(config.id)) continue;
      try {
        if (config.role === 'master') await this.openMaster(config);
        else this.openReplica(config);
        if (this.failed.delete(config.id)) {
          this.logger.info({ folder: config.id }, 'folder is back');
          this.writeRuntime();
        }
      } catch (err) {
        const message = isLanfoldError(err) ? err.toLine() : String(err);
        if (this.failed.get(config.id) !== message) {
          this.logger.error({ folder: config.id, err }, 'folder could not be opened');
          this.events.onFolderError?.(config.id, message);
        }
        this.failed.set(config.id, message);
        this.writeRuntime();
        // A damaged or too-new database needs a person; a missing folder may come back (a disk mounted later).
        if (initial && isLanfoldError(err) && (err.code === 'DB_CORRUPT' || err.code === 'DB_TOO_NEW')) throw err;
      }
    }
  }

  private async openMaster(config: FolderConfig): Promise<void> {
    const folder = new MasterFolder({
      id: config.id,
      root: config.path,
      dataDir: this.state.folderDataDir(config.id),
      settings: config.settings,
      logger: this.logger,
      onVersion: (v) => {
        this.host?.onMasterVersion(config.id, v);
        this.events.onVersion?.(config.id, v);
      },
      onProgress: (p) => this.events.onProgress?.(config.id, p),
    });
    this.masters.set(config.id, folder);
    this.host?.addMaster(folder);
    try {
      await folder.start();
    } catch (err) {
      this.masters.delete(config.id);
      await folder.close().catch(() => undefined);
      throw err;
    }
  }

  private openReplica(config: FolderConfig): void {
    const folder = new ReplicaFolder({
      id: config.id,
      root: config.path,
      dataDir: this.state.folderDataDir(config.id),
      deviceId: this.state.device.deviceId,
      clock: systemClock,
      logger: this.logger,
      onVersion: (v) => this.events.onVersion?.(config.id, v),
      onConflict: (p, keptAs) => this.events.onConflict?.(config.id, p, keptAs),
    });
    this.replicas.set(config.id, folder);
    this.host?.addReplica(folder, config.upstreams);
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    if (this.runtimeTimer) clearInterval(this.runtimeTimer);
    unwatchFile(this.state.paths.folders);
    unwatchFile(this.state.paths.peers);
    await this.host?.close();
    for (const folder of this.masters.values()) {
      try {
        await folder.idle();
      } catch (err) {
        this.logger.warn({ err, folder: folder.id }, 'last batch failed while stopping');
      }
      await folder.close();
    }
    this.masters.clear();
    for (const r of this.replicas.values()) await r.close();
    this.replicas.clear();
    try {
      unlinkSync(this.state.paths.runtime);
    } catch {
      // Not written, or already gone.
    }
    this.logger.info({}, 'daemon stopped');
    this.lock.release();
  }
}
