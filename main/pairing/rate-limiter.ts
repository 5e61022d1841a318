/**
 * Counts wrong pairing tries in a sliding window: once `maxFailures` tries failed within
 * `windowMs`, the next one is refused without looking at it. A try counts as failed from
 * the moment it starts (the inviter cannot tell a wrong code from a peer that gives up
 * half-way), and is taken back when it succeeds.
 */
import type { Clock } from '../engine/clock.js';

export interface RateLimiterOptions {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly clock: Pick<Clock, 'now'>;
}

export const DEFAULT_PAIR_LIMIT = { maxFailures: 4, windowMs: 60_000 } as const;

/** A started try: settle it with `succeeded()`; otherwise it stays counted as a failure. */
export interface AttemptTicket {
  succeeded(): void;
}

export class AttemptLimiter {
  private failures: { at: number; id: number }[] = [];
  private nextId = 0;

  constructor(private readonly options: RateLimiterOptions) {}

  /** Failed tries within the window now. */
  recentFailures(): number {
    this.prune();
    return this.failures.length;
  }

  /** Ms until the next try is allowed (0: allowed now). */
  retryAfterMs(): number {
    this.prune();
    if (this.failures.length < this.options.maxFailures) return 0;
    const oldest = this.failures[this.failures.length - this.options.maxFailures]!;
    return Math.max(0, oldest.at + this.options.windowMs - this.options.clock.now());
  }

  /** Starts a try (counted as failed until it succeeds), or undefined when refused. */
  begin(): AttemptTicket | undefined {
    if (this.retryAfterMs() > 0) return undefined;
    const entry = { at: this.options.clock.now(), id: this.nextId++ };
    this.failures.push(entry);
    return {
      succeeded: () => {
        this.failures = this.failures.filter((f) => f !== entry);
      },
    };
  }

  private prune(): void {
    const cutoff = this.options.clock.now() - this.options.windowMs;
    this.failures = this.failures.filter((f) => f.at > cutoff);
  }
}
