/**
 * Copies the content of newly recorded files into the content store, off the recording
 * path: a file that changed again since it was recorded is skipped (its chunks no longer
 * match), because the newer version will be retained when it is recorded.
 *
 * It is background work: it gives way to serving replicas (`pace`, awaited before each
 * file), and it checks each chunk with the fast hash recorded beside its SHA-256 rather
 * than re-computing the SHA-256 (the content store verifies the SHA-256 on every read, so a
 * file changed between recording and retention in a way the fast hash missed is caught
 * there, reported as damage, and never served as the chunk it is not).
 */
import { readFile } from 'node:fs/promises';
import type { ChunkList } from './chunk-list.js';
import { loadFastHasher } from './fast-hash.js';
import type { ContentStore } from './store/content-store.js';

export interface RetainJob {
  readonly full: string;
  readonly chunks: ChunkList;
}

/**
 * Bytes of chunks written per content-store transaction: large enough to amortise the
 * commit, small enough that one transaction (with its compression) holds the event loop
 * for only tens of milliseconds.
 */
const BATCH_BYTES = 8 * 1024 * 1024;

/** Awaited before each file; resolves false when retention should stop (the folder is closing). */
export type RetentionPace = () => Promise<boolean>;

export async function retainFiles(
  store: ContentStore,
  jobs: readonly RetainJob[],
  now: number,
  capBytes: number,
  pace: RetentionPace = () => Promise.resolve(true),
): Promise<number> {
  const fast = await loadFastHasher();
  let kept = 0;
  let batch: { hash: Buffer; data: Buffer }[] = [];
  let batchBytes = 0;
  for (const job of jobs) {
    if (!(await pace())) break;
    let data: Buffer;
    try {
      data = await readFile(job.full);
    } catch {
      continue; // gone again; nothing to keep
    }
    const pieces: { hash: Buffer; data: Buffer }[] = [];
    let offset = 0;
    let intact = data.length === job.chunks.totalSize();
    for (const chunk of job.chunks) {
      if (!intact) break;
      const piece = data.subarray(offset, offset + chunk.size);
      offset += chunk.size;
      if (piece.length !== chunk.size || fast.hash(piece) !== chunk.fast) intact = false;
      else pieces.push({ hash: Buffer.from(chunk.hash), data: piece }); // put() refreshes chunks it already has
    }
    if (!intact) continue;
    batch.push(...pieces);
    batchBytes += data.length;
    kept++;
    if (batchBytes >= BATCH_BYTES) {
      store.putMany(batch, now); // one transaction for many files
      batch = [];
      batchBytes = 0;
    }
  }
  store.putMany(batch, now);
  store.prune(capBytes);
  return kept;
}
