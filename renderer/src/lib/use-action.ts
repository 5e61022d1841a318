/**
 * Running one user action against the API from a component: `run` calls it (ignored while
 * one is under way), `busy` is true meanwhile, `error` holds what the last run threw until
 * the next run (or `clear`). A result that arrives after the component went away is dropped.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Action<A extends unknown[], T> {
  readonly run: (...args: A) => Promise<T | undefined>;
  readonly busy: boolean;
  readonly error: unknown;
  readonly clear: () => void;
}

export function useAction<A extends unknown[], T>(
  action: (...args: A) => Promise<T>,
): Action<A, T> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const running = useRef(false);
  const mounted = useRef(true);
  const ref = useRef(action);
  ref.current = action;
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (...args: A): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setBusy(true);
    setError(undefined);
    try {
      return await ref.current(...args);
    } catch (err) {
      if (mounted.current) setError(err);
      return undefined;
    } finally {
      running.current = false;
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(undefined), []);
  return { run, busy, error, clear };
}
