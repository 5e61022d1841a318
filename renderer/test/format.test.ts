import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatBytes,
  formatCount,
  formatRate,
  formatVersion,
  groupedDeviceId,
  plural,
  shortDeviceId,
} from '../src/lib/format';

describe('format', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1_234_567, '1.2 MB'],
    [99_949_999, '99.9 MB'],
    [123_456_789, '123 MB'],
    [999_950_000, '1.0 GB'],
    [5 * 10 ** 15, '5.0 PB'],
  ])('writes %i bytes as %s', (n, text) => {
    expect(formatBytes(n)).toBe(text);
  });

  it('groups counts and versions the way the UI shows them', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatVersion(1234)).toBe('v1,234');
    expect(plural(1, 'file')).toBe('1 file');
    expect(plural(1240, 'version')).toBe('1,240 versions');
    expect(plural(2, 'copy', 'copies')).toBe('2 copies');
    expect(formatRate(3_400_000)).toBe('3.4 MB/s');
  });

  it.each([
    [3_000, 'just now'],
    [42_000, '42 s ago'],
    [5 * 60_000, '5 min ago'],
    [3 * 3_600_000, '3 h ago'],
    [3 * 86_400_000, '3 days ago'],
    [-5_000, 'just now'],
  ])('says how long ago %i ms was', (ago, text) => {
    const now = 1_800_000_000_000;
    expect(formatAgo(now - ago, now)).toBe(text);
  });

  it('shortens and groups device IDs', () => {
    const id = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';
    expect(shortDeviceId(id)).toBe('ABCDEFG');
    expect(groupedDeviceId(id)).toBe(
      'ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST',
    );
    expect(groupedDeviceId('abcd-efgh ij')).toBe('abcd-efgh-ij');
  });
});
