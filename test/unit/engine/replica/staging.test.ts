import {
  chmodSync,
  existsSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bulkBuffers } from '../../../../main/engine/buffer-pool.js';
import { ChunkList } from '../../../../main/engine/chunk-list.js';
import {
  ChunkUnavailable,
  type ChunkRequest,
  type Fetcher,
  type RunRequest,
} from '../../../../main/engine/replica/fetcher.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import {
  prestage,
  Prestaged,
  StageError,
  stageFile,
  stagedHashes,
  stagedPath,
  stagingDir,
} from '../../../../main/engine/replica/staging.js';
import { stageVersion } from '../../../../main/engine/replica/apply.js';
import { fileEntry, inlineSources, useDisks } from './apply-helpers.js';

/** A fetcher that answers every run from `data` (cut at `offsets`), telling `seen` of each. */
function servingFetcher(
  data: Buffer,
  offsets: readonly number[],
  seen: (req: RunRequest, bytes: number) => void,
): Fetcher {
  return {
    fetchRun: (req: RunRequest) => {
      const bytes = req.chunks.reduce((n, c) => n + c.size, 0);
      seen(req, bytes);
      const at = offsets[req.index]!;
      return Promise.resolve(data.subarray(at, at + bytes));
    },
  } as unknown as Fetcher;
}

