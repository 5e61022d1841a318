/**
 * Chunk lists sent as an edit of a list the receiver already has: runs of the base list
 * to keep, plus the records of new chunks. A 1 MiB edit of a 512 MiB file then costs a
 * few hundred bytes of metadata instead of the whole list (8,000+ records).
 */
import { z } from 'zod';
import { ChunkList, CHUNK_RECORD_BYTES } from '../engine/chunk-list.js';

export const ChunkListDelta = z.strictObject({
  /** Root hash of the base list the ops refer to. */
  base: z.string().regex(/^[0-9a-f]{64}$/),
  /**
   * Where the receiver finds the base, when not at the entry's own path: the file an editor's
   * temporary copy was made from (`report.doc.tmp` from `report.doc`). Only looked up in the
   * receiver's own state, and then checked against `base`.
   */
  from: z.string().min(1).max(4096).optional(),
  ops: z
    .array(
      z.union([
        z.tuple([z.literal(0), z.number().int().min(0), z.number().int().min(1)]),
        z.tuple([
          z.literal(1),
          z
            .custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes')
            .refine((b) => b.length > 0 && b.length % CHUNK_RECORD_BYTES === 0),
        ]),
      ]),
    )
    .max(1_000_000),
});
export type ChunkListDelta = z.infer<typeof ChunkListDelta>;

/** Expresses `target` as runs of `base` plus new records. */
export function diffChunkLists(base: ChunkList, target: ChunkList, from?: string): ChunkListDelta {
  const where = new Map<string, number>();
  for (let i = base.count - 1; i >= 0; i--) where.set(recordKey(base, i), i);
  const ops: ChunkListDelta['ops'] = [];
  let pendingStart = -1;
  const flushNew = (end: number) => {
    if (pendingStart >= 0) {
      ops.push([
        1,
        Buffer.from(
          target.packed.subarray(pendingStart * CHUNK_RECORD_BYTES, end * CHUNK_RECORD_BYTES),
        ),
      ]);
      pendingStart = -1;
    }
  };
  let i = 0;
  while (i < target.count) {
    const j = where.get(recordKey(target, i));
    if (j === undefined) {
      if (pendingStart < 0) pendingStart = i;
      i++;
      continue;
    }
    flushNew(i);
    let n = 1;
    while (
      i + n < target.count &&
      j + n < base.count &&
      recordKey(target, i + n) === recordKey(base, j + n)
    )
      n++;
    ops.push([0, j, n]);
    i += n;
  }
  flushNew(target.count);
  return from === undefined ? { base: base.rootHash(), ops } : { base: base.rootHash(), from, ops };
}

/** Rebuilds the target list from its delta and the base; undefined when the base does not match or an op is out of range. */
export function applyChunkListDelta(base: ChunkList, delta: ChunkListDelta): ChunkList | undefined {
  if (base.rootHash() !== delta.base) return undefined;
  const parts: Buffer[] = [];
  for (const op of delta.ops) {
    if (op[0] === 0) {
      const [, start, count] = op;
      if (start + count > base.count) return undefined;
      parts.push(
        base.packed.subarray(start * CHUNK_RECORD_BYTES, (start + count) * CHUNK_RECORD_BYTES),
      );
    } else {
      parts.push(Buffer.from(op[1]));
    }
  }
  return ChunkList.fromPacked(Buffer.concat(parts));
}

function recordKey(list: ChunkList, i: number): string {
  return list.packed.toString('latin1', i * CHUNK_RECORD_BYTES, (i + 1) * CHUNK_RECORD_BYTES);
}
