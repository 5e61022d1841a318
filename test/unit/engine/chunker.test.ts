/** Tests of the content-defined chunker: the cut rule, whole-file digests and re-digests. */
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  lstatSync,
  mkdirSync,
  renameSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import type * as Fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { xxhash64 } from 'hash-wasm';
import { describe, expect, it, vi } from 'vitest';
import { ChunkList } from '../../../main/engine/chunk-list.js';
import {
  ChunkCutter,
  DEFAULT_CHUNK_PARAMS,
  FileChangedWhileReading,
  digestFile,
  redigestFile,
  type ChunkParams,
} from '../../../main/engine/chunker.js';
import { lanfoldErrorOf, lanfoldRejectionOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

/** Lets a test run code just before the next file handle opened by the chunker first reads. */
const fsHooks = vi.hoisted(() => ({
  beforeFirstRead: undefined as undefined | (() => void),
}));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof FsPromises>();
  const open: typeof actual.open = async (...args) => {
    const fh = await actual.open(...args);
    const hook = fsHooks.beforeFirstRead;
    if (hook) {
      fsHooks.beforeFirstRead = undefined;
      const read = fh.read.bind(fh) as (...a: unknown[]) => Promise<unknown>;
      let first = true;
      Object.defineProperty(fh, 'read', {
        value: (...a: unknown[]): Promise<unknown> => {
          if (first) hook();
          first = false;
          return read(...a);
        },
      });
    }
    return fh;
  };
  return { ...actual, open };
});

// Small files are read with readSync: the same hook, on the first synchronous read.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof Fs>();
  const readSync = ((...args: Parameters<typeof actual.readSync>) => {
    const hook = fsHooks.beforeFirstRead;
    fsHooks.beforeFirstRead = undefined;
    hook?.();
    return actual.readSync(...args);
  }) as typeof actual.readSync;
  return { ...actual, readSync, default: { ...actual, readSync } };
});

const KiB = 1024;
const MiB = 1024 * KiB;

/** Small sizes so that property tests see many chunks in small files. */
const SMALL: ChunkParams = { minSize: 256, avgSize: 1024, maxSize: 4096 };

/** Deterministic pseudo-random bytes (xorshift32), the same on every run and platform. */
function pseudoRandom(seed: number, n: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed | 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Low-entropy content (zero runs, a repeated pattern) that forces max-size and duplicate chunks. */
function repetitive(seed: number, n: number): Buffer {
  const out = Buffer.alloc(n);
  const pattern = pseudoRandom(seed, 97);
  for (let i = 0; i < n; i++) {
    if (Math.floor(i / 5000) % 3 === 1) out[i] = pattern[i % pattern.length]!;
  }
  return out;
}

/** The boundaries of pseudoRandom(12345, 4 MiB) with the default parameters. */
const PINNED_COUNT = 60;
const PINNED_FIRST_ENDS = [150717, 237412, 304829, 370068, 435257, 492430];
const PINNED_ALL_SHA256 = 'd28b11b63c5b0bc4490a4fab2a85292a0513a4775601aed802f6d8126684bd4e';

function cutAll(data: Buffer, params: ChunkParams = DEFAULT_CHUNK_PARAMS): number[] {
  const cutter = new ChunkCutter(params);
  return [...cutter.push(data), ...cutter.finish()];
}

function sizesOf(ends: readonly number[]): number[] {
  return ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]!));
}

/** The SHA-256 (hex) of each chunk of `data` cut at `ends`. */
function chunkHashes(data: Buffer, ends: readonly number[]): string[] {
  let start = 0;
  return ends.map((end) => {
    const hex = createHash('sha256').update(data.subarray(start, end)).digest('hex');
    start = end;
    return hex;
  });
}

function sharedCount(before: readonly string[], after: readonly string[]): number {
  const old = new Set(before);
  return after.filter((h) => old.has(h)).length;
}

