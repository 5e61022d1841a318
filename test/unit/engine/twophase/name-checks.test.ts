import { describe, expect, it } from 'vitest';
import { nameProblem, type NameRules } from '../../../../main/engine/twophase/name-checks.js';

const linux: NameRules = { caseInsensitive: false, windows: false, maxNameBytes: 255 };
const mac: NameRules = { caseInsensitive: true, windows: false, maxNameBytes: 255 };
const win: NameRules = { caseInsensitive: true, windows: true, maxNameBytes: 255 };

describe('nameProblem', () => {
  const cases: [string, string[], NameRules, RegExp | undefined][] = [
    ['plain names are fine everywhere', ['a/b.txt', 'c'], win, undefined],
    ['case twins are fine on a case-sensitive filesystem', ['A.txt', 'a.txt'], linux, undefined],
    [
      'case twins collide on a case-insensitive filesystem',
      ['A.txt', 'a.txt'],
      mac,
      /differ only in case/,
    ],
    ['case twins in directories collide too', ['Dir/x', 'dir/x'], mac, /differ only in case/],
    [
      'NFC and NFD forms collide when case is folded',
      ['caf\u00e9', 'cafe\u0301'],
      mac,
      /differ only in case/,
    ],
    ['reserved names are refused on Windows', ['docs/CON.txt'], win, /reserved/],
    ['reserved names are fine on Linux', ['docs/CON.txt'], linux, undefined],
    ['a trailing dot is refused on Windows', ['notes.'], win, /ends with a dot/],
    ['a colon is refused on Windows', ['a:b'], win, /does not allow/],
    ['an over-long name is refused', ['x'.repeat(256)], linux, /longer than 255/],
  ];
  for (const [name, paths, rules, expected] of cases) {
    it(name, () => {
      const problem = nameProblem(paths, rules);
      if (expected) expect(problem).toMatch(expected);
      else expect(problem).toBeUndefined();
    });
  }
});
