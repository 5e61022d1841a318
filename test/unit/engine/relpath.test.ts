import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LanfoldError } from '../../../main/engine/errors.js';
import {
  isRelPath,
  isWithin,
  parentOf,
  relativeTo,
  relPathProblem,
  resolveIn,
  toRelPath,
  type RelPath,
} from '../../../main/engine/relpath.js';

const ROOT = path.resolve('/srv/lanfold-root');

describe('relPathProblem', () => {
  const refused: [name: string, raw: string, problem: RegExp][] = [
    ['the empty string', '', /empty/],
    ['a lone dot-dot', '..', /bad segment/],
    ['a leading dot-dot', '../etc/passwd', /bad segment/],
    ['a dot-dot in the middle', 'a/../../b', /bad segment/],
    ['a trailing dot-dot', 'a/b/..', /bad segment/],
    ['a lone dot', '.', /bad segment/],
    ['a dot segment', 'a/./b', /bad segment/],
    ['an absolute POSIX path', '/etc/passwd', /absolute/],
    ['the root itself', '/', /absolute/],
    ['a Windows drive path', 'C:/Windows', /absolute/],
    ['a drive-relative Windows path', 'c:foo', /absolute/],
    ['a NUL byte', 'a\0b', /NUL/],
    ['a trailing NUL', 'file.txt\0', /NUL/],
    ['a newline', 'a\nb', /control/],
    ['a tab', 'tab\there', /control/],
    ['an escape character', 'x\x1b[31m', /control/],
    ['a unit separator (0x1f)', 'a\x1fb', /control/],
    ['a backslash', 'a\\b', /backslash/],
    ['a backslash dot-dot escape', '..\\..\\x', /backslash/],
    ['a leading slash pair', '//server/share', /absolute/],
    ['a trailing slash', 'a/', /bad segment ""/],
    ['a doubled slash', 'a//b', /bad segment ""/],
    ['a name of 256 bytes', 'd/' + 'n'.repeat(256), /longer than 255/],
    ['a name of 256 bytes in multibyte letters', 'é'.repeat(128), /longer than 255/],
    [
      'a path of 4097 bytes',
      [...Array.from({ length: 16 }, () => 'x'.repeat(240)), 'y'.repeat(241)].join('/'),
      /4096/,
    ],
  ];
  it.each(refused)('refuses %s', (_name, raw, problem) => {
    expect(relPathProblem(raw)).toMatch(problem);
    expect(isRelPath(raw)).toBe(false);
    expect(() => toRelPath(raw)).toThrow(LanfoldError);
  });

  const accepted: [name: string, raw: string][] = [
    ['a plain name', 'readme.md'],
    ['a nested path', 'docs/guide/intro.md'],
    ['a dotfile', '.lanfoldignore'],
    ['a name starting with two dots', '..foo'],
    ['a name that is three dots', '...'],
    ['a name ending with dots', 'a/b..'],
    ['spaces', 'my documents/a b.txt'],
    ['a DEL character is not a control character here', 'del\x7f'],
    ['a name of exactly 255 bytes', 'n'.repeat(255)],
    ['a path of exactly 4096 bytes', Array.from({ length: 17 }, () => 'x'.repeat(240)).join('/')],
    ['an NFC name', 'caf\u00e9.txt'],
    ['the same name in NFD', 'cafe\u0301.txt'],
    ['emoji', 'photos/🏔️.jpg'],
    ['a colon not at the start', 'notes/10:30.txt'],
  ];
  it.each(accepted)('accepts %s', (_name, raw) => {
    expect(relPathProblem(raw)).toBeUndefined();
    expect(isRelPath(raw)).toBe(true);
    expect(toRelPath(raw)).toBe(raw);
  });

  it('keeps NFC and NFD spellings distinct (no silent normalisation)', () => {
    const nfc = toRelPath('caf\u00e9');
    const nfd = toRelPath('cafe\u0301');
    expect(nfc).not.toBe(nfd);
    expect(nfc.normalize('NFD')).toBe(nfd);
  });

  it('sizes limits in UTF-8 bytes, not in UTF-16 units', () => {
    // 85 three-byte characters = 255 bytes: fine; 86 = 258 bytes: too long.
    expect(isRelPath('€'.repeat(85))).toBe(true);
    expect(isRelPath('€'.repeat(86))).toBe(false);
  });
});