describe('stageFile', () => {
  const newDisk = useDisks();

  it('stages inline content with its mode and mtime, making the staging directory on first use', async () => {
    const disk = newDisk();
    const data = Buffer.from('hello staged world\n');
    const e = await fileEntry('a/b.txt', data, 0o640, 1_600_000_123_000);
    expect(existsSync(stagingDir(disk.root))).toBe(false);
    const staged = await stageFile(
      disk.root,
      e,
      inlineSources(disk.root, new Map([[e.hash!, data]])),
    );
    expect(staged).toBe(stagedPath(disk.root, e.hash!));
    expect(readFileSync(staged).equals(data)).toBe(true);
    const st = statSync(staged);
    expect(st.mode & 0o7777).toBe(0o640);
    expect(st.mtimeMs).toBe(1_600_000_123_000);
    expect(existsSync(path.join(stagingDir(disk.root), `${e.hash!}.part`))).toBe(false);
  });

  it('replaces a longer, read-only partial file a cut left behind', async () => {
    const disk = newDisk();
    const data = Buffer.from('short');
    const e = await fileEntry('x.txt', data);
    mkdirSync(stagingDir(disk.root), { recursive: true });
    const part = path.join(stagingDir(disk.root), `${e.hash!}.part`);
    writeFileSync(part, 'a much longer partial content from an earlier try');
    chmodSync(part, 0o444);
    const staged = await stageFile(
      disk.root,
      e,
      inlineSources(disk.root, new Map([[e.hash!, data]])),
    );
    expect(readFileSync(staged).equals(data)).toBe(true);
  });

  it('fetches a large file in runs of at most 1 MiB, resuming after the verified prefix a cut left', async () => {
    const disk = newDisk();
    const data = randomBytes(3 * 1024 * 1024);
    const e = await fileEntry('big.bin', data, 0o600);
    const chunks = e.chunks!;
    expect(chunks.count).toBeGreaterThan(20);
    const offsets = chunks.offsets();
    // A cut left the first two chunks staged, and half of the third.
    mkdirSync(stagingDir(disk.root), { recursive: true });
    const part = path.join(stagingDir(disk.root), `${e.hash!}.part`);
    const prefix = offsets[2]! + Math.floor(chunks.at(2).size / 2);
    writeFileSync(part, data.subarray(0, prefix));
    const runs: { index: number; count: number; bytes: number }[] = [];
    const fetcher = servingFetcher(data, offsets, (req, bytes) =>
      runs.push({ index: req.index, count: req.chunks.length, bytes }),
    );
    const staged = await stageFile(disk.root, e, {
      ...inlineSources(disk.root, new Map()),
      fetcher,
    });
    expect(readFileSync(staged).equals(data)).toBe(true);
    expect(statSync(staged).mode & 0o7777).toBe(0o600);
    // Runs follow each other from chunk 2 to the last, each at most 1 MiB, few of them.
    expect(runs[0]!.index).toBe(2);
    for (let i = 1; i < runs.length; i++)
      expect(runs[i]!.index).toBe(runs[i - 1]!.index + runs[i - 1]!.count);
    expect(runs.at(-1)!.index + runs.at(-1)!.count).toBe(chunks.count);
    for (const r of runs) expect(r.bytes).toBeLessThanOrEqual(1024 * 1024);
    expect(runs.length).toBeLessThanOrEqual(4);
  });

  it('cuts an unverified tail a cut left, even one longer than the file', async () => {
    const disk = newDisk();
    const data = randomBytes(512 * 1024);
    const e = await fileEntry('tail.bin', data, 0o644);
    const first = e.chunks!.at(0).size;
    mkdirSync(stagingDir(disk.root), { recursive: true });
    const part = path.join(stagingDir(disk.root), `${e.hash!}.part`);
    writeFileSync(part, Buffer.concat([data.subarray(0, first), randomBytes(1024 * 1024)]));
    const asked: number[] = [];
    const fetcher = servingFetcher(data, e.chunks!.offsets(), (req) => asked.push(req.index));
    const staged = await stageFile(disk.root, e, {
      ...inlineSources(disk.root, new Map()),
      fetcher,
    });
    expect(readFileSync(staged).equals(data)).toBe(true);
    expect(asked[0]).toBe(1); // the verified first chunk was kept
  });

  it('keeps runs whole while answers arrive one by one (a run waits until a whole one fits)', async () => {
    const disk = newDisk();
    const data = randomBytes(24 * 1024 * 1024);
    const e = await fileEntry('many-runs.bin', data, 0o600);
    const offsets = e.chunks!.offsets();
    const sizes: number[] = [];
    const fetcher = {
      fetchRun: (req: RunRequest) => {
        const bytes = req.chunks.reduce((n, c) => n + c.size, 0);
        sizes.push(bytes);
        const at = offsets[req.index]!;
        // answered later, as over a network: the writer frees room between answers
        return new Promise<Buffer>((resolve) =>
          setImmediate(() => resolve(data.subarray(at, at + bytes))),
        );
      },
    } as unknown as Fetcher;
    const staged = await stageFile(disk.root, e, {
      ...inlineSources(disk.root, new Map()),
      fetcher,
    });
    expect(readFileSync(staged).equals(data)).toBe(true);
    // every run but the last is cut only by the 1 MiB limit at a chunk boundary (chunks are
    // at most 256 KiB), never by the room the last write happened to free
    for (const size of sizes.slice(0, -1)) expect(size).toBeGreaterThan(768 * 1024);
  });

  it('gives each fetched run back to the bulk pool once it is written, not before', async () => {
    const disk = newDisk();
    const data = randomBytes(3 * 1024 * 1024);
    const e = await fileEntry('pooled.bin', data, 0o600);
    const offsets = e.chunks!.offsets();
    const lent: Buffer[] = [];
    const fetcher = {
      fetchRun: (req: RunRequest) => {
        const bytes = req.chunks.reduce((n, c) => n + c.size, 0);
        const buf = bulkBuffers.take(bytes);
        data.copy(buf, 0, offsets[req.index], offsets[req.index]! + bytes);
        lent.push(buf);
        return Promise.resolve(buf);
      },
    } as unknown as Fetcher;
    const idle = bulkBuffers.idle;
    const staged = await stageFile(disk.root, e, {
      ...inlineSources(disk.root, new Map()),
      fetcher,
    });
    expect(readFileSync(staged).equals(data)).toBe(true);
    expect(lent.length).toBeGreaterThan(1);
    // every run came back: taking as many buffers again hands out the same ones
    expect(bulkBuffers.idle).toBe(Math.min(idle + lent.length, 16));
    const again = lent.map(() => bulkBuffers.take(1));
    expect(new Set(again.map((b) => b.buffer))).toEqual(new Set(lent.map((b) => b.buffer)));
    for (const b of again) bulkBuffers.release(b);
  });

  it('asks chunk by chunk for a run the upstream cannot serve whole, and reads chunks it holds locally', async () => {
    const disk = newDisk();
    const data = randomBytes(2 * 1024 * 1024);
    const e = await fileEntry('big.bin', data, 0o600);
    const chunks = e.chunks!;
    const offsets = chunks.offsets();
    // Chunk 5's bytes are in a local file already.
    const local = 5;
    const at5 = offsets[local]!;
    writeFileSync(
      path.join(disk.root, 'other.bin'),
      data.subarray(at5, at5 + chunks.at(local).size),
    );
    const sources = inlineSources(disk.root, new Map());
    sources.local.addFile(toRelPath('other.bin'), ChunkList.fromChunks([chunks.at(local)]));
    const runs: number[][] = [];
    const singles: number[] = [];
    const fetcher = {
      fetchRun: (req: RunRequest) => {
        runs.push(req.chunks.map((_, i) => req.index + i));
        // The first run is refused: a chunk of it is only in the upstream's history.
        if (runs.length === 1)
          return Promise.reject(new ChunkUnavailable(req.path, 'ask chunk by chunk'));
        const bytes = req.chunks.reduce((n, c) => n + c.size, 0);
        return Promise.resolve(data.subarray(offsets[req.index], offsets[req.index]! + bytes));
      },
      fetch: (req: ChunkRequest) => {
        singles.push(req.index);
        return Promise.resolve(
          data.subarray(offsets[req.index], offsets[req.index]! + req.chunk.size),
        );
      },
    } as unknown as Fetcher;
    const staged = await stageFile(disk.root, e, { ...sources, fetcher });
    expect(readFileSync(staged).equals(data)).toBe(true);
    expect(runs[0]).toEqual([0, 1, 2, 3, 4]); // stops before the chunk held locally
    expect(singles).toEqual([0, 1, 2, 3, 4]);
    expect(runs.flat()).not.toContain(local);
    expect(runs.flat().length + 1).toBe(chunks.count);
  });

  it('refuses inline content that does not match the chunks, staging nothing', async () => {
    const disk = newDisk();
    const e = await fileEntry('x.txt', Buffer.from('expected'));
    const sources = inlineSources(disk.root, new Map([[e.hash!, Buffer.from('forged!!')]]));
    await expect(stageFile(disk.root, e, sources)).rejects.toBeInstanceOf(StageError);
    expect(existsSync(stagedPath(disk.root, e.hash!))).toBe(false);
  });
});

