/**
 * API data that stays current: loaded once, then reloaded when the daemon reports an event
 * that concerns it (throttled, so a burst of versions costs a few requests, not one each),
 * and when the event stream comes back after a break (events may have been missed).
 */
import { useEffect, useRef } from 'react';
import { useQuery, type Query } from '../lib/use-query';
import { useApiEvents, useEventsAlive } from './connection';
import type { ApiEvent } from './types';

const THROTTLE_MS = 300;

export function useLiveQuery<T>(
  key: string,
  load: () => Promise<T>,
  concerns: (e: ApiEvent) => boolean,
): Query<T> {
  const query = useQuery(key, load);
  const timer = useRef<number | undefined>(undefined);
  const reload = useRef(query.reload);
  reload.current = query.reload;
  useApiEvents((e) => {
    if (!concerns(e) || timer.current !== undefined) return;
    timer.current = window.setTimeout(() => {
      timer.current = undefined;
      reload.current();
    }, THROTTLE_MS);
  });
  const alive = useEventsAlive();
  const wasAlive = useRef(alive);
  useEffect(() => {
    if (alive && !wasAlive.current) reload.current();
    wasAlive.current = alive;
  }, [alive]);
  useEffect(() => () => window.clearTimeout(timer.current), []);
  return query;
}

/** The folder an event is about, if any. */
export function eventFolder(e: ApiEvent): string | undefined {
  return 'folder' in e ? e.folder : undefined;
}
