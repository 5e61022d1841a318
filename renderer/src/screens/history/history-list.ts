/**
 * The pure rules of the history list: how pages and announced versions merge into the
 * loaded list (newest first, each version once), which row a key moves the selection to,
 * and when the virtualised list should fetch the next page. use-history.ts and
 * VersionList.tsx apply them; unit tests check them without a browser.
 */
import type { VersionInfo } from '../../api/types';

export interface LoadedVersions {
  readonly versions: readonly VersionInfo[];
  /** Where the next (older) page starts; null when none is left or nothing was read yet. */
  readonly nextBefore: number | null;
  /** A first page was read. */
  readonly started: boolean;
}

export const NOTHING_LOADED: LoadedVersions = { versions: [], nextBefore: null, started: false };

/**
 * Adds a page read from the API. `before` is what the page was asked with: undefined for
 * the newest page, which after a break is read again and must not move the paging position.
 */
export function withPage(
  s: LoadedVersions,
  page: { versions: readonly VersionInfo[]; nextBefore: number | null },
  before: number | undefined,
): LoadedVersions {
  const known = new Set(s.versions.map((v) => v.seq));
  const fresh = page.versions.filter((v) => !known.has(v.seq));
  const versions = [...s.versions, ...fresh].sort((a, b) => b.seq - a.seq);
  const nextBefore = before === undefined && s.started ? s.nextBefore : page.nextBefore;
  return { versions, nextBefore, started: true };
}

/** Adds a version the daemon announced, when it is newer than every loaded one. */
export function withAnnounced(s: LoadedVersions, v: VersionInfo): LoadedVersions {
  const top = s.versions[0]?.seq ?? 0;
  return v.seq <= top ? s : { ...s, versions: [v, ...s.versions] };
}

/**
 * The row index a key moves the selection to (clamped to the loaded rows), or undefined
 * for keys the list does not handle. `at` is the selected row (-1: none); `pageRows` how
 * many rows a page key moves.
 */
export function keyTarget(
  key: string,
  at: number,
  count: number,
  pageRows: number,
): number | undefined {
  if (count === 0) return undefined;
  const from = at < 0 ? 0 : at;
  let next: number | undefined;
  if (key === 'ArrowDown') next = from + 1;
  else if (key === 'ArrowUp') next = from - 1;
  else if (key === 'PageDown') next = from + pageRows;
  else if (key === 'PageUp') next = from - pageRows;
  else if (key === 'Home') next = 0;
  else if (key === 'End') next = count - 1;
  else if ((key === 'Enter' || key === ' ') && at < 0) next = 0;
  return next === undefined ? undefined : Math.max(0, Math.min(count - 1, next));
}

/** Rows a page key moves: the rows in view, less one kept for context (at least one). */
export function rowsPerPage(viewHeight: number, rowHeight: number): number {
  return Math.max(1, Math.floor(viewHeight / rowHeight) - 1);
}

/** Whether to fetch the next page: more exist, none is loading, and the view nears the end. */
export function shouldLoadMore(o: {
  lastRenderedIndex: number;
  loaded: number;
  more: boolean;
  loading: boolean;
  failed: boolean;
  prefetchRows: number;
}): boolean {
  return o.more && !o.loading && !o.failed && o.lastRenderedIndex >= o.loaded - o.prefetchRows;
}
