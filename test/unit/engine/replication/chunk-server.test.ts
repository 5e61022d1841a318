import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { digestFile } from '../../../../main/engine/chunker.js';
import type { Entry } from '../../../../main/engine/entry.js';
import { ChunkServer } from '../../../../main/engine/replication/chunk-server.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import type { VersionLog } from '../../../../main/engine/store/version-log.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { fileEntry } from '../../../helpers/entries.js';

const MIB = 1024 * 1024;

describe('ChunkServer runs', () => {
  const tempDir = useTempDirs();

  /** A head holding big.bin as written, a content store holding `retained`; the file may then be changed. */
  async function serve(retained: 'none' | 'all' = 'none') {
    const root = tempDir('served');
    const file = path.join(root, 'big.bin');
    const data = randomBytes(2 * MIB);
    writeFileSync(file, data);
    const d = await digestFile(file);
    const entry: Entry = { ...fileEntry('big.bin', d, { mtimeMs: 0 }), seq: 4 };
    const log = { head: () => 4, entryAt: () => entry } as unknown as VersionLog;
    const offsets = d.chunks.offsets();
    const store = new Map<string, Buffer>();
    if (retained === 'all')
      for (let i = 0; i < d.chunks.count; i++) {
        const c = d.chunks.at(i);
        store.set(c.hash.toString('hex'), data.subarray(offsets[i], offsets[i]! + c.size));
      }
    const server = new ChunkServer(root, log, { get: (h) => store.get(h.toString('hex')) });
    const span = (index: number, count: number) => {
      const end = index + count < d.chunks.count ? offsets[index + count]! : d.size;
      return data.subarray(offsets[index], end);
    };
    const hashOf = (i: number) => d.chunks.at(i).hash.toString('hex');
    return { server, data, file, chunks: d.chunks, offsets, span, hashOf };
  }

  it('serves consecutive chunks back to back from the file', async () => {
    const s = await serve();
    const count = Math.min(6, s.chunks.count - 1);
    const run = await s.server.readRun(toRelPath('big.bin'), 1, count, s.hashOf(1), MIB);
    expect(run?.equals(s.span(1, count))).toBe(true);
    // The last chunks of the file, up to its end.
    const last = s.chunks.count - 2;
    const tail = await s.server.readRun(toRelPath('big.bin'), last, 2, s.hashOf(last), MIB);
    expect(tail?.equals(s.span(last, 2))).toBe(true);
    s.server.close();
  });

  it('takes a chunk the file no longer holds from the content store', async () => {
    const s = await serve('all');
    // The file changed on disk after the head was recorded: chunk 2 is overwritten.
    const changed = Buffer.from(s.data);
    changed.fill(0, s.offsets[2], s.offsets[2]! + 100);
    writeFileSync(s.file, changed);
    const run = await s.server.readRun(toRelPath('big.bin'), 0, 4, s.hashOf(0), MIB);
    expect(run?.equals(s.span(0, 4))).toBe(true);
    s.server.close();
  });

  it('serves the runs of a batched get back to back, or nothing when one of them is not at hand', async () => {
    const s = await serve('none');
    const big = toRelPath('big.bin');
    const run = (index: number, count: number) => ({
      path: big,
      index,
      count,
      hash: s.hashOf(index),
    });
    const both = await s.server.readRuns([run(0, 2), run(3, 1)], MIB);
    expect(both?.equals(Buffer.concat([s.span(0, 2), s.span(3, 1)]))).toBe(true);
    // Longer than the caller allows in all, though each run fits.
    const max = s.span(0, 2).length + s.span(3, 1).length - 1;
    expect(await s.server.readRuns([run(0, 2), run(3, 1)], max)).toBeUndefined();
    // The second run's first chunk is not the one asked for.
    expect(
      await s.server.readRuns([run(0, 1), { ...run(2, 1), hash: s.hashOf(3) }], MIB),
    ).toBeUndefined();
    s.server.close();
  });

  it('answers nothing when the run cannot be served as asked', async () => {
    const s = await serve('none');
    const read = (index: number, count: number, hash: string, max = MIB) =>
      s.server.readRun(toRelPath('big.bin'), index, count, hash, max);
    // The first chunk is not the one asked for.
    expect(await read(1, 3, s.hashOf(2))).toBeUndefined();
    // Past the file's last chunk.
    expect(await read(s.chunks.count - 1, 2, s.hashOf(s.chunks.count - 1))).toBeUndefined();
    // Longer than the caller allows.
    expect(await read(0, 4, s.hashOf(0), s.span(0, 4).length - 1)).toBeUndefined();
    // A chunk changed on disk and kept nowhere else.
    const changed = Buffer.from(s.data);
    changed.fill(0, s.offsets[1], s.offsets[1]! + 100);
    writeFileSync(s.file, changed);
    s.server.invalidate();
    expect(await read(0, 3, s.hashOf(0))).toBeUndefined();
    // A single chunk still goes the way it always did.
    const one = await read(0, 1, s.hashOf(0));
    expect(one?.equals(s.span(0, 1))).toBe(true);
    s.server.close();
  });
});
