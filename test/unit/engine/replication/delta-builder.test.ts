import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkCutter, digestFile } from '../../../../main/engine/chunker.js';
import type { NewEntry, NewVersion } from '../../../../main/engine/entry.js';
import { buildDelta, type DeltaPart } from '../../../../main/engine/replication/delta-builder.js';
import type { ServedFolder } from '../../../../main/engine/replication/served-folder.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import { VersionLog } from '../../../../main/engine/store/version-log.js';
import { useTempDirs } from '../../helpers/temp-dir.js';
import { fileEntry } from '../../../helpers/entries.js';

const HEADER: NewVersion = {
  epoch: 1,
  createdAt: 1_700_000_000_000,
  method: 'scan',
  reason: 'first scan of the folder',
  origin: 'initial-scan',
};

/** Pseudo-random bytes (a SHA-256 stream) of `size`, the first seed whose content the chunker cuts in two or more. */
function severalChunks(size: number): Buffer {
  for (let seed = 0; seed < 100; seed++) {
    const blocks: Buffer[] = [];
    for (let i = 0; i * 32 < size; i++)
      blocks.push(createHash('sha256').update(`${seed}:${i}`).digest());
    const data = Buffer.concat(blocks).subarray(0, size);
    if (new ChunkCutter().push(data).length > 0) return data;
  }
  throw new Error('no seed gives several chunks');
}

describe('buildDelta: small files inline', () => {
  const tempDir = useTempDirs();
  const open: VersionLog[] = [];
  afterEach(() => {
    for (const log of open.splice(0)) log.close();
  });

  async function served(files: Record<string, Buffer>): Promise<ServedFolder> {
    const root = tempDir('served');
    const log = new VersionLog(path.join(tempDir('data'), 'log.db'));
    open.push(log);
    const entries: NewEntry[] = [];
    for (const [name, data] of Object.entries(files)) {
      const full = path.join(root, name);
      writeFileSync(full, data);
      const d = await digestFile(full);
      entries.push(fileEntry(name, d));
    }
    log.commit(HEADER, entries);
    return {
      id: 'f',
      root,
      log,
      content: { get: () => undefined },
      head: () => log.head(),
      deferBackgroundWork: () => undefined,
    };
  }

  async function parts(folder: ServedFolder): Promise<DeltaPart[]> {
    const out: DeltaPart[] = [];
    for await (const p of buildDelta(folder, 0, folder.head())) out.push(p);
    return out;
  }

  it('inlines files that still hold what was recorded, and not one edited since (same size)', async () => {
    const a = Buffer.from('a'.repeat(3000));
    const b = Buffer.from('b'.repeat(3000));
    const folder = await served({ 'a.txt': a, 'b.txt': b });
    // b.txt changes after it was recorded, keeping its size: its recorded hash no longer holds.
    writeFileSync(path.join(folder.root, 'b.txt'), Buffer.from('c'.repeat(3000)));
    const [part] = await parts(folder);
    expect(part!.entries.map((e) => e.path).sort()).toEqual(['a.txt', 'b.txt']);
    const aEntry = folder.log.entryAt(toRelPath('a.txt'), folder.head())!;
    expect(part!.inline.map((i) => i.hash)).toEqual([aEntry.hash]);
    expect(Buffer.from(part!.inline[0]!.data).equals(a)).toBe(true);
  });

  it('inlines a small file of several chunks, unless any one of them changed since', async () => {
    const many = severalChunks(60_000);
    const folder = await served({ 'many.bin': many, 'edited.bin': many });
    const recorded = folder.log.entryAt(toRelPath('many.bin'), folder.head())!;
    expect(recorded.chunks!.count).toBeGreaterThan(1);
    // edited.bin changes in its last chunk only, keeping its size.
    const edited = Buffer.from(many);
    edited[edited.length - 10] = edited[edited.length - 10]! ^ 0xff;
    writeFileSync(path.join(folder.root, 'edited.bin'), edited);
    const [part] = await parts(folder);
    expect(part!.inline).toHaveLength(1);
    expect(part!.inline[0]!.hash).toBe(recorded.hash);
    expect(Buffer.from(part!.inline[0]!.data).equals(many)).toBe(true);
  });
});
