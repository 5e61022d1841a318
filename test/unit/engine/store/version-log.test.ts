import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkList } from '../../../../main/engine/chunk-list.js';
import type { Entry, EntryKind, NewEntry, NewVersion } from '../../../../main/engine/entry.js';
import { LanfoldError } from '../../../../main/engine/errors.js';
import { toRelPath, type RelPath } from '../../../../main/engine/relpath.js';
import { VersionLog } from '../../../../main/engine/store/version-log.js';
import { lanfoldErrorOf } from '../../helpers/errors.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const HEADER: NewVersion = {
  epoch: 1,
  createdAt: 1_700_000_000_000,
  method: '1pc',
  reason: 'one file changed',
  origin: 'watch',
};

function file(p: string, hash: string, size = 10, chunks: ChunkList | null = null): NewEntry {
  return {
    path: toRelPath(p),
    op: 'add',
    kind: 'file',
    size,
    mtimeMs: 1_700_000_000_123.5,
    mode: 0o644,
    ino: 42,
    hash,
    target: null,
    chunks,
    movedFrom: null,
  };
}

function dir(p: string): NewEntry {
  return { ...file(p, ''), kind: 'dir', size: 0, hash: null, mode: 0o755 };
}

function del(p: string): NewEntry {
  return {
    ...file(p, ''),
    op: 'delete',
    kind: 'none',
    size: 0,
    mtimeMs: 0,
    mode: 0,
    ino: 0,
    hash: null,
  };
}

function chunkList(seed: number, count: number): ChunkList {
  return ChunkList.fromChunks(
    Array.from({ length: count }, (_, i) => ({
      hash: Buffer.alloc(32, seed * 16 + i),
      fast: BigInt(seed * 1000 + i),
      size: 100 + i,
    })),
  );
}

