/**
 * Loading data from the API in a component: the latest result, the error if the last load
 * failed, and `reload`. A reload keeps showing the previous data (no flicker); a result
 * that arrives after the inputs changed is dropped. Reloads asked for while one is running
 * are coalesced into one more load after it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface Query<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  /** True until the first load for the current key finished. */
  readonly loading: boolean;
  readonly reload: () => void;
}

export function useQuery<T>(key: string, load: () => Promise<T>): Query<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: unknown; done: boolean }>({
    key,
    done: false,
  });
  const loadRef = useRef(load);
  loadRef.current = load;
  const running = useRef<{ key: string; again: boolean } | undefined>(undefined);

  const run = useCallback((k: string) => {
    if (running.current?.key === k) {
      running.current.again = true;
      return;
    }
    const mine = { key: k, again: false };
    running.current = mine;
    loadRef
      .current()
      .then(
        (data) => {
          if (running.current !== mine) return;
          setState({ key: k, data, done: true });
        },
        (error: unknown) => {
          if (running.current !== mine) return;
          setState((s) => ({ key: k, data: s.key === k ? s.data : undefined, error, done: true }));
        },
      )
      .finally(() => {
        if (running.current !== mine) return;
        running.current = undefined;
        if (mine.again) run(k);
      });
  }, []);

  useEffect(() => {
    run(key);
    return () => {
      running.current = undefined;
    };
  }, [key, run]);

  const reload = useCallback(() => run(key), [key, run]);
  const current = state.key === key;
  return {
    data: current ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current || !state.done,
    reload,
  };
}
