/**
 * The daemon: owns the device's folders while it runs (a MasterFolder and its publisher
 * per master folder, a ReplicaFolder per replica folder), the network host, and the
 * state directory's lock. It notices folders and peers changed by the CLI while it runs.
 * Stopping it finishes the version being recorded, so no partial version is ever left.
 */
import type { CoordinatorStatus } from '../engine/twophase/coordinator.js';
import { unlinkSync, unwatchFile, watchFile } from 'node:fs';
import { systemClock } from '../engine/clock.js';
import type { VersionInfo } from '../engine/entry.js';
import { errnoCode, isLanfoldError } from '../engine/errors.js';
import type { FolderSettings } from '../engine/folder-settings.js';
import type { Logger } from '../engine/logger.js';
import { MasterFolder, type ScanProgress } from '../engine/master-folder.js';
import { ReplicaFolder } from '../engine/replica/replica-folder.js';
import type { ReplicaState } from '../engine/replication/publisher.js';
import { ApiEventHub, ApiServer, loadOrCreateToken, type ControlBackend } from './api/index.js';
import type { FolderConfig } from './config.js';
import { writeConfig } from './config.js';
import { DeviceState } from './device.js';
import { acquireLock, type DaemonLock } from './lock.js';
import { LanControl } from './lan-control.js';
import { OfferStore, offersPath } from './offers.js';
import { ReplicationHost, type PeerStatus } from './replication-host.js';
import { processWire } from '../transport/tls-link.js';

export interface DaemonEvents {
  readonly onVersion?: (folderId: string, version: VersionInfo) => void;
  readonly onProgress?: (folderId: string, progress: ScanProgress) => void;
  readonly onFolderError?: (folderId: string, message: string) => void;
  readonly onConflict?: (folderId: string, path: string, keptAs: string) => void;
  /** A trusted device connected, or its connection ended. */
  readonly onPeer?: (deviceId: string, name: string, connected: boolean) => void;
  /** A device was paired with this one (either side of the pairing). */
  readonly onPaired?: (deviceId: string, name: string) => void;
  /** A master offered a folder to this device. */
  readonly onOffer?: (folderId: string, from: string) => void;
  /** A folder was paused or resumed on this device. */
  readonly onPaused?: (folderId: string, paused: boolean) => void;
  /** A replica folder's transfer advanced. */
  readonly onTransfer?: (
    folderId: string,
    progress: { bytes: number; files: number; totalFiles: number },
  ) => void;
}

/** Calls each hook of both: whoever started the daemon, and the control API's event hub. */
function bothEvents(a: DaemonEvents, b: Required<DaemonEvents>): DaemonEvents {
  return {
    onVersion: (f, v) => (a.onVersion?.(f, v), b.onVersion(f, v)),
    onProgress: (f, p) => (a.onProgress?.(f, p), b.onProgress(f, p)),
    onFolderError: (f, m) => (a.onFolderError?.(f, m), b.onFolderError(f, m)),
    onConflict: (f, p, k) => (a.onConflict?.(f, p, k), b.onConflict(f, p, k)),
    onPeer: (d, n, c) => (a.onPeer?.(d, n, c), b.onPeer(d, n, c)),
    onPaired: (d, n) => (a.onPaired?.(d, n), b.onPaired(d, n)),
    onOffer: (f, d) => (a.onOffer?.(f, d), b.onOffer(f, d)),
    onTransfer: (f, p) => (a.onTransfer?.(f, p), b.onTransfer(f, p)),
    onPaused: (f, p) => (a.onPaused?.(f, p), b.onPaused(f, p)),
  };
}

export interface DaemonOptions {
  /** Overrides the device's listen address (HOST:PORT; port 0 picks a free one). */
  readonly listen?: string;
  /** Overrides the device's control API address (loopback HOST:PORT; port 0 picks one). */
  readonly gui?: string;
  /** The renderer build the control API serves (default: renderer/dist of this package). */
  readonly staticDir?: string;
}

const RETRY_MS = 5000;
const RUNTIME_MS = 1000;

export class Daemon implements ControlBackend {
  readonly state: DeviceState;
  private readonly masters = new Map<string, MasterFolder>();
  private readonly replicas = new Map<string, ReplicaFolder>();
  private readonly failed = new Map<string, string>();
  private host: ReplicationHost | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private runtimeTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  readonly startedAt = Date.now();
  private readonly events: DaemonEvents;
  private readonly hub: ApiEventHub;
  private api: ApiServer | undefined;
  private apiError: string | undefined;
  /** Each open master's settings object, updated in place by applySettings. */
  private readonly liveSettings = new Map<string, FolderSettings>();

