/**
 * Light and dark themes: by default the system's choice (prefers-color-scheme); the toggle
 * in the sidebar pins one, remembered in localStorage. The choice is applied as
 * `data-theme` on <html>, which the stylesheet reads.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const KEY = 'lanfold.theme';
const listeners = new Set<() => void>();
const dark = window.matchMedia('(prefers-color-scheme: dark)');

function readChoice(): ThemeChoice {
  const v = localStorage.getItem(KEY);
  return v === 'light' || v === 'dark' ? v : 'system';
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  dark.addEventListener('change', onChange);
  return () => {
    listeners.delete(onChange);
    dark.removeEventListener('change', onChange);
  };
}

function snapshot(): string {
  return `${readChoice()}:${dark.matches ? 'dark' : 'light'}`;
}

export function useTheme(): {
  choice: ThemeChoice;
  theme: Theme;
  setChoice: (c: ThemeChoice) => void;
} {
  const snap = useSyncExternalStore(subscribe, snapshot);
  const [choice, system] = snap.split(':') as [ThemeChoice, Theme];
  const theme: Theme = choice === 'system' ? system : choice;
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  const setChoice = useCallback((c: ThemeChoice) => {
    if (c === 'system') localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, c);
    for (const l of listeners) l();
  }, []);
  return { choice, theme, setChoice };
}
