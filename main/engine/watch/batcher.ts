/**
 * Turns a stream of path events into batches: a batch closes when no event arrived for
 * `quietMs` (the files have been stable that long) or when it has been open `maxDelayMs`
 * (so a file written non-stop does not hold back everything else). Pure timing logic
 * over an injected Clock; one batch is later recorded as one version.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { RelPath } from '../relpath.js';

export interface BatcherOptions {
  readonly quietMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = { quietMs: 30, maxDelayMs: 2000 };

export interface Batch {
  readonly paths: ReadonlySet<RelPath>;
  /** Time of the first and the last event in the batch. */
  readonly openedAt: number;
  readonly lastEventAt: number;
  /** True when the whole folder must be rescanned (an overflow, or the ignore file changed). */
  readonly full: boolean;
}

export class Batcher {
  private paths = new Set<RelPath>();
  private full = false;
  private openedAt = 0;
  private lastEventAt = 0;
  private quietTimer: TimerHandle | undefined;
  private maxTimer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly onBatch: (batch: Batch) => void,
    private readonly options: BatcherOptions = DEFAULT_BATCHER_OPTIONS,
  ) {}

  /** Notes that `path` changed (or, with no path, that the whole folder must be rescanned). */
  touch(path?: RelPath): void {
    const now = this.clock.now();
    if (this.paths.size === 0 && !this.full) {
      this.openedAt = now;
      this.maxTimer = this.clock.setTimeout(() => this.flush(), this.options.maxDelayMs);
    }
    if (path === undefined) this.full = true;
    else this.paths.add(path);
    this.lastEventAt = now;
    this.quietTimer?.cancel();
    this.quietTimer = this.clock.setTimeout(() => this.flush(), this.options.quietMs);
  }

  /** True while a batch is open. */
  get pending(): boolean {
    return this.paths.size > 0 || this.full;
  }

  /** Closes the open batch now, if any. */
  flush(): void {
    this.quietTimer?.cancel();
    this.maxTimer?.cancel();
    this.quietTimer = this.maxTimer = undefined;
    if (!this.pending) return;
    const batch: Batch = {
      paths: this.paths,
      openedAt: this.openedAt,
      lastEventAt: this.lastEventAt,
      full: this.full,
    };
    this.paths = new Set();
    this.full = false;
    this.onBatch(batch);
  }

  /** Drops the open batch and its timers (on shutdown; a rescan at start finds it again). */
  dispose(): void {
    this.quietTimer?.cancel();
    this.maxTimer?.cancel();
    this.paths = new Set();
    this.full = false;
  }
}
