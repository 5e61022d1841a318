/**
 * A file's content as a packed list of content-defined chunks. Each record is
 * 44 bytes: SHA-256 (32), xxhash64 "fast" hash (8, for cheap unchanged checks) and size
 * (uint32 LE). The packed form is what the version log stores and the wire carries.
 */
import { createHash } from 'node:crypto';
import { LanfoldError } from './errors.js';

export const CHUNK_RECORD_BYTES = 44;

export interface Chunk {
  /** SHA-256 of the chunk's bytes. */
  readonly hash: Buffer;
  /** xxhash64 of the chunk's bytes, used only to skip re-hashing unchanged chunks. */
  readonly fast: bigint;
  readonly size: number;
}

/** Whether `data` is exactly `chunks` back to back, each checked by its SHA-256. */
export function matchesChunks(data: Buffer, chunks: Iterable<Chunk>): boolean {
  let offset = 0;
  for (const c of chunks) {
    if (offset + c.size > data.length) return false;
    const piece = data.subarray(offset, offset + c.size);
    if (!createHash('sha256').update(piece).digest().equals(c.hash)) return false;
    offset += c.size;
  }
  return offset === data.length;
}

export class ChunkList {
  readonly packed: Buffer;

  private constructor(packed: Buffer) {
    this.packed = packed;
  }

  static empty(): ChunkList {
    return new ChunkList(Buffer.alloc(0));
  }

  static fromChunks(chunks: readonly Chunk[]): ChunkList {
    const buf = Buffer.allocUnsafe(chunks.length * CHUNK_RECORD_BYTES);
    chunks.forEach((c, i) => {
      const at = i * CHUNK_RECORD_BYTES;
      if (c.hash.length !== 32) throw new LanfoldError('INTERNAL', 'chunk hash must be 32 bytes');
      c.hash.copy(buf, at);
      buf.writeBigUInt64LE(c.fast, at + 32);
      buf.writeUInt32LE(c.size, at + 40);
    });
    return new ChunkList(buf);
  }

  /** Wraps a packed list read from the log or the wire, after checking its shape. */
  static fromPacked(packed: Buffer | Uint8Array): ChunkList {
    if (packed.length % CHUNK_RECORD_BYTES !== 0) {
      throw new LanfoldError(
        'DB_CORRUPT',
        `chunk list of ${packed.length} bytes is not whole records`,
      );
    }
    return new ChunkList(Buffer.from(packed.buffer, packed.byteOffset, packed.length));
  }

  get count(): number {
    return this.packed.length / CHUNK_RECORD_BYTES;
  }

  at(i: number): Chunk {
    const at = i * CHUNK_RECORD_BYTES;
    return {
      hash: this.packed.subarray(at, at + 32),
      fast: this.packed.readBigUInt64LE(at + 32),
      size: this.packed.readUInt32LE(at + 40),
    };
  }

  *[Symbol.iterator](): IterableIterator<Chunk> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  /** Total bytes of the file this list describes. */
  totalSize(): number {
    let total = 0;
    for (let i = 0; i < this.count; i++)
      total += this.packed.readUInt32LE(i * CHUNK_RECORD_BYTES + 40);
    return total;
  }

  /** Byte offset where each chunk starts, in order. */
  offsets(): number[] {
    const out: number[] = [];
    let offset = 0;
    for (let i = 0; i < this.count; i++) {
      out.push(offset);
      offset += this.packed.readUInt32LE(i * CHUNK_RECORD_BYTES + 40);
    }
    return out;
  }

  /**
   * The file's content hash: SHA-256 over the size and the chunk hashes in order. It
   * identifies the content exactly (each chunk hash does) without hashing the file twice.
   */
  rootHash(): string {
    const h = createHash('sha256');
    const size = Buffer.allocUnsafe(8);
    size.writeBigUInt64LE(BigInt(this.totalSize()));
    h.update(size);
    for (let i = 0; i < this.count; i++) {
      const at = i * CHUNK_RECORD_BYTES;
      h.update(this.packed.subarray(at, at + 32));
    }
    return h.digest('hex');
  }
}
