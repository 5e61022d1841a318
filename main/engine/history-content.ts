/**
 * Reads a file's content as it was at some version: each chunk from the content store,
 * or, when the store no longer has it, from the file on disk if that still holds the
 * chunk at the same offset (every chunk read is checked against its SHA-256).
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import type { Entry } from './entry.js';
import { LanfoldError } from './errors.js';
import { resolveIn } from './relpath.js';
import type { ContentStore } from './store/content-store.js';

const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

export function readEntryContent(
  root: string,
  store: Pick<ContentStore, 'get'>,
  entry: Entry,
  maxBytes: number,
): Buffer {
  if (entry.kind !== 'file' || !entry.chunks) {
    throw new LanfoldError('NOT_A_FILE', `${entry.path} is not a file at version ${entry.seq}`);
  }
  if (entry.size > maxBytes) {
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `${entry.path} is ${entry.size} bytes at version ${entry.seq}, more than ${maxBytes} can be shown`,
    );
  }
  if (entry.chunks.totalSize() !== entry.size) {
    // Never hand out a buffer with bytes no chunk filled (or overrun it).
    throw new LanfoldError(
      'DB_CORRUPT',
      `${entry.path} at version ${entry.seq} has ${entry.size} bytes but chunks for ${entry.chunks.totalSize()}`,
    );
  }
  const out = Buffer.allocUnsafe(entry.size);
  let fd: number | undefined;
  let offset = 0;
  try {
    for (const chunk of entry.chunks) {
      const kept = store.get(chunk.hash);
      if (kept) {
        kept.copy(out, offset);
      } else {
        if (fd === undefined) {
          try {
            // Non-blocking, so that a FIFO now at this path cannot hang the reader.
            fd = openSync(resolveIn(root, entry.path), READ_FLAGS);
          } catch {
            throw gone(entry);
          }
          if (!fstatSync(fd).isFile()) throw gone(entry); // a directory or FIFO now
        }
        const piece = out.subarray(offset, offset + chunk.size);
        let n: number;
        try {
          n = readSync(fd, piece, 0, chunk.size, offset);
        } catch {
          throw gone(entry);
        }
        if (n !== chunk.size || !createHash('sha256').update(piece).digest().equals(chunk.hash))
          throw gone(entry);
      }
      offset += chunk.size;
    }
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return out;
}

function gone(entry: Entry): LanfoldError {
  return new LanfoldError(
    'CONTENT_GONE',
    `The content of ${entry.path} at version ${entry.seq} is no longer retained`,
    "raise the folder's history size cap to keep more history",
  );
}
