/**
 * Turns a stream of path events into batches: a batch closes when no event arrived for
 * `quietMs` (the files have been stable that long) or when it has been open `maxDelayMs`
 * (so a file written non-stop does not hold back everything else). In the second case the
 * paths still changing (an event within `quietMs`) stay in the next batch: a file in the
 * middle of being written is not recorded half-written, unless it has been changing for
 * `maxHoldMs` (then it is recorded as it is, and again when it settles). Pure timing logic
 * over an injected Clock; one batch is later recorded as one version.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { RelPath } from '../relpath.js';

export interface BatcherOptions {
  readonly quietMs: number;
  readonly maxDelayMs: number;
  /** How long a path that never settles is held back from batches closed by `maxDelayMs`. */
  readonly maxHoldMs?: number;
}

export const DEFAULT_BATCHER_OPTIONS: BatcherOptions = {
  quietMs: 30,
  maxDelayMs: 2000,
  maxHoldMs: 30_000,
};

export interface Batch {
  readonly paths: ReadonlySet<RelPath>;
  /** Time of the first and the last event in the batch. */
  readonly openedAt: number;
  readonly lastEventAt: number;
  /** True when the whole folder must be rescanned (an overflow, or the ignore file changed). */
  readonly full: boolean;
}

export class Batcher {
  /** Open paths: time of their first and last event in the open batch. */
  private paths = new Map<RelPath, { first: number; last: number }>();
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
    if (!this.pending) {
      this.openedAt = now;
      this.armMax();
    }
    if (path === undefined) this.full = true;
    else this.paths.set(path, { first: this.paths.get(path)?.first ?? now, last: now });
    this.lastEventAt = now;
    this.quietTimer?.cancel();
    this.quietTimer = this.clock.setTimeout(() => this.flush(), this.options.quietMs);
  }

  /** True while a batch is open. */
  get pending(): boolean {
    return this.paths.size > 0 || this.full;
  }

  /** Closes the open batch now, if any, with every path in it. */
  flush(): void {
    this.quietTimer?.cancel();
    this.maxTimer?.cancel();
    this.quietTimer = this.maxTimer = undefined;
    if (!this.pending) return;
    const { paths, full } = this;
    this.paths = new Map(); // reset first: the callback may touch paths again
    this.full = false;
    this.emit(paths, full);
  }

  /** Drops the open batch and its timers (on shutdown; a rescan at start finds it again). */
  dispose(): void {
    this.quietTimer?.cancel();
    this.maxTimer?.cancel();
    this.paths = new Map();
    this.full = false;
  }

  private armMax(): void {
    this.maxTimer = this.clock.setTimeout(() => this.flushSettled(), this.options.maxDelayMs);
  }

  /** The batch has been open `maxDelayMs`: closes it with the paths that settled. */
  private flushSettled(): void {
    this.maxTimer = undefined;
    if (this.full) return this.flush();
    const now = this.clock.now();
    const hold = this.options.maxHoldMs ?? 0;
    const settled = new Map<RelPath, { first: number; last: number }>();
    const busy = new Map<RelPath, { first: number; last: number }>();
    for (const [p, t] of this.paths) {
      const changing = now - t.last < this.options.quietMs && now - t.first < hold;
      (changing ? busy : settled).set(p, t);
    }
    if (busy.size === 0) return this.flush();
    this.paths = busy;
    const openedAt = this.openedAt;
    this.openedAt = now;
    if (settled.size > 0) this.emit(settled, false, openedAt);
    this.armMax(); // the quiet timer still runs for the paths held back
  }

  private emit(
    paths: ReadonlyMap<RelPath, { first: number; last: number }>,
    full: boolean,
    openedAt = this.openedAt,
  ): void {
    let last = 0;
    for (const t of paths.values()) last = Math.max(last, t.last);
    const batch: Batch = {
      paths: new Set(paths.keys()),
      openedAt,
      lastEventAt: full ? this.lastEventAt : last,
      full,
    };
    this.onBatch(batch);
  }
}
