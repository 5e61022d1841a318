/**
 * Where a replica can find a chunk locally: chunk hash -> a file of its current state and
 * the offset there. Reads are verified against the hash, so a stale or edited location
 * costs only a fetch, never a wrong byte.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import type { Chunk, ChunkList } from '../chunk-list.js';
import { resolveIn, type RelPath } from '../relpath.js';

interface Location {
  readonly path: RelPath;
  readonly offset: number;
}

export class LocalChunks {
  private readonly where = new Map<string, Location>();

  constructor(private readonly root: string) {}

  /** Records where each chunk of a file at `path` lies. */
  addFile(path: RelPath, chunks: ChunkList): void {
    let offset = 0;
    for (const c of chunks) {
      this.where.set(c.hash.toString('hex'), { path, offset });
      offset += c.size;
    }
  }

  /** Whether a local copy of the chunk is known (it may still turn out stale when read). */
  has(chunk: Chunk): boolean {
    return this.where.has(chunk.hash.toString('hex'));
  }

  get size(): number {
    return this.where.size;
  }

  /** The chunk's bytes from a local file, verified; undefined when no local copy is intact. */
  read(chunk: Chunk): Buffer | undefined {
    const key = chunk.hash.toString('hex');
    const loc = this.where.get(key);
    if (!loc) return undefined;
    let fd: number | undefined;
    try {
      fd = openSync(resolveIn(this.root, loc.path), 'r');
      const buf = Buffer.allocUnsafe(chunk.size);
      const n = readSync(fd, buf, 0, chunk.size, loc.offset);
      if (n === chunk.size && createHash('sha256').update(buf).digest().equals(chunk.hash))
        return buf;
    } catch {
      // Gone or unreadable: fall through.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    this.where.delete(key);
    return undefined;
  }
}
