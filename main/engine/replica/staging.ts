/**
 * Builds a file's new content in the folder's staging area (same filesystem as the
 * folder, so placing it is one rename). Staged files are named by content hash, so a
 * download cut half-way resumes where it stopped: the verified prefix is kept.
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  readdirSync,
  rmSync,
  ftruncateSync,
  fchmodSync,
  futimesSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  fstatSync,
  write,
  writeSync,
  existsSync,
} from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TextDelta } from '../../protocol/messages.js';
import { bulkBuffers } from '../buffer-pool.js';
import { matchesChunks, type Chunk } from '../chunk-list.js';
import type { NewEntry } from '../entry.js';
import { errnoCode } from '../errors.js';
import { STAGING_DIR } from '../ignore-rules.js';
import { applyTextDelta } from '../replication/text-delta.js';
import { MAX_RUN_CHUNKS } from '../../protocol/messages.js';
import {
  ChunkUnavailable,
  FETCH_WINDOW_BYTES,
  RUN_BYTES,
  type Fetcher,
  type RunRequest,
} from './fetcher.js';
import type { LocalChunks } from './local-chunks.js';

export interface StageSources {
  readonly version: number;
  readonly local: LocalChunks;
  readonly inline: ReadonlyMap<string, Buffer>;
  readonly texts: ReadonlyMap<string, TextDelta>;
  /** The replica's current content of a path, if intact and with the given hash. */
  readonly currentContent: (path: string, hash: string) => Buffer | undefined;
  readonly fetcher: Fetcher | undefined;
  /** Called with the bytes of each chunk as it is written (progress). */
  readonly onBytes?: (n: number) => void;
  /** Content staged ahead of this apply while the version arrived (see `prestage`). */
  readonly prestaged?: Prestaged;
}

/**
 * Content staged ahead of its version's apply, by content hash: the mode and mtime the staged
 * file was given last. Staging trusts such a file for an entry with the same mode and mtime
 * (it exists and was verified and written by this process for this apply); anything else is
 * staged as usual.
 */
export class Prestaged {
  /**
   * Hashes whose staged file existed when the delta began (a two-phase prepare or an apply
   * cut short may own them): left as they are. One directory read instead of a check per file.
   */
  private readonly earlier: ReadonlySet<string>;
  private readonly files = new Map<string, { readonly mode: number; readonly mtimeMs: number }>();

  constructor(root: string) {
    this.earlier = stagedHashes(root);
  }

  get(hash: string): { readonly mode: number; readonly mtimeMs: number } | undefined {
    return this.files.get(hash);
  }

  /** Whether content `hash` was staged before the delta or ahead of it. */
  has(hash: string): boolean {
    return this.files.has(hash) || this.earlier.has(hash);
  }

  get size(): number {
    return this.files.size;
  }

  /** Notes content staged ahead. */
  note(hash: string, mode: number, mtimeMs: number): void {
    this.files.set(hash, { mode, mtimeMs });
  }
}

export class StageError extends Error {}

/** How far ahead of the writer chunks are requested: twice the fetcher's window keeps it full. */
export const STAGE_LOOKAHEAD_BYTES = 2 * FETCH_WINDOW_BYTES;

export function stagingDir(root: string): string {
  return path.join(root, STAGING_DIR);
}

/** The path of the completed staged file for content `hash`. */
export function stagedPath(root: string, hash: string): string {
  return path.join(stagingDir(root), `${hash}.ok`);
}

/**
 * Makes sure the content of `entry` is staged, complete and verified, with the entry's
 * mode and mtime, and returns the staged file's path.
 */
export async function stageFile(
  root: string,
  entry: NewEntry,
  sources: StageSources,
): Promise<string> {
  const hash = entry.hash!;
  const chunks = entry.chunks!;
  const done = stagedPath(root, hash);
  if (existsSync(done)) return restamp(done, entry);
  const whole = wholeContent(entry, sources);
  if (whole && !matchesChunks(whole, chunks))
    throw new StageError(`content for ${entry.path} did not match its chunks`);
  if (whole) {
    writeStaged(root, entry, whole);
    sources.onBytes?.(whole.length);
    return done;
  }
  // Chunks resume a partial file's verified prefix.
  const part = path.join(stagingDir(root), `${hash}.part`);
  const fd = openPart(root, part, 'resume');
  try {
    await fillChunks(fd, entry, sources);
    setModeAndTimes(fd, entry);
  } finally {
    closeSync(fd);
  }
  renameSync(part, done);
  return done;
}

/**
 * Stages `whole`, the content of `entry`, ahead of its version's apply (the replica does
 * this while the rest of a delta is still arriving), and notes it in `prestaged`: only
 * content that matches the entry's chunks, and only when nothing is staged yet for it.
 * Synchronous; writes only inside the staging area, under the content's hash. True when
 * the content is staged (now, or before), so the caller need not keep it.
 */
