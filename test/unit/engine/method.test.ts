import { describe, expect, it } from 'vitest';
import type { EntryKind, EntryOp, NewEntry } from '../../../main/engine/entry.js';
import { chooseMethod, type MethodSettings } from '../../../main/engine/method.js';
import { toRelPath } from '../../../main/engine/relpath.js';

function entry(p: string, op: EntryOp, kind: EntryKind, movedFrom?: string): NewEntry {
  return {
    path: toRelPath(p),
    op,
    kind,
    size: kind === 'file' ? 10 : 0,
    mtimeMs: 0,
    mode: 0o644,
    ino: 1,
    hash: kind === 'file' ? 'h' : null,
    target: kind === 'symlink' ? 't' : null,
    chunks: null,
    movedFrom: movedFrom === undefined ? null : toRelPath(movedFrom),
  };
}

const AUTO: MethodSettings = { commitMode: 'auto', atomicPatterns: [] };

describe('chooseMethod', () => {
  const cases: [
    name: string,
    entries: NewEntry[],
    settings: MethodSettings,
    method: '1pc' | '2pc',
    reason: RegExp,
  ][] = [
    ['one file changed', [entry('a.txt', 'modify', 'file')], AUTO, '1pc', /one file changed/],
    ['one file added', [entry('a.txt', 'add', 'file')], AUTO, '1pc', /one file/],
    ['one file deleted', [entry('a.txt', 'delete', 'none')], AUTO, '1pc', /one file/],
    ['one symlink retargeted', [entry('l', 'modify', 'symlink')], AUTO, '1pc', /one file/],
    [
      'a file and the directory holding it',
      [entry('d', 'add', 'dir'), entry('d/a', 'add', 'file')],
      AUTO,
      '1pc',
      /one file/,
    ],
    [
      'only directories',
      [entry('d', 'add', 'dir'), entry('e', 'meta', 'dir')],
      AUTO,
      '1pc',
      /only directories/,
    ],
    ['no entries', [], AUTO, '1pc', /only directories/],
    [
      'several files',
      [entry('a', 'modify', 'file'), entry('b', 'add', 'file'), entry('c', 'delete', 'none')],
      AUTO,
      '2pc',
      /3 paths changed together/,
    ],
    [
      'a file moved',
      [entry('new', 'move', 'file', 'old'), entry('old', 'delete', 'none')],
      AUTO,
      '2pc',
      /old moved to new/,
    ],
    [
      'a directory moved',
      [
        entry('new', 'move', 'dir', 'old'),
        entry('new/f', 'move', 'file', 'old/f'),
        entry('old', 'delete', 'none'),
        entry('old/f', 'delete', 'none'),
      ],
      AUTO,
      '2pc',
      /directory moved to new/,
    ],
    [
      'a file matching an atomic pattern',
      [entry('db/data.sqlite', 'modify', 'file')],
      { commitMode: 'auto', atomicPatterns: ['*.sqlite'] },
      '2pc',
      /db\/data\.sqlite matches an atomic pattern/,
    ],
    [
      'a file inside an atomic directory pattern',
      [entry('build/out.js', 'modify', 'file')],
      { commitMode: 'auto', atomicPatterns: ['build/'] },
      '2pc',
      /build\/out\.js matches/,
    ],
    [
      'a directory matching an atomic directory pattern',
      [entry('build', 'add', 'dir')],
      { commitMode: 'auto', atomicPatterns: ['build/'] },
      '2pc',
      /build matches/,
    ],
    [
      'a file not matching the atomic patterns',
      [entry('notes.txt', 'modify', 'file')],
      { commitMode: 'auto', atomicPatterns: ['*.sqlite', 'build/'] },
      '1pc',
      /one file/,
    ],
    [
      'a file named like an atomic directory pattern',
      [entry('build', 'add', 'file')],
      { commitMode: 'auto', atomicPatterns: ['build/'] },
      '1pc',
      /one file/,
    ],
    [
      'anything in a one-phase folder',
      [entry('new', 'move', 'dir', 'old'), entry('a', 'add', 'file'), entry('b', 'add', 'file')],
      { commitMode: 'one-phase', atomicPatterns: ['*'] },
      '1pc',
      /set to one-phase/,
    ],
    [
      'one file in a two-phase folder',
      [entry('a', 'modify', 'file')],
      { commitMode: 'two-phase', atomicPatterns: [] },
      '2pc',
      /set to two-phase/,
    ],
  ];
  it.each(cases)('chooses for %s', (_name, entries, settings, method, reason) => {
    const choice = chooseMethod(entries, settings);
    expect(choice.method).toBe(method);
    expect(choice.reason).toMatch(reason);
  });

  it('does not depend on the order of the entries', () => {
    const entries = [
      entry('a', 'modify', 'file'),
      entry('d', 'move', 'dir', 'c'),
      entry('c', 'delete', 'none'),
    ];
    const forward = chooseMethod(entries, AUTO);
    const backward = chooseMethod([...entries].reverse(), AUTO);
    expect(backward).toEqual(forward);
    expect(forward.method).toBe('2pc');
  });
});