describe('VersionLog', () => {
  const tempDir = useTempDirs();
  const open: VersionLog[] = [];
  afterEach(() => {
    for (const log of open.splice(0)) log.close();
  });

  function newLog(): { log: VersionLog; file: string } {
    const file = path.join(tempDir('vlog'), 'log.db');
    const log = new VersionLog(file);
    open.push(log);
    return { log, file };
  }

  it('starts empty at version 0', () => {
    const { log } = newLog();
    expect(log.head()).toBe(0);
    expect(log.version(1)).toBeUndefined();
    expect(log.history(10)).toEqual([]);
    expect(log.stateAt(0)).toEqual([]);
    expect(log.scope(0, 0)).toEqual([]);
  });

  it('numbers commits 1, 2, 3 and records their headers', () => {
    const { log } = newLog();
    const v1 = log.commit(HEADER, [file('a', 'h1', 100), dir('d')]);
    const v2 = log.commit({ ...HEADER, method: '2pc', origin: 'rescan' }, [file('b', 'h2', 7)]);
    const v3 = log.commit(HEADER, [del('a')]);
    expect([v1.seq, v2.seq, v3.seq]).toEqual([1, 2, 3]);
    expect(log.head()).toBe(3);
    expect(log.version(2)).toEqual({
      ...HEADER,
      method: '2pc',
      origin: 'rescan',
      seq: 2,
      changes: 1,
      bytes: 7,
    });
    expect(log.version(1)).toEqual(v1);
    expect(v1.changes).toBe(2);
  });

  it('counts only the bytes of added or modified files', () => {
    const { log } = newLog();
    const info = log.commit(HEADER, [
      file('added', 'h', 100),
      { ...file('modified', 'h', 20), op: 'modify' },
      { ...file('moved', 'h', 1000), op: 'move', movedFrom: toRelPath('x') },
      { ...file('meta', 'h', 5000), op: 'meta' },
      dir('d'),
      del('gone'),
    ]);
    expect(info.bytes).toBe(120);
    expect(info.changes).toBe(6);
  });

  it('lists history newest first, limited and before a version', () => {
    const { log } = newLog();
    for (let i = 0; i < 5; i++) log.commit({ ...HEADER, createdAt: i }, [file(`f${i}`, `h${i}`)]);
    expect(log.history(10).map((v) => v.seq)).toEqual([5, 4, 3, 2, 1]);
    expect(log.history(2).map((v) => v.seq)).toEqual([5, 4]);
    expect(log.history(2, 4).map((v) => v.seq)).toEqual([3, 2]);
    expect(log.history(10, 1)).toEqual([]);
    expect(log.history(0)).toEqual([]);
  });

  it('returns the operations of one version sorted by path', () => {
    const { log } = newLog();
    log.commit(HEADER, [file('z', 'h1'), file('a', 'h2'), dir('m')]);
    log.commit(HEADER, [del('z')]);
    expect(log.operations(1).map((e) => [e.path, e.seq, e.kind])).toEqual([
      ['a', 1, 'file'],
      ['m', 1, 'dir'],
      ['z', 1, 'file'],
    ]);
    expect(log.operations(2).map((e) => [e.path, e.op, e.kind])).toEqual([['z', 'delete', 'none']]);
    expect(log.operations(3)).toEqual([]);
  });

  it('keeps every field of an entry, including chunks and fractional mtimes', () => {
    const { log } = newLog();
    const chunks = chunkList(3, 4);
    const moved: NewEntry = {
      ...file('dst', chunks.rootHash(), chunks.totalSize(), chunks),
      op: 'move',
      movedFrom: toRelPath('src'),
      mode: 0o600,
      ino: 123456789,
    };
    const link: NewEntry = {
      ...file('link', ''),
      kind: 'symlink',
      hash: null,
      size: 0,
      target: '../outside/target',
    };
    log.commit(HEADER, [moved, link]);
    const got = log.entryAt(toRelPath('dst'), 1)!;
    expect({ ...got, chunks: null }).toEqual({ ...moved, chunks: null, seq: 1 });
    expect(got.chunks?.packed.equals(chunks.packed)).toBe(true);
    expect(log.entryAt(toRelPath('link'), 1)).toEqual({ ...link, seq: 1 });
  });

  it('returns the entry of a path at a version', () => {
    const { log } = newLog();
    log.commit(HEADER, [file('a', 'h1')]);
    log.commit(HEADER, [file('b', 'h2')]);
    log.commit(HEADER, [{ ...file('a', 'h3'), op: 'modify' }]);
    log.commit(HEADER, [del('a')]);
    const a = toRelPath('a');
    expect(log.entryAt(a, 0)).toBeUndefined();
    expect(log.entryAt(a, 1)?.hash).toBe('h1');
    expect(log.entryAt(a, 2)?.hash).toBe('h1');
    expect(log.entryAt(a, 2)?.seq).toBe(1);
    expect(log.entryAt(a, 3)?.hash).toBe('h3');
    expect(log.entryAt(a, 4)?.kind).toBe('none');
    expect(log.entryAt(a, 99)?.kind).toBe('none');
    expect(log.entryAt(toRelPath('never'), 4)).toBeUndefined();
  });

  it('returns the state at a version', () => {
    const { log } = newLog();
    log.commit(HEADER, [dir('d'), file('d/x', 'h1'), file('y', 'h2')]);
    log.commit(HEADER, [{ ...file('d/x', 'h3'), op: 'modify' }, del('y')]);
    log.commit(HEADER, [file('y', 'h4')]);
    const view = (v: number) => log.stateAt(v).map((e) => `${e.path}@${e.seq}:${e.hash ?? '-'}`);
    expect(view(0)).toEqual([]);
    expect(view(1)).toEqual(['d@1:-', 'd/x@1:h1', 'y@1:h2']);
    expect(view(2)).toEqual(['d@1:-', 'd/x@2:h3']);
    expect(view(3)).toEqual(['d@1:-', 'd/x@2:h3', 'y@3:h4']);
    expect(view(100)).toEqual(view(3));
  });

  it('loads chunk lists in stateAt only when asked', () => {
    const { log } = newLog();
    const chunks = chunkList(1, 2);
    log.commit(HEADER, [file('f', chunks.rootHash(), chunks.totalSize(), chunks)]);
    expect(log.stateAt(1)[0]!.chunks).toBeNull();
    expect(log.stateAt(1, { withChunks: true })[0]!.chunks?.packed.equals(chunks.packed)).toBe(
      true,
    );
  });

  it('returns the net effect of a range of versions as its scope', () => {
    const { log } = newLog();
    log.commit(HEADER, [file('a', 'h1'), file('b', 'h2'), file('c', 'h3')]);
    log.commit(HEADER, [{ ...file('a', 'h4'), op: 'modify' }, del('b')]);
    log.commit(HEADER, [{ ...file('a', 'h5'), op: 'modify' }, file('b', 'h6'), file('d', 'h7')]);
    log.commit(HEADER, [del('d')]);
    const view = (a: number, b: number) =>
      log.scope(a, b).map((e) => `${e.path}@${e.seq}:${e.kind}:${e.hash ?? '-'}`);
    expect(view(1, 2)).toEqual(['a@2:file:h4', 'b@2:none:-']);
    expect(view(1, 3)).toEqual(['a@3:file:h5', 'b@3:file:h6', 'd@3:file:h7']);
    expect(view(1, 4)).toEqual(['a@3:file:h5', 'b@3:file:h6', 'd@4:none:-']);
    expect(view(3, 4)).toEqual(['d@4:none:-']);
    expect(view(0, 1)).toEqual(['a@1:file:h1', 'b@1:file:h2', 'c@1:file:h3']);
    expect(view(4, 4)).toEqual([]);
    expect(view(4, 2)).toEqual([]);
  });

  it('answers "state at v", "changed in (a, b]" and "a path at v" each with one query on an index', () => {
    const { log } = newLog();
    // The log's own prepared statements (private: reached by name, so the plan follows the code).
    const stmts = log['stmts'];
    const db = log['db'];
    const plan = (sql: string): string[] =>
      db
        .prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...Array.from(sql.match(/\?/g) ?? [], () => 1))
        .map((r) => r.detail);
    // (a, b]: a range of the seq index, then the newest row of each path by primary key.
    const scope = plan(stmts.scope.source);
    expect(scope[0]).toMatch(/^SEARCH e USING INDEX entries_by_seq \(seq>\? AND seq<\?\)$/);
    expect(scope).toContain('SEARCH entries USING PRIMARY KEY (path=? AND seq<?)');
    // A path at v: one primary-key search.
    expect(plan(stmts.entryAt.source)).toEqual([
      'SEARCH entries USING PRIMARY KEY (path=? AND seq<?)',
    ]);
    // State at v: one pass over the (path, seq) primary key in its order, no sort.
    for (const sql of [stmts.stateAtMeta.source, stmts.stateAtFull.source])
      expect(plan(sql)).toEqual(['SCAN entries']);
  });

  it('takes an explicit version number that is after the head, leaving a gap', () => {
    const { log } = newLog();
    log.commit(HEADER, [file('a', 'h1')]);
    const info = log.commit(HEADER, [file('b', 'h2')], 10);
    expect(info.seq).toBe(10);
    expect(log.head()).toBe(10);
    expect(log.version(5)).toBeUndefined();
    expect(log.stateAt(5).map((e) => e.path)).toEqual(['a']);
    expect(log.commit(HEADER, [file('c', 'h3')]).seq).toBe(11);
  });

  it.each([
    ['equal to the head', 3],
    ['below the head', 1],
    ['zero', 0],
    ['negative', -1],
    ['fractional', 3.5],
    ['unsafe', 2 ** 53],
    ['NaN', Number.NaN],
  ])('refuses an explicit version %s and writes nothing', (_name, seq) => {
    const { log } = newLog();
    for (let i = 0; i < 3; i++) log.commit(HEADER, [file(`f${i}`, 'h')]);
    expect(() => log.commit(HEADER, [file('new', 'h')], seq)).toThrow(LanfoldError);
    expect(log.head()).toBe(3);
    expect(log.entryAt(toRelPath('new'), 1000)).toBeUndefined();
  });

  it('rolls a failed commit back entirely', () => {
    const { log } = newLog();
    log.commit(HEADER, [file('a', 'h1')]);
    // The same path twice in one version breaks the (path, seq) key on the second row.
    expect(() => log.commit(HEADER, [file('b', 'h2'), file('b', 'h3')])).toThrow();
    expect(log.head()).toBe(1);
    expect(log.version(2)).toBeUndefined();
    expect(log.entryAt(toRelPath('b'), 2)).toBeUndefined();
    expect(log.commit(HEADER, [file('b', 'h4')]).seq).toBe(2);
  });

  it('keeps small settings in its meta table', () => {
    const { log } = newLog();
    expect(log.getMeta('root-id')).toBeUndefined();
    log.setMeta('root-id', '1:2');
    log.setMeta('root-id', '3:4');
    log.setMeta('other', 'x');
    expect(log.getMeta('root-id')).toBe('3:4');
    expect(log.getMeta('other')).toBe('x');
  });

  it('keeps everything across a reopen, and opens read-only', () => {
    const { log, file: dbFile } = newLog();
    log.commit(HEADER, [file('a', 'h1')]);
    log.commit(HEADER, [file('b', 'h2')]);
    log.setMeta('k', 'v');
    log.close();
    open.splice(open.indexOf(log), 1);

    const again = new VersionLog(dbFile);
    open.push(again);
    expect(again.head()).toBe(2);
    expect(again.getMeta('k')).toBe('v');
    again.close();
    open.pop();

    const ro = new VersionLog(dbFile, { readonly: true });
    open.push(ro);
    expect(ro.stateAt(2).map((e) => e.path)).toEqual(['a', 'b']);
    expect(() => ro.commit(HEADER, [file('c', 'h3')])).toThrow();
    expect(() => ro.setMeta('k', 'w')).toThrow();
  });

  it('refuses a file that is not a database with DB_CORRUPT', () => {
    const dbFile = path.join(tempDir('vlog'), 'log.db');
    writeFileSync(dbFile, 'this is a text file, not an SQLite database\n'.repeat(200));
    const err = lanfoldErrorOf(() => new VersionLog(dbFile));
    expect(err.code).toBe('DB_CORRUPT');
    expect(err.message).toContain(dbFile);
    expect(err.hint).toBeTruthy();
  });

  it('refuses a database whose schema is newer than this build with DB_TOO_NEW', () => {
    const dbFile = path.join(tempDir('vlog'), 'log.db');
    const raw = new Database(dbFile);
    raw.pragma('user_version = 99');
    raw.close();
    const err = lanfoldErrorOf(() => new VersionLog(dbFile));
    expect(err.code).toBe('DB_TOO_NEW');
    expect(err.message).toContain('99');
    const errRo = lanfoldErrorOf(() => new VersionLog(dbFile, { readonly: true }));
    expect(errRo.code).toBe('DB_TOO_NEW');
  });

  it('refuses to open read-only a database that needs its schema created', () => {
    const dbFile = path.join(tempDir('vlog'), 'log.db');
    new Database(dbFile).close();
    expect(lanfoldErrorOf(() => new VersionLog(dbFile, { readonly: true })).code).toBe(
      'DB_TOO_NEW',
    );
  });

  it('reports a missing database opened read-only as STATE_MISSING', () => {
    const dir = tempDir('vlog');
    const err = lanfoldErrorOf(
      () => new VersionLog(path.join(dir, 'absent.db'), { readonly: true }),
    );
    expect(err.code).toBe('STATE_MISSING');
  });

  it('reports a database in a directory that does not exist as STATE_MISSING', () => {
    const dir = tempDir('vlog');
    const err = lanfoldErrorOf(() => new VersionLog(path.join(dir, 'no', 'such', 'log.db')));
    expect(err.code).toBe('STATE_MISSING');
  });
});