  private constructor(
    state: DeviceState,
    private readonly lock: DaemonLock,
    private readonly logger: Logger,
    events: DaemonEvents,
  ) {
    this.state = state;
    this.hub = new ApiEventHub(logger);
    this.events = bothEvents(events, this.hub);
    this.offers = new OfferStore(offersPath(state.paths.dir));
    this.lan = new LanControl({
      state,
      offers: this.offers,
      logger,
      host: () => this.host,
      openNewFolders: () => this.openFolders(),
    });
  }

  readonly offers: OfferStore;
  /** Pairing, discovery and offers, for the CLI and the control API. */
  readonly lan: LanControl;

  static async start(
    stateDir: string,
    logger: Logger,
    events: DaemonEvents = {},
    options: DaemonOptions = {},
  ): Promise<Daemon> {
    const state = DeviceState.open(stateDir);
    const lock = acquireLock(state.paths.lock);
    const daemon = new Daemon(state, lock, logger, events);
    try {
      logger.info(
        { device: state.device.deviceId, folders: state.folders.length },
        'daemon starting',
      );
      daemon.host = new ReplicationHost(state, logger, daemon.offers, {
        onPeer: (id, name, connected) => daemon.events.onPeer?.(id, name, connected),
        onPaired: (d) => daemon.events.onPaired?.(d.deviceId, d.name),
        onOffer: (folderId, from) => daemon.events.onOffer?.(folderId, from),
      });
      daemon.syncPaused();
      await daemon.host.listen(options.listen ?? state.device.listen);
      daemon.host.refreshDials();
      daemon.lan.startDiscovery();
      await daemon.startApi(options.gui ?? state.device.gui, options.staticDir);
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

  /** The control API's HOST:PORT, or undefined when it is not running (see `guiError`). */
  get guiAddress(): string | undefined {
    return this.api?.listening;
  }

  /** Why the control API is not running, if it is not. */
  get guiError(): string | undefined {
    return this.apiError;
  }

  replicaStates(folderId: string): readonly ReplicaState[] {
    return this.host?.replicaStates(folderId) ?? [];
  }

  twoPhaseStatus(folderId: string): CoordinatorStatus | undefined {
    return this.host?.twoPhaseStatus(folderId);
  }

  peerStatus(): readonly PeerStatus[] {
    return this.host?.peerStatus() ?? [];
  }

  /** Opens folders added to the configuration since (without waiting for the file watch). */
  openNewFolders(): Promise<void> {
    return this.openFolders();
  }

  isPaused(folderId: string): boolean {
    return this.host?.isPaused(folderId) ?? false;
  }

  /** folders.json's pause states changed: pause and resume folders to match. */
  pausedChanged(): void {
    this.syncPaused();
  }

  private syncPaused(): void {
    for (const f of this.state.folders) {
      if (this.host?.setPaused(f.id, f.paused)) this.events.onPaused?.(f.id, f.paused);
    }
  }

  /** The trusted devices changed: drop the untrusted, dial the new. */
  peersChanged(): void {
    this.host?.enforceTrust();
    this.lan.forgetRemoved();
  }

  /**
   * Gives an open master its new settings. The folder reads its settings object whenever it
   * records, so the commit mode, atomic patterns and retention apply to the next version;
   * the batch timings are fixed when the folder opens (true: a restart is needed for them).
   */
  applySettings(folderId: string, settings: FolderSettings): boolean {
    const live = this.liveSettings.get(folderId);
    if (!live) return false;
    const restart =
      live.batchQuietMs !== settings.batchQuietMs ||
      live.batchMaxDelayMs !== settings.batchMaxDelayMs;
    Object.assign(live, settings);
    this.host?.settingsChanged(folderId);
    return restart;
  }

  /** Starts the control API; a failure is logged and shown in status, never fatal. */
  private async startApi(address: string, staticDir: string | undefined): Promise<void> {
    let api: ApiServer | undefined;
    try {
      const token = loadOrCreateToken(this.state.paths.apiToken);
      api = new ApiServer({
        backend: this,
        hub: this.hub,
        token,
        logger: this.logger,
        ...(staticDir !== undefined ? { staticDir } : {}),
      });
      await api.listen(address);
      this.api = api;
    } catch (err) {
      await api?.close();
      this.apiError = isLanfoldError(err)
        ? err.toLine()
        : `cannot listen on ${address}: ${errnoCode(err) ?? String(err)}`;
      this.logger.error({ err, address }, 'control API not started');
    }
  }

  /** daemon.json: what `lanfold status` shows about the running daemon. */
  private writeRuntime(): void {
    if (this.stopping) return;
    const folders: Record<string, unknown> = {};
    for (const [id, m] of this.masters)
      folders[id] = {
        role: 'master',
        head: m.head(),
        replicas: this.host?.replicaStates(id) ?? [],
        twoPhase: this.host?.twoPhaseStatus(id) ?? null,
        error: m.lastError ?? null,
      };
    for (const [id, r] of this.replicas) {
      const relay = this.state.folders.find((f) => f.id === id)?.relay ?? false;
      folders[id] = {
        role: 'replica',
        ...r.status(),
        upstream: this.host?.currentUpstream(id) ?? null,
        relay,
        replicas: this.host?.replicaStates(id) ?? [],
        // The hop below a relay; a replica that does not relay coordinates nothing.
        twoPhase: relay ? (this.host?.twoPhaseStatus(id) ?? null) : null,
      };
    }
    // A snapshot rewritten every second (and at start): atomic, but not fsynced.
    writeConfig(
      this.state.paths.runtime,
      {
        pid: process.pid,
        startedAt: this.startedAt,
        listenPort: this.listenPort,
        gui: this.api?.listening ?? null,
        guiError: this.apiError ?? null,
        folderErrors: Object.fromEntries(this.failed),
        folders,
        peers: this.host?.peerStatus() ?? [],
        wire: { ...processWire },
      },
      { durable: false },
    );
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
    this.syncPaused();
    // Settings changed by the CLI apply to the open masters at once.
    for (const config of this.state.folders)
      if (config.role === 'master' && this.masters.has(config.id)) {
        this.applySettings(config.id, config.settings);
      } else void this.replicas.get(config.id)?.setAtomicView(config.atomicView);
    await this.openFolders();
    this.host?.offerToConnected();
  }

  private onPeersChanged(): void {
    try {
      this.state.reloadPeers();
    } catch (err) {
      this.logger.error({ err }, 'peers.json could not be read; keeping the peers already known');
      return;
    }
    this.host?.enforceTrust();
    this.lan.forgetRemoved();
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
        // A damaged or too-new database needs a person: at start it stops the daemon, and
        // whoever started it reports the error (once). A missing folder may come back (a disk
        // mounted later), so that is retried.
        if (
          initial &&
          isLanfoldError(err) &&
          (err.code === 'DB_CORRUPT' || err.code === 'DB_TOO_NEW')
        ) {
          this.logger.error({ folder: config.id, err }, 'folder could not be opened');
          throw err;
        }
        const message = isLanfoldError(err) ? err.toLine() : String(err);
        if (this.failed.get(config.id) !== message) {
          this.logger.error({ folder: config.id, err }, 'folder could not be opened');
          this.events.onFolderError?.(config.id, message);
        }
        this.failed.set(config.id, message);
        this.writeRuntime();
      }
    }
  }

