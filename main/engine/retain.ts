/**
 * Copies the content of newly recorded files into the content store, off the recording
 * path: a file that changed again since it was recorded is skipped (its chunks no longer
 * match), because the newer version will be retained when it is recorded.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ChunkList } from './chunk-list.js';
import type { ContentStore } from './store/content-store.js';

export interface RetainJob {
  readonly full: string;
  readonly chunks: ChunkList;
}

/** Bytes of chunks written per content-store transaction. */
const BATCH_BYTES = 32 * 1024 * 1024;

export async function retainFiles(
  store: ContentStore,
  jobs: readonly RetainJob[],
  now: number,
  capBytes: number,
): Promise<number> {
  let kept = 0;
  let batch: { hash: Buffer; data: Buffer }[] = [];
  let batchBytes = 0;
  for (const job of jobs) {
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
      if (!createHash('sha256').update(piece).digest().equals(chunk.hash)) intact = false;
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
