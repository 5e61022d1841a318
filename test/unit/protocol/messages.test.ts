import { describe, expect, it } from 'vitest';
import {
  parseMessage,
  ProtocolError,
  WireEntry,
  WireVersion,
  MAX_CHUNK_BYTES,
  INLINE_FILE_BYTES,
} from '../../../main/protocol/messages.js';
import {
  DELETE_ENTRY,
  DIR_ENTRY,
  fileEntry,
  HASH_A,
  LINK_ENTRY,
  sampleMessages,
} from './samples.js';

const FILE = fileEntry('a.txt', Buffer.from('content'));
/** A valid get of one chunk, for the batched-get cases to change. */
const GET_A = { t: 'get', folder: 'f1', id: 1, path: 'a', version: 1, index: 0, hash: HASH_A };

function problemsOf(value: unknown): string[] {
  const r = WireEntry.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('WireEntry', () => {
  it.each([
    ['a file', FILE],
    ['a directory', DIR_ENTRY],
    ['a symlink', LINK_ENTRY],
    ['a deletion', DELETE_ENTRY],
    ['a move', { ...FILE, op: 'move', path: 'b.txt', movedFrom: 'a.txt' }],
    [
      'a file given as an edit of a base list',
      { ...FILE, chunks: { base: HASH_A, ops: [[0, 0, 1]] } },
    ],
    ['an empty file', fileEntry('empty', Buffer.alloc(0), { chunks: Buffer.alloc(0) })],
    ['a name with spaces and non-ASCII', { ...FILE, path: 'dossier été/中文 file.txt' }],
    ['a name starting with two dots', { ...FILE, path: '..hidden/..x' }],
  ])('accepts %s', (_what, entry) => {
    expect(problemsOf(entry)).toEqual([]);
  });

  it.each([
    ['a file without hash', { ...FILE, hash: null }, /hash and chunks/],
    ['a file without chunks', { ...FILE, chunks: null }, /hash and chunks/],
    ['a symlink without target', { ...LINK_ENTRY, target: null }, /needs a target/],
    ['kind none for an add', { ...DELETE_ENTRY, op: 'add' }, /only for deletions/],
    [
      'a chunk list that is not whole records',
      { ...FILE, chunks: Buffer.alloc(45) },
      /whole records/,
    ],
    ['a chunk list that is a string', { ...FILE, chunks: 'abc' }, /./],
    [
      'a chunk edit with an empty record run',
      { ...FILE, chunks: { base: HASH_A, ops: [[1, Buffer.alloc(0)]] } },
      /./,
    ],
    [
      'a chunk edit with a zero-length keep',
      { ...FILE, chunks: { base: HASH_A, ops: [[0, 0, 0]] } },
      /./,
    ],
    [
      'a chunk edit with a negative start',
      { ...FILE, chunks: { base: HASH_A, ops: [[0, -1, 2]] } },
      /./,
    ],
    ['a chunk edit with a bad base', { ...FILE, chunks: { base: 'xyz', ops: [] } }, /./],
    ['an upper-case hash', { ...FILE, hash: HASH_A.toUpperCase() }, /./],
    ['a short hash', { ...FILE, hash: 'abcd' }, /./],
    ['a negative size', { ...FILE, size: -1 }, /./],
    ['a fractional size', { ...FILE, size: 1.5 }, /./],
    ['a size above 2^50', { ...FILE, size: 2 ** 50 + 1 }, /./],
    ['mode bits above 0o7777', { ...FILE, mode: 0o10000 }, /./],
    ['an infinite mtime', { ...FILE, mtimeMs: Number.POSITIVE_INFINITY }, /./],
    ['an unknown op', { ...FILE, op: 'chmod' }, /./],
    ['an unknown kind', { ...FILE, kind: 'fifo' }, /./],
    ['an extra field', { ...FILE, inode: 5 }, /./],
    ['a missing field', (({ movedFrom: _m, ...rest }) => rest)(FILE), /./],
    ['a symlink target with NUL', { ...LINK_ENTRY, target: 'a\0b' }, /NUL in target/],
    ['an empty symlink target', { ...LINK_ENTRY, target: '' }, /./],
  ])('refuses %s', (_what, entry, why) => {
    const problems = problemsOf(entry);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(why);
  });

  const badPaths = [
    '',
    '.',
    '..',
    '../x',
    'a/../../x',
    'a/..',
    './a',
    'a/./b',
    '/etc/passwd',
    '//server/share',
    'C:/Windows',
    'c:x',
    'a\\..\\..\\x',
    '..\\x',
    'a\0b',
    'a//b',
    'a/',
    'a/b/',
    'tab\there',
    'new\nline',
    'x'.repeat(256),
    `${'d/'.repeat(2049)}x`,
  ];
  it.each(badPaths.map((p) => [JSON.stringify(p).slice(0, 40), p]))(
    'refuses the path %s, also as a move source',
    (_shown, p) => {
      expect(problemsOf({ ...FILE, path: p }).join()).toMatch(/path/);
      expect(problemsOf({ ...FILE, op: 'move', movedFrom: p }).join()).toMatch(/movedFrom/);
    },
  );
});

describe('WireVersion', () => {
  it('accepts a version and refuses a bad method or an entry over the limit', () => {
    const v = { prior: 0, version: 1, createdAt: 1, method: '1pc', entries: [FILE] };
    expect(WireVersion.safeParse(v).success).toBe(true);
    expect(WireVersion.safeParse({ ...v, method: '3pc' }).success).toBe(false);
    expect(WireVersion.safeParse({ ...v, version: Number.MAX_SAFE_INTEGER + 2 }).success).toBe(
      false,
    );
    expect(WireVersion.safeParse({ ...v, entries: [{ ...FILE, path: '../x' }] }).success).toBe(
      false,
    );
  });
});

describe('parseMessage', () => {
  it('accepts every sample message', () => {
    for (const m of sampleMessages()) expect(parseMessage(m)).toEqual(m);
  });

  it.each([
    ['not an object', 42, /bad \? message at top/],
    ['an unknown type', { t: 'delete-everything' }, /bad delete-everything message/],
    ['a folder ID with a slash', { t: 'subscribe', folder: 'a/b', have: 0 }, /at folder/],
    [
      'a folder ID starting with a dot',
      { t: 'subscribe', folder: '.hidden', have: 0 },
      /at folder/,
    ],
    ['an empty folder ID', { t: 'subscribe', folder: '', have: 0 }, /at folder/],
    ['a folder ID of 65 characters', { t: 'ack', folder: 'a'.repeat(65), version: 0 }, /at folder/],
    ['a version beyond 2^53', { t: 'ack', folder: 'f1', version: 2 ** 60 }, /at version/],
    ['a negative have', { t: 'delta-req', folder: 'f1', id: 1, have: -5 }, /at have/],
    ['a tx that is not version.attempt', { t: 'outcome-req', folder: 'f1', tx: '../x' }, /at tx/],
    [
      'a decision that is neither commit nor abort',
      { t: 'decision', folder: 'f1', tx: '4.1', outcome: 'maybe' },
      /at outcome/,
    ],
    [
      'a report naming a replica by a malformed device ID',
      {
        t: 'report',
        folder: 'f1',
        prior: 3,
        version: 4,
        results: [{ replica: 'x', name: '', via: 'B'.repeat(52), outcome: 'commit', reason: '' }],
      },
      /at results\.0\.replica/,
    ],
    [
      'a report with 1,001 results',
      {
        t: 'report',
        folder: 'f1',
        prior: 3,
        version: 4,
        results: Array.from({ length: 1001 }, () => ({
          replica: 'A'.repeat(52),
          name: '',
          via: 'B'.repeat(52),
          outcome: 'commit',
          reason: '',
        })),
      },
      /at results/,
    ],
    [
      'a vote without its reason',
      { t: 'vote', folder: 'f1', tx: '4.1', upToDate: true, canApply: true },
      /at reason/,
    ],
    [
      'a get for ../../etc/passwd',
      {
        t: 'get',
        folder: 'f1',
        id: 1,
        path: '../../etc/passwd',
        version: 1,
        index: 0,
        hash: HASH_A,
      },
      /bad get message at path: invalid path/,
    ],
    [
      'a get for an absolute path',
      { t: 'get', folder: 'f1', id: 1, path: '/etc/passwd', version: 1, index: 0, hash: HASH_A },
      /at path/,
    ],
    [
      'a get with an index beyond 32 bits',
      { t: 'get', folder: 'f1', id: 1, path: 'a', version: 1, index: 2 ** 32, hash: HASH_A },
      /at index/,
    ],
    [
      'a get for a run of no chunks',
      { t: 'get', folder: 'f1', id: 1, path: 'a', version: 1, index: 0, hash: HASH_A, count: 0 },
      /at count/,
    ],
    [
      'a get for a run of more than 256 chunks',
      { t: 'get', folder: 'f1', id: 1, path: 'a', version: 1, index: 0, hash: HASH_A, count: 257 },
      /at count/,
    ],
    [
      'a get for a run of 2.5 chunks',
      { t: 'get', folder: 'f1', id: 1, path: 'a', version: 1, index: 0, hash: HASH_A, count: 2.5 },
      /at count/,
    ],
    [
      'a batched get for a path outside the folder',
      { ...GET_A, more: [{ path: 'b/../../x', index: 0, hash: HASH_A }] },
      /at more\.0\.path: invalid path/,
    ],
    ['a batched get with an empty list of further runs', { ...GET_A, more: [] }, /at more/],
    [
      'a batched get for more than 256 chunks in all',
      { ...GET_A, count: 200, more: [{ path: 'b', index: 0, hash: HASH_A, count: 57 }] },
      /at most 256 chunks in all/,
    ],
    [
      'a data message over the chunk limit',
      { t: 'data', folder: 'f1', id: 1, data: Buffer.alloc(MAX_CHUNK_BYTES + 1) },
      /chunk too large/,
    ],
    [
      'inline data over the inline limit',
      {
        t: 'delta-part',
        folder: 'f1',
        id: 1,
        entries: [],
        texts: [],
        inline: [{ hash: HASH_A, data: Buffer.alloc(INLINE_FILE_BYTES + 1) }],
      },
      /inline data too large/,
    ],
    [
      'a text delta for a bad path',
      {
        t: 'delta-part',
        folder: 'f1',
        id: 1,
        entries: [],
        texts: [{ path: 'a/../../b', baseHash: HASH_A, hash: HASH_A, edits: [] }],
        inline: [],
      },
      /texts\.0\.path/,
    ],
    [
      'a text edit of an unknown kind',
      {
        t: 'delta-part',
        folder: 'f1',
        id: 1,
        entries: [],
        texts: [{ path: 'a', baseHash: HASH_A, hash: HASH_A, edits: [[2, 1]] }],
        inline: [],
      },
      /edits/,
    ],
    [
      'a change packet with a window over 64 versions',
      {
        t: 'change',
        folder: 'f1',
        current: { prior: 0, version: 1, createdAt: 0, method: '1pc', entries: [] },
        window: Array.from({ length: 65 }, () => ({
          prior: 0,
          version: 1,
          createdAt: 0,
          method: '1pc',
          entries: [],
        })),
        inline: [],
      },
      /window/,
    ],
    [
      'a hello with a long name',
      { t: 'hello', protocol: 1, name: 'n'.repeat(65), app: 'x' },
      /at name/,
    ],
    ['an error with a long reason', { t: 'error', reason: 'r'.repeat(1001) }, /at reason/],
  ])('refuses %s', (_what, value, why) => {
    let caught: unknown;
    try {
      parseMessage(value);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as Error).message).toMatch(why);
  });
});
