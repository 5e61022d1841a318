import { describe, expect, it } from 'vitest';
import {
  changeFiles,
  cpuSecondsFromStat,
  fleetLayout,
  parseSize,
} from '../../../bench/fanout-tools.js';

describe('parseSize', () => {
  it.each([
    ['200MB', 200e6],
    ['20MiB', 20 * 1024 * 1024],
    ['1.5GB', 1.5e9],
    ['512KiB', 512 * 1024],
    ['4096', 4096],
    [' 7 mb ', 7e6],
  ])('reads %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'MB', '-5MB', '0', '3 parsecs', '1e9'])('refuses "%s"', (text) =>
    expect(() => parseSize(text)).toThrow(),
  );
});

describe('changeFiles', () => {
  it('is one large file of half the size and 20 medium files that add up to the rest', () => {
    const files = changeFiles(200e6);
    expect(files).toHaveLength(21);
    expect(files[0]).toEqual({ rel: 'change/large.bin', size: 100e6 });
    expect(files.slice(1).every((f) => f.size === 5e6)).toBe(true);
    expect(files.reduce((a, f) => a + f.size, 0)).toBe(200e6);
  });

  it('gives the remainder to the last medium file', () => {
    const files = changeFiles(1001, 3);
    expect(files.map((f) => f.size)).toEqual([500, 167, 167, 167]);
    expect(new Set(files.map((f) => f.rel)).size).toBe(4);
  });

  it('refuses a change too small to split', () => expect(() => changeFiles(10)).toThrow());
});

describe('fleetLayout', () => {
  it('puts 3 relays with 4 leaves each under the master; leaves fall back to the master', () => {
    const fleet = fleetLayout(3, 4);
    expect(fleet).toHaveLength(16);
    const master = fleet[0]!;
    expect(master.role).toBe('master');
    expect(master.serves).toHaveLength(15); // every device may fall back to it
    const relays = fleet.filter((d) => d.role === 'relay');
    expect(relays.map((r) => r.serves.length)).toEqual([4, 4, 4]);
    for (const leaf of fleet.filter((d) => d.role === 'leaf')) {
      expect(leaf.upstreams).toHaveLength(2);
      expect(leaf.upstreams[1]).toBe('master');
      expect(relays.find((r) => r.name === leaf.upstreams[0])!.serves).toContain(leaf.name);
    }
  });

  it('with no relays, puts every leaf straight under the master', () => {
    const fleet = fleetLayout(0, 12);
    expect(fleet).toHaveLength(13);
    expect(fleet.slice(1).every((d) => d.role === 'leaf' && d.upstreams.join() === 'master')).toBe(
      true,
    );
    expect(new Set(fleet.map((d) => d.name)).size).toBe(13);
  });
});

describe('cpuSecondsFromStat', () => {
  it('adds utime and stime, with a command name holding spaces and parentheses', () => {
    const stat =
      '4242 (node (lanfold) x) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 75 0 0 20 0 11 0 123 1000 2000';
    expect(cpuSecondsFromStat(stat)).toBeCloseTo(3.25);
    expect(cpuSecondsFromStat(stat, 1000)).toBeCloseTo(0.325);
  });

  it('refuses text that is not a stat line', () =>
    expect(() => cpuSecondsFromStat('nonsense')).toThrow());
});
