/** One valid message of every type, shared by the protocol unit tests. */
import { createHash } from 'node:crypto';
import { ChunkList } from '../../../main/engine/chunk-list.js';
import type { RelPath } from '../../../main/engine/relpath.js';
import type { Message, WireEntry } from '../../../main/protocol/messages.js';

/** A path as the schema types it (the tests also build invalid ones on purpose). */
export function rel(p: string): RelPath {
  return p as RelPath;
}

export const HASH_A = 'ab'.repeat(32);
export const HASH_B = '0123456789abcdef'.repeat(4);

/** A one-chunk list for `data` (fast hash 0: the wire does not check it). */
export function listOf(data: Buffer): ChunkList {
  return ChunkList.fromChunks([
    { hash: createHash('sha256').update(data).digest(), fast: 0n, size: data.length },
  ]);
}

export function fileEntry(path: string, data: Buffer, extra: Partial<WireEntry> = {}): WireEntry {
  const chunks = listOf(data);
  return {
    path: rel(path),
    op: 'add',
    kind: 'file',
    size: data.length,
    mtimeMs: 1_700_000_000_000,
    mode: 0o644,
    hash: chunks.rootHash(),
    target: null,
    chunks: chunks.packed,
    movedFrom: null,
    ...extra,
  };
}

export const DIR_ENTRY: WireEntry = {
  path: rel('docs'),
  op: 'add',
  kind: 'dir',
  size: 0,
  mtimeMs: 1_700_000_000_000,
  mode: 0o755,
  hash: null,
  target: null,
  chunks: null,
  movedFrom: null,
};

export const LINK_ENTRY: WireEntry = {
  ...DIR_ENTRY,
  path: rel('docs/link'),
  kind: 'symlink',
  mode: 0o777,
  target: '../x',
};

export const DELETE_ENTRY: WireEntry = {
  ...DIR_ENTRY,
  path: rel('old.txt'),
  op: 'delete',
  kind: 'none',
  mode: 0,
};

/** A message of every type `t`, in the order of the schema. */
export function sampleMessages(): Message[] {
  const data = Buffer.from('hello\n');
  const file = fileEntry('docs/a.txt', data);
  return [
    { t: 'hello', protocol: 1, name: 'ann', app: '0.1.0' },
    { t: 'subscribe', folder: 'f1', have: 0 },
    { t: 'unsubscribe', folder: 'f1' },
    { t: 'refuse', folder: 'f1', reason: 'not shared' },
    { t: 'heartbeat', folder: 'f1', version: 5 },
    { t: 'ack', folder: 'f1', version: 5 },
    {
      t: 'change',
      folder: 'docs',
      current: {
        prior: 2,
        version: 3,
        createdAt: 1_700_000_000_000,
        method: '1pc',
        entries: [file, LINK_ENTRY],
      },
      window: [
        {
          prior: 1,
          version: 2,
          createdAt: 1_699_999_999_000,
          method: 'scan',
          entries: [DIR_ENTRY, DELETE_ENTRY],
        },
      ],
      inline: [{ hash: file.hash!, data }],
    },
    { t: 'delta-req', folder: 'f1', id: 9, have: 2 },
    {
      t: 'delta-part',
      folder: 'f1',
      id: 9,
      entries: [
        file,
        {
          ...file,
          path: rel('b.bin'),
          op: 'move',
          movedFrom: rel('a.bin'),
          chunks: {
            base: HASH_A,
            ops: [
              [0, 0, 3],
              [1, Buffer.alloc(44, 1)],
            ],
          },
        },
      ],
      texts: [
        {
          path: rel('docs/a.txt'),
          baseHash: HASH_A,
          hash: HASH_B,
          edits: [
            [0, 3],
            [1, 'é中'],
            [-1, 2],
          ],
        },
      ],
      inline: [],
    },
    { t: 'delta-end', folder: 'f1', id: 9, from: 2, to: 3, createdAt: 1_700_000_000_000 },
    { t: 'get', folder: 'f1', id: 7, path: rel('docs/a.txt'), version: 3, index: 0, hash: HASH_A },
    {
      t: 'get',
      folder: 'f1',
      id: 8,
      path: rel('docs/a.txt'),
      version: 3,
      index: 1,
      hash: HASH_A,
      count: 256,
    },
    { t: 'data', folder: 'f1', id: 7, data: Buffer.from([1, 2, 3]) },
    { t: 'nodata', folder: 'f1', id: 7, reason: 'superseded' },
    { t: 'offer', folder: 'f1', label: 'Photos' },
    { t: 'pair-start', x: new Uint8Array(32).fill(1), listenPort: 47210 },
    { t: 'pair-reply', y: new Uint8Array(32).fill(2), confirm: new Uint8Array(32).fill(3) },
    { t: 'pair-confirm', confirm: new Uint8Array(32).fill(4) },
    { t: 'pair-result', ok: false, reason: 'wrong code' },
    {
      t: 'prepare',
      folder: 'f1',
      tx: '4.1',
      prior: 3,
      version: {
        prior: 3,
        version: 4,
        createdAt: 1_700_000_000_000,
        method: '2pc',
        entries: [fileEntry('docs/a.txt', Buffer.from('a')), DELETE_ENTRY],
      },
      inline: [{ hash: HASH_A, data: Buffer.from('a') }],
    },
    { t: 'vote', folder: 'f1', tx: '4.1', upToDate: true, canApply: false, reason: 'disk full' },
    { t: 'decision', folder: 'f1', tx: '4.1', outcome: 'commit' },
    { t: 'outcome-req', folder: 'f1', tx: '4.1' },
    { t: 'staging', folder: 'f1', tx: '4.1' },
    {
      t: 'report',
      folder: 'f1',
      prior: 3,
      version: 4,
      results: [
        {
          replica: 'A'.repeat(52),
          name: 'laptop',
          via: 'B'.repeat(52),
          outcome: 'abort',
          reason: 'docs/a.txt has a local edit',
        },
      ],
    },
    { t: 'error', reason: 'bad frame' },
  ];
}
