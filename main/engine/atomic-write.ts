/**
 * Small state files: written so that a crash leaves either the old or the new content, never
 * half, and read back validated.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { errnoCode, LanfoldError } from './errors.js';

export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
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
