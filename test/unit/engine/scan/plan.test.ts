import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkList } from '../../../../main/engine/chunk-list.js';
import type { Entry, NewEntry, PathStat } from '../../../../main/engine/entry.js';
import { isWithin, toRelPath } from '../../../../main/engine/relpath.js';
import {
  buildEntries,
  diffState,
  inScope,
  minimalRoots,
  movesByInode,
  needsDigest,
  WHOLE_FOLDER,
  type Content,
  type Scope,
  type StateDiff,
} from '../../../../main/engine/scan/plan.js';

// ---------------------------------------------------------------------------------------------
// Builders: a path on disk (PathStat), the same path as recorded (Entry), and its content.

type StatOverrides = Partial<Omit<PathStat, 'path'>>;

function fileStat(p: string, o: StatOverrides = {}): PathStat {
  return {
    path: toRelPath(p),
    kind: 'file',
    size: 100,
    mtimeMs: 1000,
    mode: 0o644,
    ino: 1,
    target: null,
    ...o,
  };
}

function dirStat(p: string, o: StatOverrides = {}): PathStat {
  return fileStat(p, { kind: 'dir', size: 0, mtimeMs: 0, mode: 0o755, ...o });
}

function linkStat(p: string, target: string, o: StatOverrides = {}): PathStat {
  return fileStat(p, { kind: 'symlink', size: 0, mode: 0o777, target, ...o });
}

/** The entry recorded for `stat` at version 1, with content hash `hash` for files. */
function recorded(stat: PathStat, hash: string | null = null): Entry {
  return {
    ...stat,
    seq: 1,
    op: 'add',
    hash: stat.kind === 'file' ? (hash ?? `hash-of-${stat.path}`) : null,
    chunks: null,
    movedFrom: null,
  };
}

function index(...entries: Entry[]): Map<string, Entry> {
  return new Map(entries.map((e) => [e.path, e]));
}

function chunksFor(hash: string, size: number): ChunkList {
  const digest = Buffer.alloc(32);
  digest.write(hash.padEnd(32, '.').slice(0, 32));
  return size === 0 ? ChunkList.empty() : ChunkList.fromChunks([{ hash: digest, fast: 1n, size }]);
}

function content(...items: [path: string, hash: string, size?: number][]): Map<string, Content> {
  return new Map(
    items.map(([p, hash, size]) => [p, { hash, chunks: chunksFor(hash, size ?? 100) }]),
  );
}

function roots(...paths: string[]): Scope {
  return { all: false, roots: paths.map(toRelPath) };
}

/** A compact view of built entries: `op path [<- from] kind hash`. */
function describeEntries(entries: readonly NewEntry[]): string[] {
  return entries.map(
    (e) =>
      `${e.op} ${e.path}${e.movedFrom ? ` <- ${e.movedFrom}` : ''} ${e.kind}${e.hash ? ` ${e.hash}` : ''}`,
  );
}

// ---------------------------------------------------------------------------------------------

describe('inScope', () => {
  const cases: [name: string, path: string, scope: Scope, expected: boolean][] = [
    ['anything in the whole folder', 'a/b/c', WHOLE_FOLDER, true],
    ['a root itself', 'a', roots('a'), true],
    ['a path below a root', 'a/b/c', roots('x', 'a'), true],
    ['a sibling sharing a prefix', 'ab', roots('a'), false],
    ['a parent of a root', 'a', roots('a/b'), false],
    ['anything with no roots', 'a', roots(), false],
  ];
  it.each(cases)('answers for %s', (_name, path, scope, expected) => {
    expect(inScope(path, scope)).toBe(expected);
  });
});

