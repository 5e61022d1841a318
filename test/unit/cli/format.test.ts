import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatTime, table } from '../../../main/cli/format.js';

describe('formatBytes', () => {
  const cases: [bytes: number, text: string][] = [
    [0, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [100 * 1024 + 600, '101 KiB'],
    [1024 ** 2, '1.0 MiB'],
    [5.25 * 1024 ** 2, '5.3 MiB'],
    [1024 ** 3, '1.0 GiB'],
    [3 * 1024 ** 4, '3.0 TiB'],
    [2048 * 1024 ** 4, '2048 TiB'],
  ];
  it.each(cases)('writes %i bytes as %j', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('formatCount', () => {
  it.each([
    [0, '0'],
    [999, '999'],
    [1000, '1,000'],
    [1234567, '1,234,567'],
  ])('writes %i as %j', (n, text) => {
    expect(formatCount(n)).toBe(text);
  });
});

describe('formatTime', () => {
  it('writes local time as YYYY-MM-DD HH:MM:SS with zero padding', () => {
    expect(formatTime(new Date(2024, 0, 2, 3, 4, 5).getTime())).toBe('2024-01-02 03:04:05');
    expect(formatTime(new Date(1999, 11, 31, 23, 59, 59, 999).getTime())).toBe(
      '1999-12-31 23:59:59',
    );
  });
});

describe('table', () => {
  it('pads every column but the last to its widest cell, two spaces apart', () => {
    expect(
      table([
        ['ID', 'ROLE', 'PATH'],
        ['photos', 'master', '/data/photos'],
        ['x', 'replica', '/x'],
      ]),
    ).toBe(
      ['ID      ROLE     PATH', 'photos  master   /data/photos', 'x       replica  /x'].join('\n'),
    );
  });

  it('handles rows of different lengths and no rows', () => {
    expect(table([])).toBe('');
    expect(table([['a', 'bb'], ['ccc']])).toBe('a    bb\nccc');
  });
});
