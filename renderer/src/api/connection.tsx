/**
 * The one API client of this window, given to every component through context, and the
 * daemon's event stream fanned out to the components that listen. Components call
 * `useClient()` for requests, `useApiEvents(handler)` to hear what changed, and
 * `useEventsAlive()` to know whether the stream is connected (the client reconnects by
 * itself; the first event after a reconnection is a fresh status).
 */
import {
  createContext,
  useContext,
  useEffect,
  useRef,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { LanfoldClient } from '../../../main/api/client';
import type { ApiEvent } from './types';

export interface Connection {
  readonly client: LanfoldClient;
  readonly listen: (handler: (e: ApiEvent) => void) => () => void;
  readonly alive: () => boolean;
  readonly watchAlive: (onChange: () => void) => () => void;
  readonly close: () => void;
}

const ConnectionContext = createContext<Connection | undefined>(undefined);

/** Makes the connection: one event subscription for the whole window. */
export function createConnection(client: LanfoldClient): Connection {
  const handlers = new Set<(e: ApiEvent) => void>();
  const aliveWatchers = new Set<() => void>();
  // Until the stream answers, count it as alive: the first screen should not flash a warning.
  // A stream that never opens is lost too.
  let alive = true;
  const lostTimer = window.setTimeout(() => setAlive(false), 5000);
  const setAlive = (v: boolean) => {
    window.clearTimeout(lostTimer);
    if (v === alive) return;
    alive = v;
    for (const w of aliveWatchers) w();
  };
  const unsubscribe = client.subscribe(
    (e) => {
      for (const h of handlers) h(e);
    },
    { onConnection: (connected) => setAlive(connected) },
  );
  return {
    client,
    listen: (h) => {
      handlers.add(h);
      return () => handlers.delete(h);
    },
    alive: () => alive,
    watchAlive: (w) => {
      aliveWatchers.add(w);
      return () => aliveWatchers.delete(w);
    },
    close: () => {
      window.clearTimeout(lostTimer);
      unsubscribe();
    },
  };
}

export function ConnectionProvider({
  connection,
  children,
}: {
  connection: Connection;
  children: ReactNode;
}) {
  return <ConnectionContext.Provider value={connection}>{children}</ConnectionContext.Provider>;
}

function useConnection(): Connection {
  const c = useContext(ConnectionContext);
  if (!c) throw new Error('useClient outside <ConnectionProvider>');
  return c;
}

export function useClient(): LanfoldClient {
  return useConnection().client;
}

/** Calls `handler` for every event from the daemon while the component is mounted. */
export function useApiEvents(handler: (e: ApiEvent) => void): void {
  const { listen } = useConnection();
  const ref = useRef(handler);
  ref.current = handler;
  useEffect(() => listen((e) => ref.current(e)), [listen]);
}

/** Ends the event stream for good (the daemon refused this window's token). */
export function useCloseConnection(): () => void {
  return useConnection().close;
}

/** Whether the daemon's event stream is live. */
export function useEventsAlive(): boolean {
  const c = useConnection();
  return useSyncExternalStore(c.watchAlive, c.alive);
}
