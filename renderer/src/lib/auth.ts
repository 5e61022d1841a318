/**
 * The control API's token: the daemon's GUI URL carries it in the fragment (`#token=…`, from
 * `lanfold gui-url`). It is read once, kept in sessionStorage for reloads of this tab, and
 * removed from the address bar so that it is not left in history, bookmarks or screenshots.
 */

const STORAGE_KEY = 'lanfold.token';
const TOKEN_IN_FRAGMENT = /^#(?:.*&)?token=([^&]*)/;

/** Takes the token from the fragment (then cleans the address bar) or from sessionStorage. */
export function takeToken(): string | undefined {
  const match = TOKEN_IN_FRAGMENT.exec(window.location.hash);
  if (match) {
    let token: string;
    try {
      token = decodeURIComponent(match[1] ?? '');
    } catch {
      token = '';
    }
    const { pathname, search } = window.location;
    window.history.replaceState(null, '', `${pathname}${search}#/`);
    if (token !== '') {
      sessionStorage.setItem(STORAGE_KEY, token);
      return token;
    }
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

/** Forgets the stored token (the daemon refused it). */
export function forgetToken(): void {
  sessionStorage.removeItem(STORAGE_KEY);
}