// ---------------------------------------------------------------------------------------------
// Property: the log agrees with a brute-force model of versions applied in order.

type ModelOp =
  | { readonly type: 'write'; readonly path: string; readonly hash: string }
  | { readonly type: 'mkdir'; readonly path: string }
  | { readonly type: 'delete'; readonly path: string };

interface ModelEntry {
  readonly path: string;
  readonly seq: number;
  readonly kind: EntryKind;
  readonly hash: string | null;
}

const PATHS = ['a', 'b', 'c', 'd', 'd/e', 'd/f', 'd/f/g', 'é', 'e\u0301'];

const opArb: fc.Arbitrary<ModelOp> = fc.oneof(
  fc.record({
    type: fc.constant('write' as const),
    path: fc.constantFrom(...PATHS),
    hash: fc.constantFrom('h0', 'h1', 'h2', 'h3', 'h4', 'h5'),
  }),
  fc.record({ type: fc.constant('mkdir' as const), path: fc.constantFrom(...PATHS) }),
  fc.record({ type: fc.constant('delete' as const), path: fc.constantFrom(...PATHS) }),
);

/** A version: ops on distinct paths, and the gap to the previous version number. */
const versionArb = fc.record({
  ops: fc.uniqueArray(opArb, { minLength: 1, maxLength: 5, selector: (op) => op.path }),
  gap: fc.oneof(fc.constant(1), fc.integer({ min: 1, max: 4 })),
  explicit: fc.boolean(),
});

