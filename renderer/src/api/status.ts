/**
 * The daemon's status, shared by the sidebar and the overview: loaded once, then replaced by
 * each status event the daemon pushes (on connecting, every second while it changes, and at
 * least every 5 s), and reloaded when the configuration changes.
 */
import { useCallback, useEffect, useState } from 'react';
import type { Query } from '../lib/use-query';
import { useApiEvents, useClient } from './connection';
import type { Status } from './types';

export function useStatus(): Query<Status> {
  const client = useClient();
  const [data, setData] = useState<Status>();
  const [error, setError] = useState<unknown>();
  const reload = useCallback(() => {
    client.status().then(
      (s) => {
        setData(s);
        setError(undefined);
      },
      (err: unknown) => setError(err),
    );
  }, [client]);
  useEffect(reload, [reload]);
  useApiEvents((e) => {
    if (e.type === 'status') {
      setData(e.status);
      setError(undefined);
    } else if (e.type === 'config' || e.type === 'paused') reload();
  });
  return { data, error, loading: data === undefined && error === undefined, reload };
}
