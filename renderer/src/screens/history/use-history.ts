/**
 * A folder's versions for the history list: loaded a page at a time, newest first, as the
 * list is scrolled (so 10,000 versions cost only the pages looked at), with new versions
 * put on top as the daemon announces them.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useApiEvents, useClient, useEventsAlive } from '../../api/connection';
import type { VersionInfo } from '../../api/types';
import { NOTHING_LOADED, withAnnounced, withPage, type LoadedVersions } from './history-list';

export const PAGE_SIZE = 200;

export interface HistoryList {
  readonly versions: readonly VersionInfo[];
  /** More (older) versions exist beyond those loaded. */
  readonly more: boolean;
  readonly loading: boolean;
  readonly error: unknown;
  /** Loads the next older page (no-op while one loads or when there is none). */
  readonly loadMore: () => void;
  readonly retry: () => void;
}

export function useHistory(folderId: string): HistoryList {
  const client = useClient();
  const [state, setState] = useState<LoadedVersions>(NOTHING_LOADED);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>();
  const busy = useRef(false);
  const stateRef = useRef(state);
  stateRef.current = state;

  const fetchPage = useCallback(
    (before: number | undefined) => {
      if (busy.current) return;
      busy.current = true;
      setLoading(true);
      setError(undefined);
      client
        .history(
          folderId,
          before === undefined ? { limit: PAGE_SIZE } : { limit: PAGE_SIZE, before },
        )
        .then(
          (page) => setState((s) => withPage(s, page, before)),
          (err: unknown) => setError(err),
        )
        .finally(() => {
          busy.current = false;
          setLoading(false);
        });
    },
    [client, folderId],
  );

  useEffect(() => {
    setState(NOTHING_LOADED);
    busy.current = false;
    fetchPage(undefined);
  }, [fetchPage]);

  useApiEvents((e) => {
    if (e.type !== 'version' || e.folder !== folderId) return;
    setState((s) => withAnnounced(s, e.version));
  });

  // Versions announced while the event stream was down were missed: re-read the newest page.
  const alive = useEventsAlive();
  const wasAlive = useRef(alive);
  useEffect(() => {
    if (alive && !wasAlive.current && stateRef.current.started) fetchPage(undefined);
    wasAlive.current = alive;
  }, [alive, fetchPage]);

  const loadMore = useCallback(() => {
    const s = stateRef.current;
    if (s.started && s.nextBefore !== null) fetchPage(s.nextBefore);
  }, [fetchPage]);

  const retry = useCallback(() => {
    const s = stateRef.current;
    fetchPage(s.started ? (s.nextBefore ?? undefined) : undefined);
  }, [fetchPage]);

  return {
    versions: state.versions,
    more: !state.started || state.nextBefore !== null,
    loading,
    error,
    loadMore,
    retry,
  };
}