  private async openMaster(config: FolderConfig): Promise<void> {
    const settings = { ...config.settings };
    const folder = new MasterFolder({
      id: config.id,
      root: config.path,
      dataDir: this.state.folderDataDir(config.id),
      settings,
      logger: this.logger,
      onVersion: (v) => {
        this.host?.onMasterVersion(config.id, v);
        this.events.onVersion?.(config.id, v);
      },
      onProgress: (p) => this.events.onProgress?.(config.id, p),
    });
    this.masters.set(config.id, folder);
    this.liveSettings.set(config.id, settings);
    this.host?.addMaster(folder);
    try {
      await folder.start();
    } catch (err) {
      this.masters.delete(config.id);
      this.liveSettings.delete(config.id);
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
      onVersion: (v) => {
        this.host?.onRelayVersion(config.id, v);
        this.events.onVersion?.(config.id, v);
      },
      onConflict: (p, keptAs) => this.events.onConflict?.(config.id, p, keptAs),
      onProgress: (p) => this.events.onTransfer?.(config.id, p),
      atomicView: config.atomicView,
    });
    this.replicas.set(config.id, folder);
    // Every replica folder can relay; its publisher accepts subscriptions while `relay` is on.
    this.host?.addRelay(folder);
    this.host?.addReplica(folder, config.upstreams);
    folder
      .watchLocal()
      .catch((err: unknown) =>
        this.logger.warn({ err, folder: config.id }, 'watching a replica folder failed'),
      );
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.retryTimer) clearInterval(this.retryTimer);
    if (this.runtimeTimer) clearInterval(this.runtimeTimer);
    unwatchFile(this.state.paths.folders);
    unwatchFile(this.state.paths.peers);
    await this.api?.close();
    await this.lan.stopDiscovery();
    this.hub.close();
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
