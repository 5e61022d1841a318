/**
 * Small state files: written so that a crash leaves either the old or the new content, never
 * half, and read back validated.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { errnoCode, LanfoldError } from './errors.js';

/**
 * Writes `file` whole (a temporary file renamed over it). `durable: false` skips the two
 * fsyncs, for a status snapshot rewritten every second that a restart rewrites anyway: a
 * reader still never sees half a file, but each fsync can hold the event loop for tens of
 * milliseconds while the disk is busy (as during a sync).
 */
export function writeFileAtomic(
  file: string,
  data: string | Buffer,
  mode = 0o600,
  options: { durable?: boolean } = {},
): void {
  const durable = options.durable ?? true;
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  if (!durable) return;
  try {
    const dirFd = openSync(path.dirname(file), 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  } catch {
    // Directories cannot be fsynced on every platform; the rename is still atomic.
  }
}

/**
 * Reads a JSON state file written by writeFileAtomic: undefined when it does not exist, its
 * content when it matches `schema`, else DB_CORRUPT naming `what` with `hint`.
 */
export function readJsonFile<S extends z.ZodType>(
  file: string,
  schema: S,
  what: string,
  hint: string,
): z.output<S> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined; // not JSON: damaged like any other mismatch
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new LanfoldError('DB_CORRUPT', `${what} ${file} is damaged`, hint);
  return parsed.data;
}
