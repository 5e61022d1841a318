/**
 * Content-defined chunking (FastCDC) of files into the ChunkList Lanfold stores and sends, with an
 * incremental re-chunker for files edited in place.
 */
import { hash as oneShotHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { ChunkList, type Chunk } from './chunk-list.js';
import { errnoCode, LanfoldError } from './errors.js';
import { loadFastHasher, type FastHasher } from './fast-hash.js';

/** Chunk size bounds in bytes. Every chunk but a file's last is within [minSize, maxSize]. */
export interface ChunkParams {
  minSize: number;
  /**
   * The target mean chunk size, a power of two. With minSize = avgSize / 4 the mean on random
   * data comes out within 1% of it; other ratios drift from it (see docs/chunking.md).
   */
  avgSize: number;
  maxSize: number;
}

/**
 * 16 KiB / 64 KiB / 256 KiB. docs/chunking.md gives the measurements behind the choice. Changing
 * these values (or the gear table) moves every boundary, so files chunked before and after the
 * change share no chunks: treat them as part of the storage format.
 */
export const DEFAULT_CHUNK_PARAMS: Readonly<ChunkParams> = Object.freeze({
  minSize: 16 * 1024,
  avgSize: 64 * 1024,
  maxSize: 256 * 1024,
});

/** Bytes read from disk per read call; one buffer of this size is reused for a whole file. */
const READ_BLOCK = 4 * 1024 * 1024;

/**
 * Thrown when a file's size or modification time differ before and after it was read, so the
 * digest may mix old and new content. The caller should retry once the file has settled.
 */
export class FileChangedWhileReading extends LanfoldError {
  readonly path: string;

  constructor(path: string, detail: string) {
    super(
      'INTERNAL',
      `${path} changed while it was being read (${detail})`,
      'it is still being written; read it again once it has been quiet for a moment',
    );
    this.name = 'FileChangedWhileReading';
    this.path = path;
  }
}

// ---------------------------------------------------------------------------------------------
// The gear table and the cut rule.

/** The gear table's seed. Changing it moves every chunk boundary (see DEFAULT_CHUNK_PARAMS). */
const GEAR_SEED = 0x4c616e66;

/**
 * 256 pseudo-random 32-bit values, one per byte value, from a Weyl sequence finalised with
 * MurmurHash3's fmix32. Integer-only arithmetic makes the table identical on every platform.
 */
function makeGearTable(seed: number): Int32Array {
  const table = new Int32Array(256);
  let state = seed | 0;
  for (let i = 0; i < 256; i++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    table[i] = z ^ (z >>> 16);
  }
  return table;
}

const GEAR = makeGearTable(GEAR_SEED);

/** Chunk parameters checked and turned into the two masks of normalized chunking. */
interface CutRule {
  readonly min: number;
  /** Where the strict mask gives way to the lenient one: (min + avg) / 2, rounded down. */
  readonly normal: number;
  readonly max: number;
  /** Used before `normal`: log2(avg) + 1 bits, so a cut is 2x rarer than 1 / avg per byte. */
  readonly maskS: number;
  /** Used from `normal` on: log2(avg) - 1 bits, so a cut is 2x likelier than 1 / avg. */
  readonly maskL: number;
}

/**
 * A mask of the top `bits` bits of a 32-bit gear hash. The top bits are used because, with the
 * hash shifted left once per byte, bit k depends on the last k + 1 bytes: the top bits see the
 * widest window (up to 32 bytes).
 */
function topBits(bits: number): number {
  return (-1 << (32 - bits)) | 0;
}

function cutRuleFor(params: ChunkParams): CutRule {
  const { minSize: min, avgSize: avg, maxSize: max } = params;
  const whole = [min, avg, max].every((n) => Number.isSafeInteger(n));
  if (!whole || min < 1 || !(min < avg && avg < max) || max > 2 ** 30) {
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `chunk sizes must be integers with 1 <= min < avg < max <= 2^30, got ${min}/${avg}/${max}`,
    );
  }
  // Integer arithmetic only: the masks must come out the same on every platform.
  const bits = 31 - Math.clz32(avg);
  if ((avg & (avg - 1)) !== 0 || bits < 6 || bits > 28) {
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `average chunk size must be a power of two from 64 B to 256 MiB, got ${avg}`,
    );
  }
  const normal = Math.floor((min + avg) / 2);
  return { min, normal, max, maskS: topBits(bits + 1), maskL: topBits(bits - 1) };
}

