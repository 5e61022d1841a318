/**
 * One polite live region for the whole window: sync state changes ("docs: in sync at v12")
 * are spoken by screen readers without moving the focus. `useAnnounce()` gives the speaker.
 */
import { createContext, useCallback, useContext, useRef, useState, type ReactNode } from 'react';

const AnnounceContext = createContext<(message: string) => void>(() => undefined);

export function AnnouncerProvider({ children }: { children: ReactNode }) {
  const [message, setMessage] = useState('');
  const last = useRef('');
  const announce = useCallback((m: string) => {
    if (m === last.current) return;
    last.current = m;
    setMessage(m);
  }, []);
  return (
    <AnnounceContext.Provider value={announce}>
      {children}
      <div
        className="visually-hidden"
        role="status"
        aria-live="polite"
        aria-atomic="true"
        data-testid="announcer"
      >
        {message}
      </div>
    </AnnounceContext.Provider>
  );
}

export function useAnnounce(): (message: string) => void {
  return useContext(AnnounceContext);
}