export function prestage(
  root: string,
  entry: NewEntry,
  whole: Buffer,
  prestaged: Prestaged,
): boolean {
  if (entry.kind !== 'file' || !entry.hash || !entry.chunks) return false;
  // A file staged before (by a two-phase prepare, or an apply cut short) is left as it is:
  // the apply deals with it.
  if (prestaged.has(entry.hash)) return true;
  if (!matchesChunks(whole, entry.chunks)) return false; // the apply refuses it, with the reason
  writeStaged(root, entry, whole);
  prestaged.note(entry.hash, entry.mode, entry.mtimeMs);
  return true;
}

/** The hashes of the completed staged files in `root`'s staging area. */
export function stagedHashes(root: string): Set<string> {
  const hashes = new Set<string>();
  let names: string[];
  try {
    names = readdirSync(stagingDir(root));
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return hashes;
    throw err;
  }
  for (const name of names) if (name.endsWith('.ok')) hashes.add(name.slice(0, -3));
  return hashes;
}

/**
 * Writes whole content as the staged file of `entry`, with the entry's mode and mtime.
 * Written under its final name, with no partial file and rename (a rename per small file
 * was ~5% of a 20,000-file sync): the write is synchronous, so nothing in this process sees
 * it unfinished, a failed write removes it, and a crash leaves it to
 * `discardUnjournaledStaging` (no journal names a file before the batch that made it
 * durable). A partial file a cut left for the same content stays until the staging area is
 * emptied after the commit.
 */
function writeStaged(root: string, entry: NewEntry, whole: Buffer): void {
  const done = stagedPath(root, entry.hash!);
  const fd = openPart(root, done, 'replace');
  let written = false;
  try {
    writeAll(fd, whole);
    // No fsync here: the apply makes all staged files durable in one step before it
    // journals (DurableBatch), and `.ok` files left by a power cut are discarded at start.
    // Mode and times are set through the open descriptor: one open per staged file (on a
    // busy disk each open that creates or changes a file can wait on the journal).
    setModeAndTimes(fd, entry);
    written = true;
  } finally {
    closeSync(fd);
    if (!written) rmSync(done, { force: true });
  }
}

function writeAll(fd: number, data: Buffer, position = 0): void {
  for (let done = 0; done < data.length;) {
    const n = writeSync(fd, data, done, data.length - done, position + done);
    if (n <= 0) throw new StageError('a write to a staged file made no progress');
    done += n;
  }
}

/** A file already staged (for another path with the same content): gives it this entry's mode and mtime. */
function restamp(done: string, entry: NewEntry): string {
  // It may have a read-only mode.
  chmodSync(done, 0o600);
  const fd = openSync(done, 'r+');
  try {
    setModeAndTimes(fd, entry);
  } finally {
    closeSync(fd);
  }
  return done;
}

/**
 * Opens the staged file `part` (a partial file, or the final name of one written whole):
 * `replace` creates it empty (truncating what a cut left), `resume` opens what a cut left or
 * creates it. Costs one open in the common case: the
 * staging directory is made, and a partial file left read-only (by a cut between setting
 * its final mode and its rename) is made writable, only when the open says so.
 */
function openPart(root: string, part: string, how: 'replace' | 'resume'): number {
  let resume = how === 'resume';
  for (let attempt = 0; ; attempt++) {
    try {
      return openSync(part, resume ? 'r+' : 'w', 0o600);
    } catch (err) {
      const code = errnoCode(err);
      if (attempt >= 3) throw err;
      if (code === 'ENOENT' && resume) resume = false;
      else if (code === 'ENOENT') mkdirSync(stagingDir(root), { recursive: true });
      else if (code === 'EACCES' || code === 'EPERM') chmodSync(part, 0o600);
      else throw err;
    }
  }
}

function setModeAndTimes(fd: number, entry: NewEntry): void {
  fchmodSync(fd, entry.mode);
  futimesSync(fd, new Date(entry.mtimeMs), new Date(entry.mtimeMs));
}

/** Inline data or a text delta against the current content, when either is at hand. */
function wholeContent(entry: NewEntry, sources: StageSources): Buffer | undefined {
  if (entry.size === 0) return Buffer.alloc(0);
  const inline = sources.inline.get(entry.hash!);
  if (inline) return inline;
  const text = sources.texts.get(entry.path);
  if (text && text.hash === entry.hash) {
    const base = sources.currentContent(entry.path, text.baseHash);
    const result = base ? applyTextDelta(base, text.edits) : undefined;
    if (result && matchesChunks(result, entry.chunks!)) return result;
  }
  return undefined;
}

