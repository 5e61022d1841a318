import { describe, expect, it } from 'vitest';
import type { VersionInfo } from '../src/api/types';
import {
  keyTarget,
  NOTHING_LOADED,
  rowsPerPage,
  shouldLoadMore,
  withAnnounced,
  withPage,
} from '../src/screens/history/history-list';

function v(seq: number): VersionInfo {
  return {
    seq,
    epoch: 1,
    createdAt: seq,
    method: '1pc',
    reason: '',
    origin: 'watch',
    changes: 1,
    bytes: 1,
  };
}
const seqs = (s: { versions: readonly VersionInfo[] }) => s.versions.map((x) => x.seq);

describe('withPage and withAnnounced', () => {
  it('appends older pages, newest first, each version once', () => {
    let s = withPage(NOTHING_LOADED, { versions: [v(10), v(9)], nextBefore: 9 }, undefined);
    expect(s).toMatchObject({ nextBefore: 9, started: true });
    s = withPage(s, { versions: [v(8), v(7)], nextBefore: 7 }, 9);
    expect(seqs(s)).toEqual([10, 9, 8, 7]);
    expect(s.nextBefore).toBe(7);
    s = withPage(s, { versions: [v(9), v(8)], nextBefore: null }, 9);
    expect(seqs(s)).toEqual([10, 9, 8, 7]);
  });

  it('keeps its paging position when the newest page is read again after a break', () => {
    let s = withPage(NOTHING_LOADED, { versions: [v(10), v(9)], nextBefore: 9 }, undefined);
    s = withPage(s, { versions: [v(8)], nextBefore: 8 }, 9);
    s = withPage(s, { versions: [v(12), v(11), v(10)], nextBefore: 10 }, undefined);
    expect(seqs(s)).toEqual([12, 11, 10, 9, 8]);
    expect(s.nextBefore).toBe(8);
  });

  it('puts an announced version on top only when it is newer', () => {
    const s = withPage(NOTHING_LOADED, { versions: [v(5)], nextBefore: null }, undefined);
    expect(seqs(withAnnounced(s, v(6)))).toEqual([6, 5]);
    expect(withAnnounced(s, v(5))).toBe(s);
    expect(withAnnounced(s, v(3))).toBe(s);
  });
});

describe('keyTarget', () => {
  it.each<[string, number, number | undefined]>([
    ['ArrowDown', 3, 4],
    ['ArrowUp', 3, 2],
    ['ArrowUp', 0, 0],
    ['ArrowDown', 99, 99],
    ['PageDown', 3, 13],
    ['PageDown', 95, 99],
    ['PageUp', 3, 0],
    ['Home', 50, 0],
    ['End', 0, 99],
    ['Enter', 5, undefined],
    ['Enter', -1, 0],
    ['ArrowDown', -1, 1],
    ['x', 3, undefined],
  ])('moves %s from row %i to %s', (key, at, expected) => {
    expect(keyTarget(key, at, 100, 10)).toBe(expected);
  });

  it('does nothing in an empty list', () => {
    expect(keyTarget('Home', -1, 0, 10)).toBeUndefined();
  });

  it('pages by the rows in view, less one', () => {
    expect(rowsPerPage(520, 52)).toBe(9);
    expect(rowsPerPage(30, 52)).toBe(1);
  });
});

describe('shouldLoadMore', () => {
  const base = {
    lastRenderedIndex: 170,
    loaded: 200,
    more: true,
    loading: false,
    failed: false,
    prefetchRows: 40,
  };
  it('fetches when the view nears the end of what is loaded', () => {
    expect(shouldLoadMore(base)).toBe(true);
    expect(shouldLoadMore({ ...base, lastRenderedIndex: 100 })).toBe(false);
  });
  it('waits while a page loads, after a failure, and when there is no more', () => {
    expect(shouldLoadMore({ ...base, loading: true })).toBe(false);
    expect(shouldLoadMore({ ...base, failed: true })).toBe(false);
    expect(shouldLoadMore({ ...base, more: false })).toBe(false);
  });
});
