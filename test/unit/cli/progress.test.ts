import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressLine } from '../../../main/cli/progress.js';

/** A stand-in for process.stderr that records what is written. */
function fakeStream(isTTY: boolean): { stream: NodeJS.WriteStream; written: string[] } {
  const written: string[] = [];
  const stream = {
    isTTY,
    write: (s: string) => {
      written.push(s);
      return true;
    },
  } as unknown as NodeJS.WriteStream;
  return { stream, written };
}

const CLEAR = '\r\x1b[2K';

describe('ProgressLine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(1_000_000);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes nothing when the stream is not a terminal', () => {
    const { stream, written } = fakeStream(false);
    const p = new ProgressLine(stream);
    p.update('f1: hashing', 5, 10, { done: 50, total: 100 });
    p.clear();
    expect(written).toEqual([]);
  });

  it('draws a bar, the count and the bytes, by bytes when it has them', () => {
    const { stream, written } = fakeStream(true);
    new ProgressLine(stream).update('f1: hashing', 1, 4, { done: 3 * 1024, total: 4 * 1024 });
    expect(written).toEqual([
      `${CLEAR}f1: hashing [${'#'.repeat(18)}${'.'.repeat(6)}]  75% 1/4 3.0 KiB/4.0 KiB`,
    ]);
  });

  it('shows only a count while the total is unknown', () => {
    const { stream, written } = fakeStream(true);
    new ProgressLine(stream).update('f1: reading folder', 12_345, 0);
    expect(written).toEqual([`${CLEAR}f1: reading folder 12,345`]);
  });

  it('redraws at most ten times a second, but always draws the end', () => {
    const { stream, written } = fakeStream(true);
    const p = new ProgressLine(stream);
    p.update('x', 1, 100);
    p.update('x', 2, 100); // same millisecond: skipped
    vi.advanceTimersByTime(99);
    p.update('x', 3, 100); // 99 ms later: skipped
    vi.advanceTimersByTime(1);
    p.update('x', 4, 100); // 100 ms later: drawn
    p.update('x', 100, 100); // the end: drawn at once
    expect(written.map((w) => /\d+\/100/.exec(w)?.[0])).toEqual(['1/100', '4/100', '100/100']);
  });

  it('clears the line it drew, once, and nothing when it drew nothing', () => {
    const { stream, written } = fakeStream(true);
    const p = new ProgressLine(stream);
    p.clear();
    expect(written).toEqual([]);
    p.update('x', 1, 2);
    p.clear();
    p.clear();
    expect(written).toHaveLength(2);
    expect(written[1]).toBe(CLEAR);
  });
});