/** Keeps the verified prefix of a partial file, then writes the rest chunk by chunk from local copies or the upstream. */
async function fillChunks(fd: number, entry: NewEntry, sources: StageSources): Promise<void> {
  const chunks = entry.chunks!;
  const have = fstatSync(fd).size;
  let offset = 0;
  let first = 0;
  for (; first < chunks.count; first++) {
    const c = chunks.at(first);
    if (offset + c.size > have) break;
    const buf = Buffer.allocUnsafe(c.size);
    if (
      readSync(fd, buf, 0, c.size, offset) !== c.size ||
      !createHash('sha256').update(buf).digest().equals(c.hash)
    )
      break;
    offset += c.size;
  }
  // Only an unverified tail is cut: on ext4 a truncate to zero, even of an empty file,
  // makes the close start writing the file out (auto_da_alloc), ~10x the cost of a close.
  if (offset < have) ftruncateSync(fd, offset);
  if (offset > 0) sources.onBytes?.(offset);
  const offsets = chunks.offsets();
  // Chunks are read locally, or requested in runs of consecutive chunks, a bounded distance
  // ahead of the writer and in file order, so a large file never sits in memory and a cut
  // loses only what was in flight.
  const ahead: { offset: number; size: number; job: Promise<Buffer> }[] = [];
  let aheadBytes = 0;
  let next = first;
  const room = (bytes: number) => ahead.length === 0 || aheadBytes + bytes <= STAGE_LOOKAHEAD_BYTES;
  // A new run starts once a whole run fits (or what is left of the file): starting one in
  // whatever the writer just freed would shrink the runs to the size of the last write.
  const total = chunks.totalSize();
  const fill = () => {
    while (next < chunks.count && room(Math.min(RUN_BYTES, total - offsets[next]!))) {
      const start = next++;
      const c = chunks.at(start);
      const local = sources.local.read(c);
      let size = c.size;
      let job: Promise<Buffer>;
      if (local) job = Promise.resolve(local);
      else if (sources.fetcher) {
        const run: Chunk[] = [c];
        while (next < chunks.count && run.length < MAX_RUN_CHUNKS) {
          const more = chunks.at(next);
          if (size + more.size > RUN_BYTES || !room(size + more.size) || sources.local.has(more))
            break;
          run.push(more);
          size += more.size;
          next++;
        }
        const req = { path: entry.path, version: sources.version, index: start, chunks: run };
        job = fetchRun(sources.fetcher, req);
      } else job = Promise.reject(new StageError(`no source for a chunk of ${entry.path}`));
      // Nobody awaits the later jobs if an earlier one fails: keep their rejections handled.
      job.catch(() => undefined);
      ahead.push({ offset: offsets[start]!, size, job });
      aheadBytes += size;
    }
  };
  fill();
  while (ahead.length > 0) {
    const { offset, size, job } = ahead.shift()!;
    const data = await job;
    if (data.length <= SYNC_WRITE_MAX_BYTES) writeAll(fd, data, offset);
    else await writeAt(fd, data, offset);
    // A fetched run lies in a pooled frame (codec.ts): nothing reads it after this write.
    bulkBuffers.release(data);
    aheadBytes -= size;
    sources.onBytes?.(data.length);
    fill();
  }
}

/**
 * A run of chunks with one request; if the upstream cannot serve it whole (a chunk is only
 * in its history, or it no longer holds the run as one piece of the head), chunk by chunk.
 */
async function fetchRun(fetcher: Fetcher, req: RunRequest): Promise<Buffer> {
  try {
    return await fetcher.fetchRun(req);
  } catch (err) {
    if (!(err instanceof ChunkUnavailable) || req.chunks.length === 1) throw err;
  }
  const parts = req.chunks.map((chunk, i) =>
    fetcher.fetch({ path: req.path, version: req.version, index: req.index + i, chunk }),
  );
  for (const p of parts) p.catch(() => undefined);
  return Buffer.concat(await Promise.all(parts));
}

const writeAsync = promisify(write);

/**
 * Runs up to this size are written on the main thread: into the page cache that takes
 * ~0.1 ms, while a hand-off to the thread pool and back cost ~10 ms of waiting at the median
 * when hundreds of files of ~135 KB arrived at once (the pool's four threads queue behind
 * each other and the completions behind the incoming frames).
 */
const SYNC_WRITE_MAX_BYTES = 256 * 1024;

/**
 * Writes all of `data` at `position` in the thread pool: while the disk holds a write back
 * (dirty-page throttling on a busy disk took ~40% of a 512 MiB sync's main thread with
 * writeSync), the event loop keeps receiving and verifying the chunks behind it.
 */
async function writeAt(fd: number, data: Buffer, position: number): Promise<void> {
  for (let done = 0; done < data.length;) {
    const { bytesWritten } = await writeAsync(fd, data, done, data.length - done, position + done);
    if (bytesWritten <= 0) throw new StageError('a write to a staged file made no progress');
    done += bytesWritten;
  }
}

/** Removes completed staged files whose durability no journal vouches for (after a crash or power cut). */
export function discardUnjournaledStaging(root: string): void {
  let names: string[];
  try {
    names = readdirSync(stagingDir(root));
  } catch {
    return;
  }
  for (const name of names)
    if (name.endsWith('.ok') || name.endsWith('.copy'))
      rmSync(path.join(stagingDir(root), name), { force: true });
}