describe('minimalRoots', () => {
  const cases: [name: string, input: string[], expected: string[]][] = [
    ['no paths', [], []],
    ['one path', ['a'], ['a']],
    ['duplicates', ['a', 'a', 'a'], ['a']],
    ['a child after its parent', ['a', 'a/b'], ['a']],
    ['a child before its parent', ['a/b/c', 'a/b', 'a'], ['a']],
    ['siblings sharing a prefix', ['ab', 'a'], ['a', 'ab']],
    ['unrelated subtrees', ['x/1', 'y/2', 'x/3'], ['x/1', 'x/3', 'y/2']],
    ['a child sorted after a dashed sibling', ['a', 'a-b', 'a/c'], ['a', 'a-b']],
    ['a child sorted after a dotted sibling', ['a/b/c', 'a.txt', 'a'], ['a', 'a.txt']],
    ['a grandchild after a spaced sibling', ['d/x', 'd x', 'd'], ['d', 'd x']],
  ];
  it.each(cases)('reduces %s', (_name, input, expected) => {
    expect(minimalRoots(input.map(toRelPath))).toEqual(expected);
  });

  it('returns a subset that covers every path with no root inside another', () => {
    const segment = fc.constantFrom('a', 'b', 'a-b', 'a.b', 'a b', 'ab');
    const relPath = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map((s) => toRelPath(s.join('/')));
    fc.assert(
      fc.property(fc.array(relPath, { maxLength: 20 }), (paths) => {
        const out = minimalRoots(paths);
        expect(new Set(out).size).toBe(out.length);
        for (const r of out) expect(paths).toContain(r);
        for (const p of paths) expect(out.some((r) => isWithin(p, r))).toBe(true);
        for (const r of out) for (const q of out) if (r !== q) expect(isWithin(r, q)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

describe('needsDigest', () => {
  const prev = recorded(fileStat('f'));
  const cases: [name: string, stat: PathStat, prev: Entry | undefined, expected: boolean][] = [
    ['a new file', fileStat('f'), undefined, true],
    ['an unchanged file', fileStat('f'), prev, false],
    ['a mode-only change', fileStat('f', { mode: 0o600 }), prev, false],
    ['a size change', fileStat('f', { size: 101 }), prev, true],
    ['an mtime change', fileStat('f', { mtimeMs: 1001 }), prev, true],
    ['an inode change', fileStat('f', { ino: 2 }), prev, true],
    ['a directory that became a file', fileStat('f'), recorded(dirStat('f')), true],
    ['a directory', dirStat('d'), undefined, false],
    ['a symlink', linkStat('l', 't'), undefined, false],
    ['a file that became a directory', dirStat('f'), prev, false],
  ];
  it.each(cases)('answers for %s', (_name, stat, p, expected) => {
    expect(needsDigest({ stat, prev: p })).toBe(expected);
  });
});

describe('diffState', () => {
  interface Case {
    readonly name: string;
    readonly index: Entry[];
    readonly observed: PathStat[];
    readonly scope?: Scope;
    readonly changed: string[];
    readonly deleted: string[];
    readonly unchanged: number;
  }
  const f = fileStat('f');
  const d = dirStat('d');
  const l = linkStat('l', 'target');
  const cases: Case[] = [
    { name: 'nothing at all', index: [], observed: [], changed: [], deleted: [], unchanged: 0 },
    {
      name: 'an added file',
      index: [],
      observed: [f],
      changed: ['f (new)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'an unchanged file, directory and symlink',
      index: [recorded(f), recorded(d), recorded(l)],
      observed: [f, d, l],
      changed: [],
      deleted: [],
      unchanged: 3,
    },
    {
      name: 'a modified file (size)',
      index: [recorded(f)],
      observed: [fileStat('f', { size: 5 })],
      changed: ['f (was file)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'a touched file (mtime)',
      index: [recorded(f)],
      observed: [fileStat('f', { mtimeMs: 2000 })],
      changed: ['f (was file)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'a mode-only change',
      index: [recorded(f)],
      observed: [fileStat('f', { mode: 0o755 })],
      changed: ['f (was file)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'an inode-only change',
      index: [recorded(f)],
      observed: [fileStat('f', { ino: 99 })],
      changed: ['f (was file)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'a kind change from file to directory',
      index: [recorded(f)],
      observed: [dirStat('f')],
      changed: ['f (was file)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'a symlink retarget',
      index: [recorded(l)],
      observed: [linkStat('l', 'elsewhere')],
      changed: ['l (was symlink)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'a directory whose mtime and inode moved (ignored for directories)',
      index: [recorded(d)],
      observed: [dirStat('d', { mtimeMs: 5, ino: 77 })],
      changed: [],
      deleted: [],
      unchanged: 1,
    },
    {
      name: 'a directory mode change',
      index: [recorded(d)],
      observed: [dirStat('d', { mode: 0o700 })],
      changed: ['d (was dir)'],
      deleted: [],
      unchanged: 0,
    },
    {
      name: 'a deletion in the whole folder',
      index: [recorded(f), recorded(d)],
      observed: [d],
      changed: [],
      deleted: ['f'],
      unchanged: 1,
    },
    {
      name: 'paths outside the scope, which are not deleted',
      index: [recorded(fileStat('a/x')), recorded(fileStat('ab')), recorded(fileStat('b/y'))],
      observed: [],
      scope: roots('a'),
      changed: [],
      deleted: ['a/x'],
      unchanged: 0,
    },
  ];
  it.each(cases)('finds $name', (c) => {
    const diff = diffState(index(...c.index), c.observed, c.scope ?? WHOLE_FOLDER);
    expect(
      diff.changed.map((o) => `${o.stat.path} (${o.prev ? `was ${o.prev.kind}` : 'new'})`),
    ).toEqual(c.changed);
    expect(diff.deleted.map((e) => e.path)).toEqual(c.deleted);
    expect(diff.unchanged).toBe(c.unchanged);
  });
});

describe('movesByInode', () => {
  interface Case {
    readonly name: string;
    readonly index: Entry[];
    readonly observed: PathStat[];
    readonly moves: string[];
  }
  const cases: Case[] = [
    {
      name: 'a file renamed (same inode, size and mtime)',
      index: [recorded(fileStat('old', { ino: 7 }))],
      observed: [fileStat('new', { ino: 7 })],
      moves: ['new <- old'],
    },
    {
      name: 'no rename when the size differs',
      index: [recorded(fileStat('old', { ino: 7 }))],
      observed: [fileStat('new', { ino: 7, size: 1 })],
      moves: [],
    },
    {
      name: 'no rename when the mtime differs',
      index: [recorded(fileStat('old', { ino: 7 }))],
      observed: [fileStat('new', { ino: 7, mtimeMs: 1 })],
      moves: [],
    },
    {
      name: 'a directory renamed, whatever its mtime',
      index: [recorded(dirStat('old', { ino: 9 }))],
      observed: [dirStat('new', { ino: 9, mtimeMs: 12345 })],
      moves: ['new <- old'],
    },
    {
      name: 'no rename across kinds',
      index: [recorded(dirStat('old', { ino: 9 }))],
      observed: [fileStat('new', { ino: 9 })],
      moves: [],
    },
    {
      name: 'no rename for symlinks',
      index: [recorded(linkStat('old', 't', { ino: 3 }))],
      observed: [linkStat('new', 't', { ino: 3 })],
      moves: [],
    },
    {
      name: 'no rename onto a path that already existed',
      index: [recorded(fileStat('old', { ino: 7 })), recorded(fileStat('kept', { ino: 8 }))],
      observed: [fileStat('kept', { ino: 7 })],
      moves: [],
    },
    {
      name: 'one source for two hard links',
      index: [recorded(fileStat('old', { ino: 7 }))],
      observed: [fileStat('l1', { ino: 7 }), fileStat('l2', { ino: 7 })],
      moves: ['l1 <- old'],
    },
    {
      name: 'no rename from a path that still exists',
      index: [recorded(fileStat('old', { ino: 7 }))],
      observed: [fileStat('old', { ino: 7 }), fileStat('copy', { ino: 7 })],
      moves: [],
    },
  ];
  it.each(cases)('finds $name', (c) => {
    const diff = diffState(index(...c.index), c.observed, WHOLE_FOLDER);
    const moves = movesByInode(diff);
    expect([...moves].map(([to, from]) => `${to} <- ${from.path}`)).toEqual(c.moves);
  });
});

describe('buildEntries', () => {
  interface Case {
    readonly name: string;
    readonly index: Entry[];
    readonly observed: PathStat[];
    readonly content: Map<string, Content>;
    readonly entries: string[];
  }
  const f = fileStat('f');
  const cases: Case[] = [
    {
      name: 'an added file',
      index: [],
      observed: [f],
      content: content(['f', 'h1']),
      entries: ['add f file h1'],
    },
    {
      name: 'an added directory and symlink',
      index: [],
      observed: [dirStat('d'), linkStat('d/l', '../x')],
      content: content(),
      entries: ['add d dir', 'add d/l symlink'],
    },
    {
      name: 'a modified file',
      index: [recorded(f, 'h1')],
      observed: [fileStat('f', { size: 120, mtimeMs: 2000 })],
      content: content(['f', 'h2', 120]),
      entries: ['modify f file h2'],
    },
    {
      name: 'a deleted file',
      index: [recorded(f, 'h1')],
      observed: [],
      content: content(),
      entries: ['delete f none'],
    },
    {
      name: 'a file that became a directory',
      index: [recorded(f, 'h1')],
      observed: [dirStat('f')],
      content: content(),
      entries: ['modify f dir'],
    },
    {
      name: 'a directory that became a file',
      index: [recorded(dirStat('f'))],
      observed: [f],
      content: content(['f', 'h1']),
      entries: ['modify f file h1'],
    },
    {
      name: 'a symlink that became a file',
      index: [recorded(linkStat('f', 't'))],
      observed: [f],
      content: content(['f', 'h1']),
      entries: ['modify f file h1'],
    },
    {
      name: 'a mode-only change as meta',
      index: [recorded(f, 'h1')],
      observed: [fileStat('f', { mode: 0o600 })],
      content: content(['f', 'h1']),
      entries: ['meta f file h1'],
    },
    {
      name: 'a touch with the same content as meta',
      index: [recorded(f, 'h1')],
      observed: [fileStat('f', { mtimeMs: 5000 })],
      content: content(['f', 'h1']),
      entries: ['meta f file h1'],
    },
    {
      name: 'nothing for an inode-only change (a safe-save with identical content)',
      index: [recorded(f, 'h1')],
      observed: [fileStat('f', { ino: 55 })],
      content: content(['f', 'h1']),
      entries: [],
    },
    {
      name: 'a modify when the inode and content both changed',
      index: [recorded(f, 'h1')],
      observed: [fileStat('f', { ino: 55 })],
      content: content(['f', 'h2']),
      entries: ['modify f file h2'],
    },
    {
      name: 'a directory mode change as meta',
      index: [recorded(dirStat('d'))],
      observed: [dirStat('d', { mode: 0o700 })],
      content: content(),
      entries: ['meta d dir'],
    },
    {
      name: 'a symlink retarget as modify',
      index: [recorded(linkStat('l', 'old-target'))],
      observed: [linkStat('l', 'new-target')],
      content: content(),
      entries: ['modify l symlink'],
    },
    {
      name: 'a symlink mode change as meta',
      index: [recorded(linkStat('l', 't'))],
      observed: [linkStat('l', 't', { mode: 0o755 })],
      content: content(),
      entries: ['meta l symlink'],
    },
    {
      name: 'a rename by inode as a move and a delete',
      index: [recorded(fileStat('a/old.txt', { ino: 7 }), 'h1')],
      observed: [fileStat('b/new.txt', { ino: 7 })],
      content: content(['b/new.txt', 'h1']),
      entries: ['delete a/old.txt none', 'move b/new.txt <- a/old.txt file h1'],
    },
    {
      name: 'a move by hash when the inode changed (copy then delete)',
      index: [recorded(fileStat('a/x.bin', { ino: 7 }), 'h1')],
      observed: [fileStat('b/y.bin', { ino: 8, mtimeMs: 3000 })],
      content: content(['b/y.bin', 'h1']),
      entries: ['delete a/x.bin none', 'move b/y.bin <- a/x.bin file h1'],
    },
    {
      name: 'a move by hash that prefers the source with the same base name',
      index: [
        recorded(fileStat('a/one.txt', { ino: 1 }), 'h1'),
        recorded(fileStat('b/two.txt', { ino: 2 }), 'h1'),
        recorded(fileStat('c/three.txt', { ino: 3 }), 'h1'),
      ],
      observed: [fileStat('z/two.txt', { ino: 4, mtimeMs: 9 })],
      content: content(['z/two.txt', 'h1']),
      entries: [
        'delete a/one.txt none',
        'delete b/two.txt none',
        'delete c/three.txt none',
        'move z/two.txt <- b/two.txt file h1',
      ],
    },
    {
      name: 'each deletion paired with at most one addition',
      index: [recorded(fileStat('a', { ino: 1 }), 'h1')],
      observed: [fileStat('b', { ino: 2, mtimeMs: 9 }), fileStat('c', { ino: 3, mtimeMs: 9 })],
      content: content(['b', 'h1'], ['c', 'h1']),
      entries: ['delete a none', 'move b <- a file h1', 'add c file h1'],
    },
    {
      name: 'empty files never paired by hash',
      index: [recorded(fileStat('empty1', { ino: 1, size: 0 }), 'e0')],
      observed: [fileStat('empty2', { ino: 2, size: 0, mtimeMs: 9 })],
      content: content(['empty2', 'e0', 0]),
      entries: ['delete empty1 none', 'add empty2 file e0'],
    },
    {
      name: 'an addition not paired with a deletion of other content',
      index: [recorded(fileStat('a', { ino: 1 }), 'h1')],
      observed: [fileStat('b', { ino: 2, mtimeMs: 9 })],
      content: content(['b', 'h2']),
      entries: ['delete a none', 'add b file h2'],
    },
    {
      name: 'a source taken by an inode move not reused for a hash move',
      index: [recorded(fileStat('a', { ino: 1 }), 'h1')],
      observed: [fileStat('b', { ino: 1 }), fileStat('c', { ino: 2, mtimeMs: 9 })],
      content: content(['b', 'h1'], ['c', 'h1']),
      entries: ['delete a none', 'move b <- a file h1', 'add c file h1'],
    },
    {
      name: 'a directory rename by inode, with its children',
      index: [
        recorded(dirStat('old', { ino: 10 })),
        recorded(fileStat('old/f', { ino: 11 }), 'h1'),
        recorded(dirStat('old/sub', { ino: 12 })),
      ],
      observed: [
        dirStat('new', { ino: 10 }),
        fileStat('new/f', { ino: 11 }),
        dirStat('new/sub', { ino: 12 }),
      ],
      content: content(['new/f', 'h1']),
      entries: [
        'move new <- old dir',
        'move new/f <- old/f file h1',
        'move new/sub <- old/sub dir',
        'delete old none',
        'delete old/f none',
        'delete old/sub none',
      ],
    },
    {
      name: 'a modified file and a deleted one, sorted by path',
      index: [recorded(fileStat('b'), 'h1'), recorded(fileStat('a', { ino: 2 }), 'h2')],
      observed: [fileStat('b', { size: 1 })],
      content: content(['b', 'h3', 1]),
      entries: ['delete a none', 'modify b file h3'],
    },
  ];
  it.each(cases)('builds $name', (c) => {
    const diff = diffState(index(...c.index), c.observed, WHOLE_FOLDER);
    const entries = buildEntries(diff, c.content, movesByInode(diff));
    expect(describeEntries(entries)).toEqual(c.entries);
  });

  it('copies what was observed into the entry, and the chunks of its content', () => {
    const stat = fileStat('f', { size: 321, mtimeMs: 1234.5, mode: 0o640, ino: 77 });
    const diff = diffState(new Map(), [stat], WHOLE_FOLDER);
    const c = content(['f', 'h1', 321]);
    const [e] = buildEntries(diff, c);
    expect(e).toEqual({
      path: 'f',
      op: 'add',
      kind: 'file',
      size: 321,
      mtimeMs: 1234.5,
      mode: 0o640,
      ino: 77,
      hash: 'h1',
      target: null,
      chunks: c.get('f')!.chunks,
      movedFrom: null,
    });
  });

  it('writes deletions as kind none with every other field cleared', () => {
    const diff = diffState(index(recorded(linkStat('l', 't', { ino: 5 }))), [], WHOLE_FOLDER);
    expect(buildEntries(diff, new Map())).toEqual([
      {
        path: 'l',
        op: 'delete',
        kind: 'none',
        size: 0,
        mtimeMs: 0,
        mode: 0,
        ino: 0,
        hash: null,
        target: null,
        chunks: null,
        movedFrom: null,
      },
    ]);
  });

  it('records a symlink target as-is', () => {
    const diff = diffState(new Map(), [linkStat('l', '../../etc/passwd')], WHOLE_FOLDER);
    expect(buildEntries(diff, new Map())[0]?.target).toBe('../../etc/passwd');
  });

  it('refuses a changed file whose content is missing', () => {
    const diff: StateDiff = diffState(new Map(), [fileStat('f')], WHOLE_FOLDER);
    expect(() => buildEntries(diff, new Map())).toThrow(/no content for f/);
  });

  it('writes each path at most once, whatever the moves', () => {
    const pathArb = fc.constantFrom('a', 'b', 'c', 'd/a', 'd/b', 'e');
    const statArb = fc.record({
      path: pathArb,
      ino: fc.integer({ min: 1, max: 4 }),
      hash: fc.constantFrom('h1', 'h2', 'h3'),
      size: fc.constantFrom(0, 10),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(statArb, { selector: (s) => s.path, maxLength: 6 }),
        fc.uniqueArray(statArb, { selector: (s) => s.path, maxLength: 6 }),
        (before, after) => {
          const idx = index(
            ...before.map((s) => recorded(fileStat(s.path, { ino: s.ino, size: s.size }), s.hash)),
          );
          const observed = after.map((s) => fileStat(s.path, { ino: s.ino, size: s.size }));
          const diff = diffState(idx, observed, WHOLE_FOLDER);
          const c = content(
            ...after.map((s): [string, string, number] => [s.path, s.hash, s.size]),
          );
          const entries = buildEntries(diff, c, movesByInode(diff));
          const paths = entries.map((e) => e.path);
          expect(new Set(paths).size).toBe(paths.length);
          expect([...paths].sort()).toEqual(paths);
          const sources = entries.filter((e) => e.op === 'move').map((e) => e.movedFrom!);
          expect(new Set(sources).size).toBe(sources.length);
          for (const src of sources) {
            expect(idx.has(src)).toBe(true);
            expect(entries.find((e) => e.path === src)?.op).toBe('delete');
          }
          for (const e of entries) {
            if (e.op !== 'move') continue;
            const from = idx.get(e.movedFrom!)!;
            expect(from.hash === e.hash || from.ino === e.ino).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