/** A chunk in progress: the bytes it has so far and the gear hash over the hashed ones. */
interface CutState {
  len: number;
  h: number;
}

/**
 * Feeds data[from, to) to the chunk in progress described by `state`. Returns the index in
 * `data` just past the chunk's last byte if the chunk ends inside the range (the state is then
 * reset for the next chunk), or -1 after recording the progress in `state`.
 *
 * The rule, per chunk: the first min - 1 bytes are skipped unhashed; from byte index min - 1 on,
 * each byte enters the gear hash h = (h << 1) + GEAR[byte], and the chunk ends after the byte
 * when h & mask is zero, with maskS while the byte index is below normal and maskL after; at max
 * bytes the chunk ends regardless. A cut depends only on the chunk's own bytes (never on the
 * byte after it, nor on where the input ends) and the state starts from zero at each boundary,
 * so cutting restarted at any boundary reproduces every later boundary.
 */
function advance(
  rule: CutRule,
  state: CutState,
  data: Uint8Array,
  from: number,
  to: number,
): number {
  const base = from - state.len; // Where the chunk starts, in data's indices (<= from).
  let i = Math.max(from, base + rule.min - 1);
  let h = state.h;
  const endS = Math.min(to, base + rule.normal);
  const maskS = rule.maskS;
  for (; i < endS; i++) {
    h = ((h << 1) + GEAR[data[i]!]!) | 0;
    if ((h & maskS) === 0) return endChunk(state, i + 1);
  }
  const endL = Math.min(to, base + rule.max);
  const maskL = rule.maskL;
  for (; i < endL; i++) {
    h = ((h << 1) + GEAR[data[i]!]!) | 0;
    if ((h & maskL) === 0) return endChunk(state, i + 1);
  }
  if (i === base + rule.max) return endChunk(state, i);
  state.len = to - base;
  state.h = h;
  return -1;
}

function endChunk(state: CutState, end: number): number {
  state.len = 0;
  state.h = 0;
  return end;
}

/**
 * The length of the chunk that starts at data[0], where `data` holds either at least max bytes
 * or every byte left in the file (a chunk shorter than max that finds no cut ends the file).
 */
function chunkLength(rule: CutRule, data: Uint8Array): number {
  const end = advance(rule, { len: 0, h: 0 }, data, 0, data.length);
  return end < 0 ? data.length : end;
}

/**
 * A streaming boundary finder with no I/O. Push the bytes of one stream in any split; the
 * boundaries returned are the same however the stream is split. It keeps only a few numbers of
 * state, never the data.
 */
export class ChunkCutter {
  private readonly rule: CutRule;
  private readonly state: CutState = { len: 0, h: 0 };
  private offset: number;

  /** `startOffset` is the absolute offset of the first byte pushed; it must be a boundary. */
  constructor(params: ChunkParams = DEFAULT_CHUNK_PARAMS, startOffset = 0) {
    this.rule = cutRuleFor(params);
    this.offset = startOffset;
  }

  /** Consumes `data` and returns the absolute end offsets of the chunks it completed. */
  push(data: Uint8Array): number[] {
    const cuts: number[] = [];
    let i = 0;
    while (i < data.length) {
      const end = advance(this.rule, this.state, data, i, data.length);
      if (end < 0) break;
      cuts.push(this.offset + end);
      i = end;
    }
    this.offset += data.length;
    return cuts;
  }

  /**
   * Ends the stream: returns the end offset of the last, partial chunk, or nothing when the
   * bytes pushed ended on a boundary. Bytes pushed afterwards start a new chunk.
   */
  finish(): number[] {
    if (this.state.len === 0) return [];
    endChunk(this.state, 0);
    return [this.offset];
  }
}

// ---------------------------------------------------------------------------------------------
// Reading files.

/** A file's digest: its size, its chunks, and its content hash (`chunks.rootHash()`). */
export interface FileDigest {
  size: number;
  chunks: ChunkList;
  hash: string;
}

