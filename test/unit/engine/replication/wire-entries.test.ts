import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChunkList, type Chunk } from '../../../../main/engine/chunk-list.js';
import type { Entry } from '../../../../main/engine/entry.js';
import { toRelPath, type RelPath } from '../../../../main/engine/relpath.js';
import {
  copySourceCandidates,
  fromWire,
  toWire,
} from '../../../../main/engine/replication/wire-entries.js';

function chunk(n: number): Chunk {
  return { hash: createHash('sha256').update(`c${n}`).digest(), fast: BigInt(n), size: 1000 + n };
}

function fileWith(path: string, ns: readonly number[]): Entry {
  const chunks = ChunkList.fromChunks(ns.map(chunk));
  return {
    path: toRelPath(path),
    op: 'add',
    kind: 'file',
    size: chunks.totalSize(),
    mtimeMs: 1,
    mode: 0o644,
    ino: 1,
    hash: chunks.rootHash(),
    target: null,
    chunks,
    movedFrom: null,
    seq: 1,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('copySourceCandidates', () => {
  it.each([
    ['docs/big.bin.tmp', ['docs/big.bin']],
    ['report.doc~', ['report.doc', 'report']],
    ['.notes.txt.swp', ['.notes.txt', 'notes.txt']],
    ['a/b/.x.tmp', ['a/b/.x', 'a/b/x']],
    ['plain', []],
    ['.hidden', []],
  ])('%s may be a copy of %j', (path, expected) => {
    expect(copySourceCandidates(toRelPath(path))).toEqual(expected);
  });
});

describe('toWire / fromWire', () => {
  const original = fileWith('big.bin', range(0, 200));
  // An editor's save: the new content written to big.bin.tmp, 3 chunks inserted in the middle.
  const tmp = fileWith('big.bin.tmp', [...range(0, 100), 900, 901, 902, ...range(100, 200)]);
  const lookup = (entries: Entry[]) => (p: RelPath) => entries.find((e) => e.path === p);

  it('sends a temporary copy as an edit of the file it was copied from', () => {
    const wire = toWire(tmp, undefined, lookup([original]));
    expect(wire.chunks).not.toBeInstanceOf(Uint8Array);
    const delta = wire.chunks as Exclude<typeof wire.chunks, Uint8Array | null>;
    expect(delta.from).toBe('big.bin');
    expect(delta.ops).toHaveLength(3); // keep 100, 3 new records, keep 100
    const back = fromWire(wire, lookup([original]));
    expect(back?.chunks?.rootHash()).toBe(tmp.hash);
  });

  it('sends the whole list when no likely source is known, or it shares too little', () => {
    expect(toWire(tmp, undefined, lookup([])).chunks).toBeInstanceOf(Uint8Array);
    const unrelated = fileWith('big.bin', range(500, 700));
    expect(toWire(tmp, undefined, lookup([unrelated])).chunks).toBeInstanceOf(Uint8Array);
  });

  it('prefers the base at the same path', () => {
    const older = fileWith('big.bin.tmp', range(0, 200));
    const wire = toWire(tmp, older, lookup([original]));
    const delta = wire.chunks as Exclude<typeof wire.chunks, Uint8Array | null>;
    expect(delta.from).toBeUndefined();
    expect(fromWire(wire, lookup([older]))?.hash).toBe(tmp.hash);
  });

  it('refuses an edit whose source the receiver lacks, holds otherwise, or names badly', () => {
    const wire = toWire(tmp, undefined, lookup([original]));
    expect(fromWire(wire, lookup([]))).toBeUndefined();
    const changed = fileWith('big.bin', range(1, 201));
    expect(fromWire(wire, lookup([changed]))).toBeUndefined();
    const delta = wire.chunks as Exclude<typeof wire.chunks, Uint8Array | null>;
    for (const from of ['../big.bin', '/etc/passwd', 'a/../../x']) {
      const evil = { ...wire, chunks: { ...delta, from } };
      expect(fromWire(evil, () => original)).toBeUndefined();
    }
  });
});