describe('ChunkCutter', () => {
  it('cuts the same input at the same offsets every time', () => {
    const data = pseudoRandom(7, 2 * MiB);
    expect(cutAll(data)).toEqual(cutAll(Buffer.from(data)));
  });

  it('keeps the pinned boundaries of a fixed input (they are part of the storage format)', () => {
    // If this fails, the gear table or the cut rule changed: every stored file would rechunk.
    const ends = cutAll(pseudoRandom(12345, 4 * MiB));
    expect(ends.length).toBe(PINNED_COUNT);
    expect(ends.slice(0, 6)).toEqual(PINNED_FIRST_ENDS);
    expect(ends.at(-1)).toBe(4 * MiB);
    expect(createHash('sha256').update(ends.join(',')).digest('hex')).toBe(PINNED_ALL_SHA256);
  });

  it('finds the same boundaries however the input is split into pushes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 40_000 }),
        fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 12 }),
        (seed, size, splitAt) => {
          const data = seed % 3 === 0 ? repetitive(seed, size) : pseudoRandom(seed, size);
          const points = [...new Set(splitAt.map((p) => p % (size + 1)))].sort((a, b) => a - b);
          const cutter = new ChunkCutter(SMALL);
          const ends: number[] = [];
          let start = 0;
          for (const p of [...points, size]) {
            ends.push(...cutter.push(data.subarray(start, p)));
            start = p;
          }
          ends.push(...cutter.finish());
          expect(ends).toEqual(cutAll(data, SMALL));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('restarted at any boundary, reproduces every later boundary', () => {
    // redigestFile relies on this: a previous boundary is a valid place to resume cutting.
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.nat(), (seed, pick) => {
        const data = seed % 2 === 0 ? repetitive(seed, 30_000) : pseudoRandom(seed, 30_000);
        const ends = cutAll(data, SMALL);
        const k = pick % ends.length;
        const from = k === 0 ? 0 : ends[k - 1]!;
        const cutter = new ChunkCutter(SMALL, from);
        const resumed = [...cutter.push(data.subarray(from)), ...cutter.finish()];
        expect(resumed).toEqual(ends.slice(k));
      }),
      { numRuns: 100 },
    );
  });

  it('keeps every chunk but the last within [min, max]', () => {
    for (const [params, data] of [
      [DEFAULT_CHUNK_PARAMS, pseudoRandom(3, 4 * MiB)],
      [DEFAULT_CHUNK_PARAMS, Buffer.alloc(3 * MiB)],
      [SMALL, repetitive(5, 300_000)],
    ] as const) {
      const sizes = sizesOf(cutAll(data, params));
      const last = sizes.pop()!;
      for (const s of sizes) {
        expect(s).toBeGreaterThanOrEqual(params.minSize);
        expect(s).toBeLessThanOrEqual(params.maxSize);
      }
      expect(last).toBeGreaterThan(0);
      expect(last).toBeLessThanOrEqual(params.maxSize);
    }
  });

  it('cuts zeros at max size, since the gear hash of a constant run never matches', () => {
    const sizes = sizesOf(cutAll(Buffer.alloc(1 * MiB)));
    expect(sizes).toEqual([256 * KiB, 256 * KiB, 256 * KiB, 256 * KiB]);
  });

  it('averages close to avgSize on random data', () => {
    const data = pseudoRandom(99, 8 * MiB);
    const mean = data.length / cutAll(data).length;
    expect(mean).toBeGreaterThan(0.85 * 64 * KiB);
    expect(mean).toBeLessThan(1.15 * 64 * KiB);
  });

  it('changes only the chunks around an insertion in the middle', () => {
    const data = pseudoRandom(11, 4 * MiB);
    const edited = Buffer.concat([
      data.subarray(0, 2 * MiB),
      pseudoRandom(12, 1000),
      data.subarray(2 * MiB),
    ]);
    const before = chunkHashes(data, cutAll(data));
    const after = chunkHashes(edited, cutAll(edited));
    expect(before.length).toBeGreaterThan(40);
    // One chunk holds the insertion; at most a couple more differ while the cuts resynchronise.
    expect(sharedCount(before, after)).toBeGreaterThanOrEqual(after.length - 3);
  });

  it('changes only the tail chunks on an append', () => {
    const data = pseudoRandom(21, 4 * MiB);
    const appended = Buffer.concat([data, pseudoRandom(22, 100 * KiB)]);
    const before = chunkHashes(data, cutAll(data));
    const after = chunkHashes(appended, cutAll(appended));
    expect(after.slice(0, before.length - 1)).toEqual(before.slice(0, -1));
    expect(after.length - sharedCount(before, after)).toBeLessThanOrEqual(6);
  });

  it('returns nothing for no data and ends a partial chunk on finish', () => {
    const cutter = new ChunkCutter(SMALL);
    expect(cutter.push(Buffer.alloc(0))).toEqual([]);
    expect(cutter.finish()).toEqual([]);
    expect(cutter.push(Buffer.alloc(10))).toEqual([]);
    expect(cutter.finish()).toEqual([10]);
    expect(cutter.finish()).toEqual([]);
  });

  it('refuses sizes that are out of order or not a power of two', () => {
    const bad: ChunkParams[] = [
      { minSize: 0, avgSize: 1024, maxSize: 4096 },
      { minSize: 2048, avgSize: 1024, maxSize: 4096 },
      { minSize: 256, avgSize: 1000, maxSize: 4096 },
      { minSize: 256, avgSize: 1024, maxSize: 1024 },
      { minSize: 256.5, avgSize: 1024, maxSize: 4096 },
    ];
    for (const params of bad) {
      expect(lanfoldErrorOf(() => new ChunkCutter(params)).code).toBe('BAD_ARGUMENT');
    }
  });
});