/**
 * A window over an open file, backed by one reused buffer. Views are served from the buffer
 * when they fit in it; otherwise the buffer is refilled from the view's start, keeping the bytes
 * it already holds from there. Reads are large and mostly sequential.
 */
class FileWindow {
  private readonly buf: Buffer;
  private start = 0;
  private filled = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly path: string,
    private readonly size: number,
    capacity: number,
  ) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  /**
   * The file's bytes [offset, offset + length), valid until the next call. The range must lie
   * within the file and be no longer than the buffer.
   */
  async view(offset: number, length: number): Promise<Buffer> {
    const at = offset - this.start;
    if (at < 0 || at + length > this.filled) {
      await this.refill(offset, length);
      return this.buf.subarray(0, length);
    }
    return this.buf.subarray(at, at + length);
  }

  private async refill(offset: number, length: number): Promise<void> {
    const want = Math.min(this.buf.length, this.size - offset);
    if (length > want) {
      throw new LanfoldError('INTERNAL', `read of ${length} bytes at ${offset} is out of range`);
    }
    const at = offset - this.start;
    const kept = at >= 0 && at < this.filled ? this.filled - at : 0;
    if (kept > 0) this.buf.copyWithin(0, at, this.filled);
    this.start = offset;
    this.filled = kept;
    while (this.filled < want) {
      const { bytesRead } = await this.fh.read(
        this.buf,
        this.filled,
        want - this.filled,
        offset + this.filled,
      );
      if (bytesRead === 0) throw new FileChangedWhileReading(this.path, 'it got shorter');
      this.filled += bytesRead;
    }
  }
}

/**
 * Files up to this size are read whole with synchronous calls: for the many small files of a
 * typical folder, five thread-pool round trips per file (open, stat, read, stat, close) cost
 * more than the reads themselves, and a 1 MiB read holds the event loop for about a
 * millisecond.
 */
const SMALL_FILE_BYTES = 1024 * 1024;

/** digestFile for a small file, in one go; undefined when the file is larger. */
function digestSmallFile(absPath: string, rule: CutRule, fast: FastHasher): FileDigest | undefined {
  const fd = openSync(absPath, 'r');
  try {
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile()) throw new LanfoldError('NOT_A_FILE', `${absPath} is not a regular file`);
    const size = Number(before.size);
    if (size > SMALL_FILE_BYTES) return undefined;
    const data = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const n = readSync(fd, data, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    if (got !== size) throw new FileChangedWhileReading(absPath, 'it got shorter');
    assertUnchanged(absPath, before, fstatSync(fd, { bigint: true }));
    return digestBytes(data, rule, fast);
  } finally {
    closeSync(fd);
  }
}

/** Chunks and hashes bytes held in memory. */
function digestBytes(data: Buffer, rule: CutRule, fast: FastHasher): FileDigest {
  const out = new ListBuilder();
  while (out.size < data.length) {
    const rest = data.subarray(out.size, Math.min(data.length, out.size + rule.max));
    const bytes = rest.subarray(0, chunkLength(rule, rest));
    out.add({ hash: sha256(bytes), fast: fast.hash(bytes), size: bytes.length });
  }
  return out.digest();
}

/**
 * A file's metadata as seen (by an lstat) just before it is digested. With it, digestFile
 * checks what it read against it instead of taking a stat of its own first.
 */
