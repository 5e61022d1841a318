import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CHUNK_RECORD_BYTES, ChunkList, type Chunk } from '../../../main/engine/chunk-list.js';
import { LanfoldError } from '../../../main/engine/errors.js';
import { lanfoldErrorOf } from '../helpers/errors.js';

function chunk(seed: number, size: number, fast = BigInt(seed)): Chunk {
  return { hash: createHash('sha256').update(`chunk ${seed}`).digest(), fast, size };
}

const chunkArb: fc.Arbitrary<Chunk> = fc.record({
  hash: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((a) => Buffer.from(a)),
  fast: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  size: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
});

function plain(c: Chunk): { hash: string; fast: bigint; size: number } {
  return { hash: Buffer.from(c.hash).toString('hex'), fast: c.fast, size: c.size };
}

describe('ChunkList', () => {
  it('packs 44 bytes per chunk: SHA-256, xxhash64 LE, size uint32 LE', () => {
    const c = chunk(1, 0x01020304, 0x1122334455667788n);
    const list = ChunkList.fromChunks([c]);
    expect(CHUNK_RECORD_BYTES).toBe(44);
    expect(list.packed.length).toBe(44);
    expect(list.packed.subarray(0, 32).equals(c.hash)).toBe(true);
    expect(list.packed.subarray(32, 40).toString('hex')).toBe('8877665544332211');
    expect(list.packed.subarray(40, 44).toString('hex')).toBe('04030201');
  });

  it('round-trips any chunks through the packed form', () => {
    fc.assert(
      fc.property(fc.array(chunkArb, { maxLength: 20 }), (chunks) => {
        const list = ChunkList.fromChunks(chunks);
        const back = ChunkList.fromPacked(Buffer.from(list.packed));
        expect(back.count).toBe(chunks.length);
        expect([...back].map(plain)).toEqual(chunks.map(plain));
        expect(back.rootHash()).toBe(list.rootHash());
        expect(back.totalSize()).toBe(chunks.reduce((n, c) => n + c.size, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('reads a chunk at an index, and iterates in order', () => {
    const chunks = [chunk(1, 10), chunk(2, 20), chunk(3, 30)];
    const list = ChunkList.fromChunks(chunks);
    expect(plain(list.at(1))).toEqual(plain(chunks[1]!));
    expect([...list].map((c) => c.size)).toEqual([10, 20, 30]);
  });

  it('gives the offset where each chunk starts and the total size', () => {
    const list = ChunkList.fromChunks([chunk(1, 10), chunk(2, 20), chunk(3, 30)]);
    expect(list.offsets()).toEqual([0, 10, 30]);
    expect(list.totalSize()).toBe(60);
  });

  it('sums sizes beyond 4 GiB', () => {
    const list = ChunkList.fromChunks([chunk(1, 2 ** 32 - 1), chunk(2, 2 ** 32 - 1)]);
    expect(list.totalSize()).toBe(2 ** 33 - 2);
    expect(list.offsets()).toEqual([0, 2 ** 32 - 1]);
  });

  it('describes an empty file with an empty list', () => {
    const empty = ChunkList.empty();
    expect(empty.count).toBe(0);
    expect(empty.totalSize()).toBe(0);
    expect(empty.offsets()).toEqual([]);
    expect([...empty]).toEqual([]);
    expect(empty.rootHash()).toBe(ChunkList.fromChunks([]).rootHash());
    expect(empty.rootHash()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has a root hash that depends on every chunk hash, on their order and on the size', () => {
    const chunks = [chunk(1, 10), chunk(2, 20), chunk(3, 30)];
    const base = ChunkList.fromChunks(chunks).rootHash();
    const seen = new Set([base]);
    for (let i = 0; i < chunks.length; i++) {
      for (const byte of [0, 17, 31]) {
        const hash = Buffer.from(chunks[i]!.hash);
        hash[byte]! ^= 1;
        const changed = chunks.map((c, j) => (j === i ? { ...c, hash } : c));
        seen.add(ChunkList.fromChunks(changed).rootHash());
      }
    }
    seen.add(ChunkList.fromChunks([chunks[1]!, chunks[0]!, chunks[2]!]).rootHash());
    seen.add(ChunkList.fromChunks(chunks.slice(0, 2)).rootHash());
    seen.add(ChunkList.fromChunks([...chunks, chunk(4, 0)]).rootHash());
    seen.add(
      ChunkList.fromChunks(chunks.map((c, j) => (j === 2 ? { ...c, size: 31 } : c))).rootHash(),
    );
    expect(seen.size).toBe(1 + 9 + 4);
  });

  it('does not let the fast hash change the root hash', () => {
    const a = ChunkList.fromChunks([chunk(1, 10, 5n)]);
    const b = ChunkList.fromChunks([chunk(1, 10, 6n)]);
    expect(a.rootHash()).toBe(b.rootHash());
  });

  it.each([1, 43, 45, 87])('refuses a packed list of %i bytes with DB_CORRUPT', (n) => {
    const err = lanfoldErrorOf(() => ChunkList.fromPacked(Buffer.alloc(n)));
    expect(err.code).toBe('DB_CORRUPT');
    expect(err.message).toContain(String(n));
  });

  it('accepts a Uint8Array view into a larger buffer', () => {
    const list = ChunkList.fromChunks([chunk(1, 10), chunk(2, 20)]);
    const big = new Uint8Array(200);
    big.set(list.packed, 50);
    const view = big.subarray(50, 50 + list.packed.length);
    const back = ChunkList.fromPacked(view);
    expect(back.rootHash()).toBe(list.rootHash());
    expect(back.packed.length).toBe(88);
  });

  it('refuses a chunk hash that is not 32 bytes', () => {
    expect(() => ChunkList.fromChunks([{ hash: Buffer.alloc(31), fast: 0n, size: 1 }])).toThrow(
      LanfoldError,
    );
  });
});
