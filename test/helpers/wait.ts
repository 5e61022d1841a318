/** Polling helpers: tests wait for a condition, never for a fixed time alone. */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long (default 20 s: the machine may be busy). */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** What is awaited, for the error message. */
  readonly what?: string;
}

/**
 * Calls `probe` until it returns something other than undefined/false, and returns that.
 * Throws with `what` (and the last probe error, if any) when the time runs out.
 */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions = {},
): Promise<T> {
  const timeout = options.timeoutMs ?? 20_000;
  const interval = options.intervalMs ?? 10;
  const deadline = Date.now() + timeout;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(
        `timed out after ${timeout} ms waiting for ${options.what ?? 'a condition'}${why}`,
        {
          cause: lastError,
        },
      );
    }
    await sleep(interval);
  }
}

/** Resolves after `ms`; only for checking that nothing more happens, never to synchronise. */
export function quietPeriod(ms: number): Promise<void> {
  return sleep(ms).then(() => undefined);
}