describe('toRelPath', () => {
  it('throws a BAD_PATH LanfoldError that quotes the path and the reason', () => {
    let caught: unknown;
    try {
      toRelPath('../x');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(LanfoldError);
    const err = caught as LanfoldError;
    expect(err.code).toBe('BAD_PATH');
    expect(err.message).toContain('"../x"');
    expect(err.message).toContain('bad segment');
  });
});

describe('relativeTo', () => {
  const cases: [name: string, full: string, expected: string | undefined][] = [
    ['a file directly below the root', path.join(ROOT, 'a.txt'), 'a.txt'],
    ['a nested file', path.join(ROOT, 'a', 'b', 'c.txt'), 'a/b/c.txt'],
    ['the root itself', ROOT, undefined],
    ['the root with a trailing separator', ROOT + path.sep, undefined],
    ['the parent of the root', path.dirname(ROOT), undefined],
    ['a sibling of the root', path.join(path.dirname(ROOT), 'other', 'x'), undefined],
    ['a sibling sharing the root as a prefix', ROOT + '-evil/x', undefined],
    ['a path climbing out again', path.join(ROOT, 'a', '..', '..', 'x'), undefined],
    ['a name starting with two dots', path.join(ROOT, '..foo'), '..foo'],
    ['a dir starting with two dots', path.join(ROOT, '..cache', 'x'), '..cache/x'],
    ['a name with a control character', path.join(ROOT, 'a\nb'), undefined],
    ['a name that has a backslash', path.join(ROOT, 'a\\b'), undefined],
  ];
  it.each(cases)('maps %s', (_name, full, expected) => {
    expect(relativeTo(ROOT, full)).toBe(expected);
  });
});

describe('resolveIn', () => {
  it('joins a RelPath below the root', () => {
    expect(resolveIn(ROOT, toRelPath('a/b.txt'))).toBe(path.join(ROOT, 'a', 'b.txt'));
  });

  it('round-trips with relativeTo', () => {
    const rel = toRelPath('x/..y/z');
    expect(relativeTo(ROOT, resolveIn(ROOT, rel))).toBe(rel);
  });

  it('never leaves the root for any string that validates', () => {
    const segmentChar = fc.constantFrom('a', '.', '/', '\\', ':', 'é', ' ', '\0', '\n', 'C');
    const raw = fc.array(segmentChar, { maxLength: 14 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(raw, (s) => {
        if (!isRelPath(s)) return;
        const full = resolveIn(ROOT, s);
        const back = path.relative(ROOT, full);
        expect(back).not.toBe('');
        expect(back === '..' || back.startsWith('..' + path.sep)).toBe(false);
        expect(path.isAbsolute(back)).toBe(false);
        expect(full.startsWith(ROOT + path.sep)).toBe(true);
        expect(relativeTo(ROOT, full)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parentOf', () => {
  it('returns the directory part, or undefined at the top level', () => {
    expect(parentOf(toRelPath('a/b/c'))).toBe('a/b');
    expect(parentOf(toRelPath('a/b'))).toBe('a');
    expect(parentOf(toRelPath('a'))).toBeUndefined();
  });
});

describe('isWithin', () => {
  const cases: [name: string, rel: string, dir: string, expected: boolean][] = [
    ['the directory itself', 'a', 'a', true],
    ['a child', 'a/b', 'a', true],
    ['a grandchild', 'a/b/c', 'a', true],
    ['a sibling sharing a prefix', 'ab', 'a', false],
    ['a sibling with a dash', 'a-b/c', 'a', false],
    ['the parent', 'a', 'a/b', false],
  ];
  it.each(cases)('answers for %s', (_name, rel, dir, expected) => {
    expect(isWithin(rel as RelPath, dir)).toBe(expected);
  });
});
