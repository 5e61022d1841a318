import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChunkList, type Chunk } from '../../../main/engine/chunk-list.js';
import {
  applyChunkListDelta,
  ChunkListDelta,
  diffChunkLists,
} from '../../../main/protocol/chunk-delta.js';
import { decodeBody, encodeFrame } from '../../../main/protocol/codec.js';
import type { Message } from '../../../main/protocol/messages.js';
import { fileEntry } from './samples.js';

/** Chunk number `n` (a small alphabet, so that lists share and repeat chunks). */
function chunk(n: number): Chunk {
  return { hash: createHash('sha256').update(`c${n}`).digest(), fast: BigInt(n), size: 1000 + n };
}

function listOf(ns: readonly number[]): ChunkList {
  return ChunkList.fromChunks(ns.map(chunk));
}

const numbersArb = fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 120 });

/** A target made of slices of the base and fresh chunks, as an edited file would be. */
const editedArb = numbersArb.chain((base) =>
  fc
    .array(
      fc.oneof(
        fc
          .record({ start: fc.nat(), length: fc.integer({ min: 1, max: 30 }) })
          .map(({ start, length }) => {
            if (base.length === 0) return [];
            const s = start % base.length;
            return base.slice(s, s + length);
          }),
        fc.array(fc.integer({ min: 41, max: 80 }), { minLength: 1, maxLength: 5 }),
      ),
      { maxLength: 12 },
    )
    .map((parts) => ({ base, target: parts.flat() })),
);

describe('chunk list deltas', () => {
  it('rebuild the target from the base (lists sharing runs)', () => {
    fc.assert(
      fc.property(editedArb, ({ base, target }) => {
        const b = listOf(base);
        const t = listOf(target);
        const delta = diffChunkLists(b, t);
        expect(ChunkListDelta.safeParse(delta).success).toBe(true);
        expect(applyChunkListDelta(b, delta)?.packed.equals(t.packed)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('rebuild the target from the base (unrelated lists)', () => {
    fc.assert(
      fc.property(numbersArb, numbersArb, (base, target) => {
        const b = listOf(base);
        const t = listOf(target);
        expect(applyChunkListDelta(b, diffChunkLists(b, t))?.packed.equals(t.packed)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('survive the wire: the delta encoded in a message rebuilds the same list', () => {
    fc.assert(
      fc.property(editedArb, ({ base, target }) => {
        const b = listOf(base);
        const t = listOf(target);
        const entry = fileEntry('f.bin', Buffer.from('x'), {
          hash: t.rootHash(),
          size: t.totalSize(),
          chunks: diffChunkLists(b, t),
        });
        const message: Message = {
          t: 'delta-part',
          folder: 'f1',
          id: 1,
          entries: [entry],
          texts: [],
          inline: [],
        };
        const decoded = decodeBody(encodeFrame(message).subarray(4));
        if (decoded.t !== 'delta-part') throw new Error('wrong type');
        const chunks = decoded.entries[0]!.chunks;
        if (chunks === null || chunks instanceof Uint8Array) throw new Error('expected a delta');
        expect(applyChunkListDelta(b, chunks)?.packed.equals(t.packed)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('are small for a small edit of a long list', () => {
    const base = Array.from({ length: 8000 }, (_, i) => i);
    const target = [...base.slice(0, 4000), 100_000, ...base.slice(4001)];
    const delta = diffChunkLists(listOf(base), listOf(target));
    expect(delta.ops).toHaveLength(3);
    expect(
      encodeFrame({
        t: 'delta-part',
        folder: 'f1',
        id: 1,
        entries: [fileEntry('f', Buffer.from('x'), { chunks: delta })],
        texts: [],
        inline: [],
      }).length,
    ).toBeLessThan(600);
  });

  it('are refused against another base', () => {
    const delta = diffChunkLists(listOf([1, 2, 3]), listOf([1, 2, 4]));
    expect(applyChunkListDelta(listOf([1, 2, 5]), delta)).toBeUndefined();
    expect(applyChunkListDelta(ChunkList.empty(), delta)).toBeUndefined();
  });

  it('are refused when a run reaches past the base', () => {
    const base = listOf([1, 2, 3]);
    const ops: [0, number, number][] = [
      [0, 0, 4],
      [0, 3, 1],
      [0, 2, 2],
      [0, Number.MAX_SAFE_INTEGER, 1],
      [0, 1, Number.MAX_SAFE_INTEGER],
    ];
    for (const op of ops) {
      expect(applyChunkListDelta(base, { base: base.rootHash(), ops: [op] })).toBeUndefined();
    }
    expect(
      applyChunkListDelta(base, { base: base.rootHash(), ops: [[0, 0, 3]] })?.packed.equals(
        base.packed,
      ),
    ).toBe(true);
  });

  it('of an empty target or from an empty base work', () => {
    const b = listOf([1, 2]);
    expect(applyChunkListDelta(b, diffChunkLists(b, ChunkList.empty()))?.count).toBe(0);
    const e = ChunkList.empty();
    expect(applyChunkListDelta(e, diffChunkLists(e, b))?.packed.equals(b.packed)).toBe(true);
  });
});