export interface FileStamp {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

/** The read buffer of small files whose size is known: reads are synchronous, so one will do. */
let smallScratch: Buffer | undefined;

/**
 * digestFile for a small file whose stamp is known: open, read, fstat, close (four calls, no
 * allocation). It reads one byte more than expected, so a file that grew shows it; the fstat
 * after the read must give the stamp again (same inode, size and mtime), which means the bytes
 * read are the content the stamp describes.
 */
function digestStampedSmallFile(
  absPath: string,
  stamp: FileStamp,
  rule: CutRule,
  fast: FastHasher,
): FileDigest {
  const buf = (smallScratch ??= Buffer.allocUnsafe(SMALL_FILE_BYTES + 1));
  const fd = openSync(absPath, 'r');
  try {
    let got = 0;
    try {
      while (got <= stamp.size) {
        const n = readSync(fd, buf, got, stamp.size + 1 - got, got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      if (errnoCode(err) !== 'EISDIR') throw err;
      throw new LanfoldError('NOT_A_FILE', `${absPath} is not a regular file`, undefined, {
        cause: err,
      });
    }
    const after = fstatSync(fd);
    if (!after.isFile()) throw new LanfoldError('NOT_A_FILE', `${absPath} is not a regular file`);
    if (got !== stamp.size || after.size !== stamp.size)
      throw new FileChangedWhileReading(absPath, `size went from ${stamp.size} to ${after.size}`);
    if (after.ino !== stamp.ino) throw new FileChangedWhileReading(absPath, 'it was replaced');
    if (after.mtimeMs !== stamp.mtimeMs)
      throw new FileChangedWhileReading(absPath, 'its modification time changed');
    return digestBytes(buf.subarray(0, got), rule, fast);
  } finally {
    closeSync(fd);
  }
}

/**
 * Opens a regular file, runs `body` on it, and checks that its size and modification time did
 * not change meanwhile. Errors from opening (ENOENT, EACCES...) reach the caller unchanged.
 */
async function readConsistently<T>(
  absPath: string,
  rule: CutRule,
  body: (window: FileWindow, size: number) => Promise<T>,
): Promise<T> {
  const fh = await open(absPath, 'r');
  try {
    const before = await fh.stat({ bigint: true });
    if (!before.isFile()) throw new LanfoldError('NOT_A_FILE', `${absPath} is not a regular file`);
    const size = Number(before.size);
    const capacity = Math.min(Math.max(READ_BLOCK, rule.max), Math.max(size, 1));
    const result = await body(new FileWindow(fh, absPath, size, capacity), size);
    assertUnchanged(absPath, before, await fh.stat({ bigint: true }));
    return result;
  } finally {
    await fh.close();
  }
}

/** Throws FileChangedWhileReading when the file's size or modification time moved while it was read. */
function assertUnchanged(absPath: string, before: BigIntStats, after: BigIntStats): void {
  if (after.size !== before.size) {
    throw new FileChangedWhileReading(absPath, `size went from ${before.size} to ${after.size}`);
  }
  if (after.mtimeNs !== before.mtimeNs) {
    throw new FileChangedWhileReading(absPath, 'its modification time changed');
  }
}

function sha256(data: Uint8Array): Buffer {
  return oneShotHash('sha256', data, 'buffer');
}

/** The bytes of the chunk starting at `pos`, found by the cut rule. */
async function cutAt(
  window: FileWindow,
  rule: CutRule,
  pos: number,
  size: number,
): Promise<Buffer> {
  const data = await window.view(pos, Math.min(rule.max, size - pos));
  return data.subarray(0, chunkLength(rule, data));
}

/**
 * Collects chunks into packed records as it goes, a batch at a time, so a long file costs
 * about the packed list's 44 bytes per chunk rather than an object per chunk.
 */
class ListBuilder {
  private static readonly BATCH = 4096;
  private readonly packed: Buffer[] = [];
  private batch: Chunk[] = [];
  size = 0;

  add(chunk: Chunk): void {
    this.batch.push(chunk);
    this.size += chunk.size;
    if (this.batch.length === ListBuilder.BATCH) this.flush();
  }

  digest(): FileDigest {
    let chunks: ChunkList;
    if (this.packed.length === 0) {
      chunks = ChunkList.fromChunks(this.batch); // most files: one batch, packed without a concat
    } else {
      this.flush();
      chunks = ChunkList.fromPacked(Buffer.concat(this.packed));
    }
    return { size: this.size, chunks, hash: chunks.rootHash() };
  }

  private flush(): void {
    if (this.batch.length > 0) this.packed.push(ChunkList.fromChunks(this.batch).packed);
    this.batch = [];
  }
}

/**
 * Chunks and hashes a whole file: SHA-256 and xxhash64 per chunk, in this thread (see
 * docs/chunking.md for why). Memory is one read buffer plus the chunk list. Throws
 * FileChangedWhileReading if the file changed during the read, LanfoldError NOT_A_FILE for a
 * directory or the like, and the system error if it cannot be opened. With `stamp` (what an
 * lstat of it said just before), FileChangedWhileReading also means it no longer matches.
 */
export async function digestFile(
  absPath: string,
  params: ChunkParams = DEFAULT_CHUNK_PARAMS,
  stamp?: FileStamp,
): Promise<FileDigest> {
  const rule = cutRuleFor(params);
  const fast = await loadFastHasher();
  if (stamp && stamp.size <= SMALL_FILE_BYTES)
    return digestStampedSmallFile(absPath, stamp, rule, fast);
  const small = digestSmallFile(absPath, rule, fast);
  if (small) return small;
  return readConsistently(absPath, rule, async (window, size) => {
    const out = new ListBuilder();
    while (out.size < size) {
      const bytes = await cutAt(window, rule, out.size, size);
      out.add({ hash: sha256(bytes), fast: fast.hash(bytes), size: bytes.length });
    }
    return out.digest();
  });
}

// ---------------------------------------------------------------------------------------------
// Incremental re-chunking.

/** The previous chunk list, with the per-chunk figures the re-chunker looks up often. */
class PreviousChunks {
  readonly count: number;
  readonly total: number;
  private readonly starts: Float64Array;
  private readonly sizes: Uint32Array;
  private readonly fasts: BigUint64Array;
  private byContent: BigUint64Array | undefined;

  constructor(private readonly list: ChunkList) {
    this.count = list.count;
    this.starts = new Float64Array(this.count);
    this.sizes = new Uint32Array(this.count);
    this.fasts = new BigUint64Array(this.count);
    let offset = 0;
    for (let i = 0; i < this.count; i++) {
      const { size, fast } = list.at(i);
      this.starts[i] = offset;
      this.sizes[i] = size;
      this.fasts[i] = fast;
      offset += size;
    }
    this.total = offset;
  }

  /**
   * Whether the list could have come from `rule`: every chunk but the last within [min, max].
   * A list made with other parameters cannot be reused (its boundaries are not ours).
   */
  fitsRule(rule: CutRule): boolean {
    return this.sizes.every((size, i) => {
      const low = i === this.count - 1 ? 1 : rule.min;
      return size >= low && size <= rule.max;
    });
  }

  at(i: number): Chunk {
    return this.list.at(i);
  }

  sizeOf(i: number): number {
    return this.sizes[i]!;
  }

  fastOf(i: number): bigint {
    return this.fasts[i]!;
  }

  startOf(i: number): number {
    return this.starts[i]!;
  }

  /**
   * Whether old chunk `i`, if its bytes are found at `pos` of a file of `size` bytes, is also a
   * chunk of the new content there. The old last chunk may have ended only because the old file
   * did, so it counts only if it ends the new file too; any other old chunk ended by the cut
   * rule, which looks at nothing beyond the chunk.
   */
  reusableAt(i: number, pos: number, size: number): boolean {
    if (i < 0 || i >= this.count) return false;
    const end = pos + this.sizeOf(i);
    return i === this.count - 1 ? end === size : end <= size;
  }

  /** The index of the old chunk that started at `offset`, or -1. */
  indexStartingAt(offset: number): number {
    const i = lowerBound(this.starts, offset);
    return i < this.count && this.starts[i] === offset ? i : -1;
  }

  /**
   * The index of an old chunk with this fast hash and size, or -1. The lookup table is built on
   * first use: sorted (low 32 bits of the fast hash, index) pairs, 8 bytes per chunk.
   */
  indexWithContent(fast: bigint, size: number): number {
    this.byContent ??= this.contentTable();
    const key = (fast & 0xffffffffn) << 32n;
    for (let k = lowerBound(this.byContent, key); k < this.count; k++) {
      const entry = this.byContent[k]!;
      if ((entry & ~0xffffffffn) !== key) break;
      const i = Number(entry & 0xffffffffn);
      if (this.fastOf(i) === fast && this.sizeOf(i) === size) return i;
    }
    return -1;
  }

  private contentTable(): BigUint64Array {
    const table = new BigUint64Array(this.count);
    for (let i = 0; i < this.count; i++) {
      table[i] = ((this.fastOf(i) & 0xffffffffn) << 32n) | BigInt(i);
    }
    return table.sort();
  }
}

/** The first index of sorted `values` holding a value >= `key` (values.length if none). */
function lowerBound<T extends number | bigint>(values: ArrayLike<T>, key: T): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Re-chunks a file that probably changed only locally, reusing the previous list's SHA-256
 * wherever a chunk's bytes are unchanged. The result is exactly `digestFile` of the new content
 * (given that equal xxhash64 and size mean equal bytes; see docs/chunking.md), provided
 * `previous` was made with the same `params`; a list that cannot have been is ignored.
 *
 * `reusedChunks` counts chunks whose SHA-256 came from `previous`; `rehashedBytes` is the size
 * of the others, whose SHA-256 was computed afresh. Errors are those of digestFile.
 */
export async function redigestFile(
  absPath: string,
  previous: ChunkList,
  params: ChunkParams = DEFAULT_CHUNK_PARAMS,
): Promise<FileDigest & { reusedChunks: number; rehashedBytes: number }> {
  const rule = cutRuleFor(params);
  const fast = await loadFastHasher();
  let prev = new PreviousChunks(previous);
  if (!prev.fitsRule(rule)) prev = new PreviousChunks(ChunkList.empty());
  return readConsistently(absPath, rule, (window, size) =>
    new Rechunker(window, rule, fast, prev, size).run(),
  );
}

/**
 * One re-chunking pass. It keeps one invariant: `out.size` (the position reached) is a
 * boundary of the new content's chunking. From there it either confirms in place that the
 * expected old chunk is unchanged (read + xxhash64 only), or cuts one new chunk with the cut
 * rule and then looks for an old chunk to resynchronise on.
 */
class Rechunker {
  private readonly out = new ListBuilder();
  private reused = 0;
  private rehashed = 0;
  /** The old chunk expected at the current position, or -1 when none is. */
  private next = 0;
  /** New offset minus old offset of the last reused chunk: the displacement so far. */
  private shift = 0;

  constructor(
    private readonly window: FileWindow,
    private readonly rule: CutRule,
    private readonly fast: FastHasher,
    private readonly prev: PreviousChunks,
    private readonly size: number,
  ) {}

  async run(): Promise<FileDigest & { reusedChunks: number; rehashedBytes: number }> {
    while (this.out.size < this.size) {
      const pos = this.out.size;
      if (await this.sameBytes(this.next, pos)) this.reuse(this.next, pos);
      else await this.cutNew(pos);
    }
    return { ...this.out.digest(), reusedChunks: this.reused, rehashedBytes: this.rehashed };
  }

  /** Whether old chunk `i` is a chunk of the new content at `pos` (by its fast hash). */
  private async sameBytes(i: number, pos: number): Promise<boolean> {
    if (!this.prev.reusableAt(i, pos, this.size)) return false;
    const bytes = await this.window.view(pos, this.prev.sizeOf(i));
    return this.fast.hash(bytes) === this.prev.fastOf(i);
  }

  private reuse(i: number, pos: number): void {
    this.out.add(this.prev.at(i));
    this.reused++;
    this.shift = pos - this.prev.startOf(i);
    this.next = i + 1;
  }

  /**
   * Cuts the new chunk at `pos`. If its bytes equal some old chunk's, that chunk's SHA-256 is
   * reused and the in-place check continues after it. Otherwise it is hashed, and the re-chunker
   * tries to resynchronise at the new boundary.
   */
  private async cutNew(pos: number): Promise<void> {
    const bytes = await cutAt(this.window, this.rule, pos, this.size);
    const fast = this.fast.hash(bytes);
    const same = this.prev.indexWithContent(fast, bytes.length);
    if (same >= 0) {
      this.reuse(same, pos);
      return;
    }
    this.out.add({ hash: sha256(bytes), fast, size: bytes.length });
    this.rehashed += bytes.length;
    this.next = -1;
    if (this.out.size < this.size) await this.resync(this.out.size);
  }

  /**
   * Reuses the old chunk that started where the new boundary `pos` falls, displaced by the
   * current shift, by no shift, or by the change in file size, if its bytes are there.
   */
  private async resync(pos: number): Promise<void> {
    const shifts = new Set([this.shift, 0, this.size - this.prev.total]);
    for (const shift of shifts) {
      const i = this.prev.indexStartingAt(pos - shift);
      if (i >= 0 && (await this.sameBytes(i, pos))) {
        this.reuse(i, pos);
        return;
      }
    }
  }
}
