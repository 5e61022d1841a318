/**
 * Serves chunk requests on the master (or a relay, which has no content store): chunk `index`
 * of `path`, expected to hash to `hash`. It reads from the file on disk when the head still
 * holds that chunk there (checked with the fast hash), else from the content store; a relay
 * whose file no longer holds a chunk of its head asks its own upstream for it. Otherwise the
 * chunk is reported gone.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { bulkBuffers } from '../buffer-pool.js';
import type { ChunkList } from '../chunk-list.js';
import { loadFastHasher, type FastHasher } from '../fast-hash.js';
import type { RelPath } from '../relpath.js';
import { resolveIn } from '../relpath.js';
import type { ChunkSource, MissingChunk } from './served-folder.js';
import type { VersionLog } from '../store/version-log.js';

interface CachedEntry {
  readonly seq: number;
  readonly hash: string;
  readonly chunks: ChunkList;
  readonly offsets: number[];
}

export class ChunkServer {
  private cache = new Map<string, CachedEntry>();
  private fds = new Map<string, number>();
  private hasher: FastHasher | undefined;

  constructor(
    private readonly root: string,
    private readonly log: VersionLog,
    private readonly content: ChunkSource,
    /** A relay's last resort: its upstream (see ServedFolder.fetchMissing). */
    private readonly fetchMissing?: (missing: MissingChunk) => Promise<Buffer | undefined>,
  ) {}

  /** Forget cached entries and open files (call after each new version). */
  invalidate(): void {
    this.cache.clear();
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  /**
   * The verified bytes of chunk `index` of the head's `path`. The result may be lent from
   * `bulkBuffers`: the caller gives it back once done with it (or lets it go).
   */
  async read(path: RelPath, index: number, hashHex: string): Promise<Buffer | undefined> {
    this.hasher ??= await loadFastHasher();
    const hash = Buffer.from(hashHex, 'hex');
    const entry = this.entry(path);
    const chunk =
      entry && index < entry.chunks.count && entry.chunks.at(index).hash.equals(hash)
        ? entry.chunks.at(index)
        : undefined;
    if (chunk) {
      const data = this.readDisk(path, entry!.offsets[index]!, chunk.size);
      if (data && this.hasher.hash(data) === chunk.fast) return data;
      if (data) bulkBuffers.release(data);
    }
    const retained = this.content.get(hash);
    if (retained || !chunk || !this.fetchMissing) return retained;
    return this.fetchMissing({ path, version: entry!.seq, index, chunk });
  }

  /**
   * Chunks `index` to `index + count - 1` of the head's `path`, back to back (at most
   * `maxBytes`): read from the file with one read where it still holds them, else each from
   * the content store (or, on a relay, upstream). Undefined when the head's chunk `index`
   * does not hash to `hashHex`, the run is out of range or too long, or a chunk is nowhere:
   * the replica then asks chunk by chunk.
   */
  async readRun(
    path: RelPath,
    index: number,
    count: number,
    hashHex: string,
    maxBytes: number,
  ): Promise<Buffer | undefined> {
    if (count === 1) return this.read(path, index, hashHex);
    this.hasher ??= await loadFastHasher();
    const hasher = this.hasher;
    const entry = this.entry(path);
    if (!entry || index + count > entry.chunks.count) return undefined;
    if (!entry.chunks.at(index).hash.equals(Buffer.from(hashHex, 'hex'))) return undefined;
    const last = index + count - 1;
    const start = entry.offsets[index]!;
    const end = entry.offsets[last]! + entry.chunks.at(last).size;
    if (end - start > maxBytes) return undefined;
    const data = this.readDisk(path, start, end - start) ?? Buffer.alloc(end - start);
    for (let i = index; i < index + count; i++) {
      const chunk = entry.chunks.at(i);
      const at = entry.offsets[i]! - start;
      const piece = data.subarray(at, at + chunk.size);
      if (hasher.hash(piece) === chunk.fast) continue;
      const other =
        this.content.get(chunk.hash) ??
        (await this.fetchMissing?.({ path, version: entry.seq, index: i, chunk }));
      if (!other || other.length !== chunk.size) {
        bulkBuffers.release(data);
        return undefined;
      }
      other.copy(piece);
    }
    return data;
  }

  /**
   * The runs of a batched `get`, back to back in one buffer of at most `maxBytes` (lent from
   * `bulkBuffers`, as `readRun`'s result): undefined when any run cannot be served whole (the
   * replica then asks for each on its own) or they exceed `maxBytes`.
   */
  async readRuns(
    runs: readonly { path: RelPath; index: number; count: number; hash: string }[],
    maxBytes: number,
  ): Promise<Buffer | undefined> {
    if (runs.length === 1) {
      const r = runs[0]!;
      return this.readRun(r.path, r.index, r.count, r.hash, maxBytes);
    }
    const pieces: Buffer[] = [];
    let total = 0;
    try {
      for (const r of runs) {
        const piece = await this.readRun(r.path, r.index, r.count, r.hash, maxBytes - total);
        if (!piece) return undefined;
        pieces.push(piece);
        total += piece.length;
        if (total > maxBytes) return undefined;
      }
      const out = bulkBuffers.take(total);
      let at = 0;
      for (const piece of pieces) at += piece.copy(out, at);
      return out;
    } finally {
      for (const piece of pieces) bulkBuffers.release(piece);
    }
  }

  private entry(path: RelPath): CachedEntry | undefined {
    const head = this.log.head();
    const cached = this.cache.get(path);
    if (cached) return cached;
    const e = this.log.entryAt(path, head);
    if (!e || e.kind !== 'file' || !e.chunks || !e.hash) return undefined;
    const entry = { seq: e.seq, hash: e.hash, chunks: e.chunks, offsets: e.chunks.offsets() };
    if (this.cache.size > 256) this.invalidate();
    this.cache.set(path, entry);
    return entry;
  }

  private readDisk(path: RelPath, offset: number, size: number): Buffer | undefined {
    let fd = this.fds.get(path);
    try {
      if (fd === undefined) {
        fd = openSync(resolveIn(this.root, path), 'r');
        this.fds.set(path, fd);
      }
      // Lent from the bulk pool: the publisher gives it back once the socket took it.
      const buf = bulkBuffers.take(size);
      if (readSync(fd, buf, 0, size, offset) === size) return buf;
      bulkBuffers.release(buf);
      return undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.invalidate();
  }
}