describe('digestFile', () => {
  const tempDir = useTempDirs();

  function fileWith(content: Buffer, name = 'f.bin'): string {
    const file = path.join(tempDir('chunker'), name);
    writeFileSync(file, content);
    return file;
  }

  it('describes an empty file with no chunks', async () => {
    const d = await digestFile(fileWith(Buffer.alloc(0)));
    expect(d.size).toBe(0);
    expect(d.chunks.count).toBe(0);
    expect(d.hash).toBe(ChunkList.empty().rootHash());
  });

  it('makes one chunk of a file smaller than the minimum size', async () => {
    const content = Buffer.from('hello, lanfold\n');
    const d = await digestFile(fileWith(content));
    expect(d.size).toBe(content.length);
    expect(d.chunks.count).toBe(1);
    const chunk = d.chunks.at(0);
    expect(chunk.size).toBe(content.length);
    expect(chunk.hash.toString('hex')).toBe(createHash('sha256').update(content).digest('hex'));
    expect(chunk.fast).toBe(BigInt(`0x${await xxhash64(content)}`));
  });

  it('agrees with ChunkCutter and SHA-256 on every chunk of a multi-block file', async () => {
    // 9 MiB spans three 4 MiB read blocks, so chunks straddle refills of the read buffer.
    const content = pseudoRandom(31, 9 * MiB + 123);
    const d = await digestFile(fileWith(content));
    const ends = cutAll(content);
    expect(d.size).toBe(content.length);
    expect(d.chunks.count).toBe(ends.length);
    expect([...d.chunks].map((c) => c.size)).toEqual(sizesOf(ends));
    expect([...d.chunks].map((c) => c.hash.toString('hex'))).toEqual(chunkHashes(content, ends));
    expect(d.hash).toBe(d.chunks.rootHash());
  });

  it('gives equal content the same hash and different content another', async () => {
    const content = pseudoRandom(41, 300 * KiB);
    const a = await digestFile(fileWith(content, 'a'));
    const b = await digestFile(fileWith(Buffer.from(content), 'b'));
    content[150_000] = content[150_000]! ^ 1;
    const c = await digestFile(fileWith(content, 'c'));
    expect(b.hash).toBe(a.hash);
    expect(c.hash).not.toBe(a.hash);
  });

  it('refuses a directory', async () => {
    const dir = path.join(tempDir('chunker'), 'sub');
    mkdirSync(dir);
    expect((await lanfoldRejectionOf(digestFile(dir))).code).toBe('NOT_A_FILE');
  });

  it('reports a large file (read in windows) that grows while it is read', async () => {
    const file = fileWith(pseudoRandom(54, 2 * MiB));
    fsHooks.beforeFirstRead = () => appendFileSync(file, 'more');
    const err = await lanfoldRejectionOf(digestFile(file));
    expect(err).toBeInstanceOf(FileChangedWhileReading);
    expect(err.message).toMatch(/changed while it was being read \(size went from/);
  });

  it('reads a small file in one go and a large one in windows, with the same result', async () => {
    const data = pseudoRandom(55, 2 * MiB);
    const whole = await digestFile(fileWith(data, 'large'));
    const prefix = await digestFile(fileWith(data.subarray(0, MiB), 'small'));
    expect(whole.size).toBe(2 * MiB);
    // The first MiB cuts the same way whichever path read it (boundaries are content-defined).
    const firstCuts = (d: typeof whole) =>
      [...d.chunks].slice(0, 3).map((c) => c.hash.toString('hex'));
    expect(firstCuts(prefix)).toEqual(firstCuts(whole));
  });

  it('reports a file that grows while it is read', async () => {
    const file = fileWith(pseudoRandom(51, 100 * KiB));
    fsHooks.beforeFirstRead = () => appendFileSync(file, 'more');
    const err = await lanfoldRejectionOf(digestFile(file));
    expect(err).toBeInstanceOf(FileChangedWhileReading);
    expect(err.message).toMatch(/changed while it was being read \(size went from/);
  });

  it('reports a file whose modification time changes while it is read', async () => {
    const file = fileWith(pseudoRandom(53, 100 * KiB));
    fsHooks.beforeFirstRead = () => utimesSync(file, new Date(1e12), new Date(1e12));
    const err = await lanfoldRejectionOf(digestFile(file));
    expect(err).toBeInstanceOf(FileChangedWhileReading);
    expect(err.message).toMatch(/modification time changed/);
  });

  it('reports a file that shrinks while it is read', async () => {
    const file = fileWith(pseudoRandom(52, 100 * KiB));
    fsHooks.beforeFirstRead = () => truncateSync(file, 10);
    const err = await lanfoldRejectionOf(digestFile(file));
    expect(err).toBeInstanceOf(FileChangedWhileReading);
    expect(err.message).toMatch(/got shorter/);
  });
});

describe('digestFile with a stamp (the lstat taken just before)', () => {
  const tempDir = useTempDirs();

  function fileWith(content: Buffer, name = 'f.bin'): string {
    const file = path.join(tempDir('chunker-stamp'), name);
    writeFileSync(file, content);
    return file;
  }

  function stampOf(file: string): { size: number; mtimeMs: number; ino: number } {
    const st = lstatSync(file);
    return { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino };
  }

  it('gives what digestFile without a stamp gives, small or large, reading files one after another', async () => {
    for (const [i, n] of [0, 15, 5000, 300 * KiB, MiB, MiB + 1, 2 * MiB].entries()) {
      const file = fileWith(pseudoRandom(60 + i, n), `f${i}`);
      const stamped = await digestFile(file, SMALL, stampOf(file));
      const plain = await digestFile(file, SMALL);
      expect(stamped.size, `size ${n}`).toBe(n);
      expect(stamped.hash, `size ${n}`).toBe(plain.hash);
      expect(stamped.chunks.packed.equals(plain.chunks.packed), `size ${n}`).toBe(true);
    }
  });

  it('reports a file changed between the stamp and the read: grown, shrunk, touched, replaced', async () => {
    const cases: [string, (file: string) => void, RegExp][] = [
      ['grown', (f) => appendFileSync(f, 'more'), /size went from/],
      ['shrunk', (f) => truncateSync(f, 10), /size went from/],
      ['touched', (f) => utimesSync(f, new Date(1e12), new Date(1e12)), /modification time/],
      [
        'replaced',
        (f) => {
          writeFileSync(`${f}.new`, pseudoRandom(70, 100 * KiB));
          renameSync(`${f}.new`, f);
        },
        /replaced|modification time/,
      ],
    ];
    for (const [name, change, message] of cases) {
      const file = fileWith(pseudoRandom(70, 100 * KiB), name);
      const stamp = stampOf(file);
      change(file);
      const err = await lanfoldRejectionOf(digestFile(file, DEFAULT_CHUNK_PARAMS, stamp));
      expect(err, name).toBeInstanceOf(FileChangedWhileReading);
      expect(err.message, name).toMatch(message);
    }
  });

  it('reports a file that grows while it is read', async () => {
    const file = fileWith(pseudoRandom(71, 100 * KiB));
    const stamp = stampOf(file);
    fsHooks.beforeFirstRead = () => appendFileSync(file, 'more');
    const err = await lanfoldRejectionOf(digestFile(file, DEFAULT_CHUNK_PARAMS, stamp));
    expect(err).toBeInstanceOf(FileChangedWhileReading);
  });

  it('refuses a directory', async () => {
    const dir = path.join(tempDir('chunker-stamp'), 'sub');
    mkdirSync(dir);
    const err = await lanfoldRejectionOf(digestFile(dir, DEFAULT_CHUNK_PARAMS, stampOf(dir)));
    expect(err.code).toBe('NOT_A_FILE');
  });
});

/** One local edit of a file's content; positions are taken modulo the content length. */
type Edit =
  | { kind: 'overwrite' | 'insert'; at: number; len: number; seed: number }
  | { kind: 'delete'; at: number; len: number }
  | { kind: 'append'; len: number; seed: number }
  | { kind: 'truncate'; len: number };

function applyEdit(content: Buffer, edit: Edit): Buffer {
  const at = 'at' in edit ? edit.at % (content.length + 1) : 0;
  switch (edit.kind) {
    case 'overwrite': {
      const out = Buffer.from(content);
      pseudoRandom(edit.seed, Math.min(edit.len, out.length - at)).copy(out, at);
      return out;
    }
    case 'insert':
      return Buffer.concat([
        content.subarray(0, at),
        pseudoRandom(edit.seed, edit.len),
        content.subarray(at),
      ]);
    case 'delete':
      return Buffer.concat([content.subarray(0, at), content.subarray(at + edit.len)]);
    case 'append':
      return Buffer.concat([content, pseudoRandom(edit.seed, edit.len)]);
    case 'truncate':
      return content.subarray(0, Math.max(0, content.length - edit.len));
  }
}

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  fc.record({
    kind: fc.constantFrom('overwrite' as const, 'insert' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 20_000 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  }),
  fc.record({
    kind: fc.constant('delete' as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 20_000 }),
  }),
  fc.record({
    kind: fc.constant('append' as const),
    len: fc.integer({ min: 1, max: 20_000 }),
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), len: fc.integer({ min: 1, max: 20_000 }) }),
);