describe('prestage', () => {
  const newDisk = useDisks();

  it('stages matching whole content with its mode and mtime, and notes it', async () => {
    const disk = newDisk();
    const data = Buffer.from('staged while the delta arrives\n');
    const e = await fileEntry('a.txt', data, 0o640, 1_600_000_321_000);
    const prestaged = new Prestaged(disk.root);
    prestage(disk.root, e, data, prestaged);
    const file = stagedPath(disk.root, e.hash!);
    expect(readFileSync(file).equals(data)).toBe(true);
    expect(statSync(file).mode & 0o7777).toBe(0o640);
    expect(statSync(file).mtimeMs).toBe(1_600_000_321_000);
    expect(prestaged.get(e.hash!)).toEqual({ mode: 0o640, mtimeMs: 1_600_000_321_000 });
  });

  it('writes a whole file under its final name only: no partial file is left beside it', async () => {
    const disk = newDisk();
    const data = Buffer.from('small file, written in one go\n');
    const e = await fileEntry('s.txt', data);
    const prestaged = new Prestaged(disk.root);
    // True: staged, so the caller may drop the data.
    expect(prestage(disk.root, e, data, prestaged)).toBe(true);
    expect(readdirSync(stagingDir(disk.root))).toEqual([`${e.hash!}.ok`]);
    expect([...stagedHashes(disk.root)]).toEqual([e.hash!]);
    // Noted once: the same content for another path is not written again.
    const again = await fileEntry('t.txt', data, 0o600, 1_600_000_777_000);
    expect(prestage(disk.root, again, data, prestaged)).toBe(true);
    expect(prestaged.get(e.hash!)).toEqual({ mode: e.mode, mtimeMs: e.mtimeMs });
  });

  it('stages nothing for content that does not match the chunks', async () => {
    const disk = newDisk();
    const e = await fileEntry('a.txt', Buffer.from('the real content'));
    const prestaged = new Prestaged(disk.root);
    // False: nothing staged, the caller keeps the data (the apply refuses it, with the reason).
    expect(prestage(disk.root, e, Buffer.from('something else!!'), prestaged)).toBe(false);
    expect(existsSync(stagedPath(disk.root, e.hash!))).toBe(false);
    expect(prestaged.size).toBe(0);
  });

  it('leaves a file staged before untouched (a two-phase prepare may own it)', async () => {
    const disk = newDisk();
    const data = Buffer.from('same content');
    const owned = await fileEntry('p.txt', data, 0o400, 1_600_000_000_000);
    const file = await stageFile(
      disk.root,
      owned,
      inlineSources(disk.root, new Map([[owned.hash!, data]])),
    );
    const other = await fileEntry('q.txt', data, 0o644, 1_600_000_999_000);
    const prestaged = new Prestaged(disk.root);
    expect(prestage(disk.root, other, data, prestaged)).toBe(true);
    expect(statSync(file).mode & 0o7777).toBe(0o400);
    expect(statSync(file).mtimeMs).toBe(1_600_000_000_000);
    expect(prestaged.size).toBe(0);
  });

  it('lets the apply use what was staged ahead, and stage again what is gone or wants another mode', async () => {
    const disk = newDisk();
    const a = Buffer.from('file a\n');
    const b = Buffer.from('file b\n');
    const c = Buffer.from('file c\n');
    const ea = await fileEntry('d/a.txt', a, 0o644, 1_600_000_001_000);
    const eb = await fileEntry('d/b.txt', b, 0o644, 1_600_000_002_000);
    const ec = await fileEntry('d/c.txt', c, 0o644, 1_600_000_003_000);
    const prestaged = new Prestaged(disk.root);
    for (const [e, data] of [
      [ea, a],
      [eb, b],
      [ec, c],
    ] as const)
      prestage(disk.root, e, data, prestaged);
    // b's staged file is lost; c is wanted with another mode than it was staged with.
    const { rmSync } = await import('node:fs');
    rmSync(stagedPath(disk.root, eb.hash!));
    const ec2 = { ...ec, mode: 0o600 };
    // The sources hold b and c only: a must come from what was staged ahead.
    const sources = {
      ...inlineSources(
        disk.root,
        new Map([
          [eb.hash!, b],
          [ec.hash!, c],
        ]),
      ),
      prestaged,
    };
    const target = { version: 1, createdAt: 1, method: 'scan' as const, entries: [ea, eb, ec2] };
    const { staged } = await stageVersion(disk, target, sources);
    expect([...staged.keys()].sort()).toEqual(['d/a.txt', 'd/b.txt', 'd/c.txt']);
    expect(readFileSync(staged.get(ea.path)!).equals(a)).toBe(true);
    expect(readFileSync(staged.get(eb.path)!).equals(b)).toBe(true);
    expect(statSync(staged.get(ec2.path)!).mode & 0o7777).toBe(0o600);
    // without what was staged ahead, a has no source at all
    rmSync(stagingDir(disk.root), { recursive: true });
    await expect(
      stageVersion(disk, target, { ...sources, prestaged: undefined }),
    ).rejects.toThrow();
  });
});