function toNewEntry(op: ModelOp): NewEntry {
  switch (op.type) {
    case 'write':
      return file(op.path, op.hash);
    case 'mkdir':
      return dir(op.path);
    case 'delete':
      return del(op.path);
  }
}

function toModelEntry(op: ModelOp, seq: number): ModelEntry {
  const kind: EntryKind = op.type === 'write' ? 'file' : op.type === 'mkdir' ? 'dir' : 'none';
  return { path: op.path, seq, kind, hash: op.type === 'write' ? op.hash : null };
}

function slim(e: Entry): ModelEntry {
  return { path: e.path, seq: e.seq, kind: e.kind, hash: e.hash };
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

describe('VersionLog (model)', () => {
  const tempDir = useTempDirs();

  it('agrees with a brute-force model on stateAt and scope for random histories', () => {
    const dir = tempDir('vlog-model');
    // Creating the schema costs several fsyncs; each run starts from a copy of an empty log.
    const template = path.join(dir, 'template.db');
    new VersionLog(template).close();
    let run = 0;
    fc.assert(
      fc.property(
        fc.array(versionArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 8 }),
        (versions, probes) => {
          const file = path.join(dir, `log-${run++}.db`);
          copyFileSync(template, file);
          const log = new VersionLog(file);
          try {
            // The model: for each version number, the ops written at it.
            const written: { seq: number; ops: readonly ModelOp[] }[] = [];
            let head = 0;
            for (const v of versions) {
              const seq = v.explicit ? head + v.gap : head + 1;
              const info = log.commit(HEADER, v.ops.map(toNewEntry), v.explicit ? seq : undefined);
              expect(info.seq).toBe(seq);
              written.push({ seq, ops: v.ops });
              head = seq;
            }
            expect(log.head()).toBe(head);

            const latest = (upTo: number, from = 0): Map<string, ModelEntry> => {
              const m = new Map<string, ModelEntry>();
              for (const w of written)
                if (w.seq > from && w.seq <= upTo)
                  for (const op of w.ops) m.set(op.path, toModelEntry(op, w.seq));
              return m;
            };
            for (const [p, q, r] of probes) {
              const v = p % (head + 2);
              const expectedState = [...latest(v).values()]
                .filter((e) => e.kind !== 'none')
                .sort(byPath);
              expect(log.stateAt(v).map(slim)).toEqual(expectedState);
              expect(log.countFilesAt(v)).toBe(
                expectedState.filter((e) => e.kind !== 'dir').length,
              );

              const a = q % (head + 2);
              const b = a + (r % (head + 2 - a + 1));
              const expectedScope = [...latest(b, a).values()].sort(byPath);
              expect(log.scope(a, b).map(slim)).toEqual(expectedScope);

              for (const path of PATHS) {
                const want = latest(v).get(path);
                const got = log.entryAt(path as RelPath, v);
                expect(got === undefined ? undefined : slim(got)).toEqual(want);
              }
            }
            for (const w of written) {
              expect(log.operations(w.seq).map(slim)).toEqual(
                w.ops.map((op) => toModelEntry(op, w.seq)).sort(byPath),
              );
            }
          } finally {
            log.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