describe('redigestFile', () => {
  const tempDir = useTempDirs();

  /** Digests `before`, rewrites the file with `after`, then re-digests and digests it afresh. */
  async function redigestAfterEdit(before: Buffer, after: Buffer, params?: ChunkParams) {
    const file = path.join(tempDir('rechunk'), 'f.bin');
    writeFileSync(file, before);
    const previous = await digestFile(file, params);
    writeFileSync(file, after);
    const re = await redigestFile(file, previous.chunks, params);
    const fresh = await digestFile(file, params);
    return { previous, re, fresh };
  }

  function expectSameDigest(
    re: Awaited<ReturnType<typeof redigestFile>>,
    fresh: Awaited<ReturnType<typeof digestFile>>,
  ): void {
    expect(re.size).toBe(fresh.size);
    expect(re.chunks.count).toBe(fresh.chunks.count);
    expect(re.chunks.packed.equals(fresh.chunks.packed)).toBe(true);
    expect(re.hash).toBe(fresh.hash);
    // Every chunk is either reused or rehashed, so the two figures add up to the file.
    const reusedBytes = fresh.size - re.rehashedBytes;
    expect(reusedBytes).toBeGreaterThanOrEqual(0);
    expect(re.reusedChunks).toBeLessThanOrEqual(fresh.chunks.count);
  }

  it('equals digestFile after random local edits', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 300_000 }),
        fc.array(editArb, { minLength: 1, maxLength: 3 }),
        async (seed, size, edits) => {
          const before = seed % 4 === 0 ? repetitive(seed, size) : pseudoRandom(seed, size);
          const after = edits.reduce(applyEdit, before);
          const { re, fresh } = await redigestAfterEdit(before, after, SMALL);
          expectSameDigest(re, fresh);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('reuses every chunk of an unchanged file without hashing anything', async () => {
    const content = pseudoRandom(61, 2 * MiB);
    const { previous, re } = await redigestAfterEdit(content, content);
    expect(re.reusedChunks).toBe(previous.chunks.count);
    expect(re.rehashedBytes).toBe(0);
    expect(re.hash).toBe(previous.hash);
  });

  const big = pseudoRandom(71, 6 * MiB);
  const mid = 3 * MiB + 12_345;
  const patch = pseudoRandom(72, 256 * KiB);
  const local: [string, Buffer][] = [
    [
      'an overwrite',
      Buffer.concat([big.subarray(0, mid), patch, big.subarray(mid + patch.length)]),
    ],
    ['an insertion', Buffer.concat([big.subarray(0, mid), patch, big.subarray(mid)])],
    ['a deletion', Buffer.concat([big.subarray(0, mid), big.subarray(mid + patch.length)])],
    ['an append', Buffer.concat([big, patch])],
    ['a truncation', big.subarray(0, big.length - patch.length)],
  ];
  for (const [name, after] of local) {
    it(`rehashes only around ${name} of 256 KiB in a 6 MiB file`, async () => {
      const { re, fresh } = await redigestAfterEdit(big, after);
      expectSameDigest(re, fresh);
      expect(re.rehashedBytes).toBeLessThanOrEqual(patch.length + 4 * DEFAULT_CHUNK_PARAMS.maxSize);
      expect(re.reusedChunks).toBeGreaterThan(fresh.chunks.count - 12);
    });
  }

  it('stays exact when the previous list came from other parameters', async () => {
    const content = pseudoRandom(81, 200 * KiB);
    const file = path.join(tempDir('rechunk'), 'f.bin');
    writeFileSync(file, content);
    const other = await digestFile(file, { minSize: 64, avgSize: 256, maxSize: 1024 });
    const re = await redigestFile(file, other.chunks, SMALL);
    expectSameDigest(re, await digestFile(file, SMALL));
  });

  it('stays exact when the previous list describes unrelated content', async () => {
    const { re, fresh } = await redigestAfterEdit(
      pseudoRandom(91, 150 * KiB),
      pseudoRandom(92, 170 * KiB),
      SMALL,
    );
    expectSameDigest(re, fresh);
    expect(re.reusedChunks).toBe(0);
  });

  it('handles a file emptied or created from nothing', async () => {
    const content = pseudoRandom(93, 50 * KiB);
    const emptied = await redigestAfterEdit(content, Buffer.alloc(0), SMALL);
    expectSameDigest(emptied.re, emptied.fresh);
    expect(emptied.re.chunks.count).toBe(0);
    const filled = await redigestAfterEdit(Buffer.alloc(0), content, SMALL);
    expectSameDigest(filled.re, filled.fresh);
  });
});
