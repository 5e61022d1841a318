import { chmodSync, existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChunkRequest, Fetcher } from '../../../../main/engine/replica/fetcher.js';
import {
  StageError,
  stageFile,
  stagedPath,
  stagingDir,
} from '../../../../main/engine/replica/staging.js';
import type { VersionLog } from '../../../../main/engine/store/version-log.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { fileEntry, inlineSources, makeDisk } from './apply-helpers.js';

describe('stageFile', () => {
  const tempDir = useTempDirs();
  const logs: VersionLog[] = [];
  afterEach(() => {
    for (const l of logs.splice(0)) l.close();
  });

  it('stages inline content with its mode and mtime, making the staging directory on first use', async () => {
    const disk = makeDisk(tempDir);
    logs.push(disk.log);
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
    const disk = makeDisk(tempDir);
    logs.push(disk.log);
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

  it('fetches a large file chunk by chunk, resuming after the verified prefix a cut left', async () => {
    const disk = makeDisk(tempDir);
    logs.push(disk.log);
    const data = randomBytes(3 * 1024 * 1024);
    const e = await fileEntry('big.bin', data, 0o600);
    const chunks = e.chunks!;
    expect(chunks.count).toBeGreaterThan(2);
    const offsets = chunks.offsets();
    // A cut left the first two chunks staged, and half of the third.
    mkdirSync(stagingDir(disk.root), { recursive: true });
    const part = path.join(stagingDir(disk.root), `${e.hash!}.part`);
    const prefix = offsets[2]! + Math.floor(chunks.at(2).size / 2);
    writeFileSync(part, data.subarray(0, prefix));
    const asked: number[] = [];
    const fetcher = {
      fetch: (req: ChunkRequest) => {
        asked.push(req.index);
        const at = offsets[req.index]!;
        return Promise.resolve(data.subarray(at, at + req.chunk.size));
      },
    } as unknown as Fetcher;
    const staged = await stageFile(disk.root, e, {
      ...inlineSources(disk.root, new Map()),
      fetcher,
    });
    expect(readFileSync(staged).equals(data)).toBe(true);
    expect(asked[0]).toBe(2);
    expect(asked).toEqual(Array.from({ length: chunks.count - 2 }, (_, i) => i + 2));
    expect(statSync(staged).mode & 0o7777).toBe(0o600);
  });

  it('refuses inline content that does not match the chunks, staging nothing', async () => {
    const disk = makeDisk(tempDir);
    logs.push(disk.log);
    const e = await fileEntry('x.txt', Buffer.from('expected'));
    const sources = inlineSources(disk.root, new Map([[e.hash!, Buffer.from('forged!!')]]));
    await expect(stageFile(disk.root, e, sources)).rejects.toBeInstanceOf(StageError);
    expect(existsSync(stagedPath(disk.root, e.hash!))).toBe(false);
  });
});
