/**
 * Serves chunk requests on the master (or a relay, which has no content store): chunk `index`
 * of `path`, expected to hash to `hash`. It reads from the file on disk when the head still
 * holds that chunk there (checked with the fast hash), else from the content store; a relay
 * whose file no longer holds a chunk of its head asks its own upstream for it. Otherwise the
 * chunk is reported gone.
 */
import { closeSync, openSync, readSync } from 'node:fs';
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
    }
    const retained = this.content.get(hash);
    if (retained || !chunk || !this.fetchMissing) return retained;
    return this.fetchMissing({ path, version: entry!.seq, index, chunk });
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
      const buf = Buffer.allocUnsafe(size);
      const n = readSync(fd, buf, 0, size, offset);
      return n === size ? buf : undefined;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.invalidate();
  }
}
