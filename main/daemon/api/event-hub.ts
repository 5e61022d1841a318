/**
 * The live events of the control API. The daemon calls its hooks (the DaemonEvents shape:
 * onVersion, onProgress, ...); it fans each event out to the subscribed WebSocket clients,
 * coalesces progress (at most one event per folder every 200 ms), keeps each folder's latest
 * progress for status, and sends status snapshots: every second while the status changes,
 * and at least every 5 s.
 */
import type { ApiEvent, Progress, Status } from '../../api/contract.js';
import type { VersionInfo } from '../../engine/entry.js';
import type { Logger } from '../../engine/logger.js';
import type { ScanProgress } from '../../engine/master-folder.js';

export type EventListener = (text: string, event: ApiEvent) => void;

interface Track {
  progress: Progress;
  phaseStartedAt: number;
  phaseStartBytes: number;
  updatedAt: number;
}

const PROGRESS_EVERY_MS = 200;
/** Progress not updated for this long is over (a scan that found nothing makes no version). */
const PROGRESS_STALE_MS = 3000;
const SNAPSHOT_EVERY_MS = 1000;
const SNAPSHOT_AT_LEAST_MS = 5000;

export class ApiEventHub {
  private readonly listeners = new Set<EventListener>();
  private readonly tracks = new Map<string, Track>();
  private readonly progressDue = new Set<string>();
  private progressTimer: NodeJS.Timeout | undefined;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotSource: (() => Status) | undefined;
  private lastSnapshot = '';
  private lastSnapshotAt = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    this.startSnapshots();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopSnapshots();
    };
  }

  /** Where status snapshots come from (the server sets it once it runs). */
  setSnapshotSource(source: (() => Status) | undefined): void {
    this.snapshotSource = source;
    if (source === undefined) this.stopSnapshots();
    else this.startSnapshots();
  }

  /** The current status as an event (sent to each client as it connects). */
  statusEvent(): ApiEvent | undefined {
    const status = this.snapshotSource?.();
    return status && { type: 'status', status };
  }

  /** The latest progress of a folder's scan or transfer, or null when none is under way. */
  progressOf(folder: string): Progress | null {
    const t = this.tracks.get(folder);
    if (!t) return null;
    if (this.now() - t.updatedAt > PROGRESS_STALE_MS) {
      this.tracks.delete(folder);
      return null;
    }
    return t.progress;
  }

  publish(event: ApiEvent): void {
    if (this.listeners.size === 0) return;
    const text = JSON.stringify(event);
    for (const listener of [...this.listeners]) {
      try {
        listener(text, event);
      } catch (err) {
        this.logger.warn({ err }, 'an API event listener failed');
      }
    }
  }

  // The DaemonEvents hooks.

  readonly onVersion = (folder: string, v: VersionInfo): void => {
    this.tracks.delete(folder);
    this.progressDue.delete(folder);
    this.publish({ type: 'version', folder, version: { ...v } });
  };

  readonly onProgress = (folder: string, p: ScanProgress): void => {
    const walking = p.phase === 'walking';
    this.track(folder, {
      phase: p.phase,
      filesDone: p.files,
      filesTotal: walking ? null : p.totalFiles,
      bytesDone: p.bytes,
      bytesTotal: walking ? null : p.totalBytes,
    });
  };

  readonly onTransfer = (
    folder: string,
    p: { bytes: number; files: number; totalFiles: number },
  ): void => {
    this.track(folder, {
      phase: 'fetching',
      filesDone: null,
      filesTotal: p.totalFiles,
      bytesDone: p.bytes,
      bytesTotal: null,
    });
  };

  readonly onFolderError = (folder: string, message: string): void => {
    this.publish({ type: 'folder-error', folder, message });
  };

  readonly onConflict = (folder: string, path: string, keptAs: string): void => {
    this.publish({ type: 'conflict', folder, path, keptAs });
  };

  readonly onPeer = (deviceId: string, name: string, connected: boolean): void => {
    this.publish({ type: 'peer', deviceId, name, connected });
  };

  readonly onPaired = (): void => {
    this.publish({ type: 'config', what: 'peers' });
  };

  readonly onOffer = (): void => {
    this.publish({ type: 'config', what: 'offers' });
  };

  readonly onPaused = (folder: string, paused: boolean): void => {
    this.publish({ type: 'paused', folder, paused });
  };

  /** Stops the timers (the daemon is stopping). */
  close(): void {
    this.stopSnapshots();
    if (this.progressTimer) clearTimeout(this.progressTimer);
    this.progressTimer = undefined;
    this.listeners.clear();
  }

  private track(folder: string, p: Omit<Progress, 'bytesPerSecond'>): void {
    const now = this.now();
    const old = this.tracks.get(folder);
    const samePhase =
      old && old.progress.phase === p.phase && old.progress.bytesDone <= p.bytesDone;
    const phaseStartedAt = samePhase ? old.phaseStartedAt : now;
    const phaseStartBytes = samePhase ? old.phaseStartBytes : p.bytesDone;
    const seconds = (now - phaseStartedAt) / 1000;
    const bytesPerSecond =
      seconds > 0.1 ? Math.round((p.bytesDone - phaseStartBytes) / seconds) : 0;
    this.tracks.set(folder, {
      progress: { ...p, bytesPerSecond },
      phaseStartedAt,
      phaseStartBytes,
      updatedAt: now,
    });
    this.progressDue.add(folder);
    if (this.progressTimer === undefined && this.listeners.size > 0) {
      this.progressTimer = setTimeout(() => this.flushProgress(), PROGRESS_EVERY_MS);
      this.progressTimer.unref();
    }
  }

  private flushProgress(): void {
    this.progressTimer = undefined;
    for (const folder of this.progressDue) {
      const t = this.tracks.get(folder);
      if (t) this.publish({ type: 'progress', folder, progress: t.progress });
    }
    this.progressDue.clear();
  }

  private startSnapshots(): void {
    if (this.snapshotTimer || this.listeners.size === 0 || !this.snapshotSource) return;
    this.snapshotTimer = setInterval(() => this.snapshot(), SNAPSHOT_EVERY_MS);
    this.snapshotTimer.unref();
  }

  private stopSnapshots(): void {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    this.snapshotTimer = undefined;
  }

  /** Sends the status when it changed, or when the last one is 5 s old. */
  private snapshot(): void {
    let event: ApiEvent | undefined;
    try {
      event = this.statusEvent();
    } catch (err) {
      this.logger.warn({ err }, 'building a status snapshot failed');
      return;
    }
    if (!event) return;
    const text = JSON.stringify(event);
    const now = this.now();
    if (text === this.lastSnapshot && now - this.lastSnapshotAt < SNAPSHOT_AT_LEAST_MS) return;
    this.lastSnapshot = text;
    this.lastSnapshotAt = now;
    this.publish(event);
  }
}
