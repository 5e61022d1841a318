import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkList } from '../../../main/engine/chunk-list.js';
import { loadFastHasher } from '../../../main/engine/fast-hash.js';
import { retainFiles } from '../../../main/engine/retain.js';
import { ContentStore } from '../../../main/engine/store/content-store.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest();
const fast = await loadFastHasher();

/** Writes `data` to `file` and returns the chunk list of cutting it at `sizes`, as the scanner records it. */
function recordFile(file: string, data: Buffer, sizes: number[]): ChunkList {
  writeFileSync(file, data);
  let at = 0;
  const chunks = sizes.map((size) => {
    const piece = data.subarray(at, at + size);
    at += size;
    return { hash: sha(piece), fast: fast.hash(piece), size };
  });
  return ChunkList.fromChunks(chunks);
}

describe('retainFiles', () => {
  const tempDir = useTempDirs();
  const stores: ContentStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  function setup(): { dir: string; store: ContentStore } {
    const dir = tempDir('retain');
    const store = new ContentStore(path.join(dir, 'content.db'));
    stores.push(store);
    return { dir, store };
  }

  it('keeps every chunk of a file that still matches what was recorded', async () => {
    const { dir, store } = setup();
    const data = randomBytes(3000);
    const chunks = recordFile(path.join(dir, 'a'), data, [1000, 2000]);
    expect(await retainFiles(store, [{ full: path.join(dir, 'a'), chunks }], 1, 1e9)).toBe(1);
    for (const c of chunks) expect(store.get(c.hash)?.length).toBe(c.size);
  });

  it('skips a file that changed or vanished since it was recorded', async () => {
    const { dir, store } = setup();
    const changed = recordFile(path.join(dir, 'changed'), randomBytes(2000), [1000, 1000]);
    writeFileSync(path.join(dir, 'changed'), randomBytes(2000));
    const shorter = recordFile(path.join(dir, 'shorter'), randomBytes(2000), [2000]);
    writeFileSync(path.join(dir, 'shorter'), randomBytes(1999));
    const gone = ChunkList.fromChunks([{ hash: sha(Buffer.from('x')), fast: 0n, size: 1 }]);
    const jobs = [
      { full: path.join(dir, 'changed'), chunks: changed },
      { full: path.join(dir, 'shorter'), chunks: shorter },
      { full: path.join(dir, 'gone'), chunks: gone },
    ];
    expect(await retainFiles(store, jobs, 1, 1e9)).toBe(0);
    expect(store.totalStored()).toBe(0);
  });

  it('keeps nothing of a file whose later chunk no longer matches', async () => {
    const { dir, store } = setup();
    const data = randomBytes(2000);
    const chunks = recordFile(path.join(dir, 'f'), data, [1000, 1000]);
    const edited = Buffer.from(data);
    edited[1500]! ^= 1;
    writeFileSync(path.join(dir, 'f'), edited);
    expect(await retainFiles(store, [{ full: path.join(dir, 'f'), chunks }], 1, 1e9)).toBe(0);
    expect(store.has(chunks.at(0).hash)).toBe(false);
  });

  it('prunes the store to the cap afterwards, oldest first', async () => {
    const { dir, store } = setup();
    const old = recordFile(path.join(dir, 'old'), randomBytes(1000), [1000]);
    await retainFiles(store, [{ full: path.join(dir, 'old'), chunks: old }], 1, 1e9);
    const fresh = recordFile(path.join(dir, 'new'), randomBytes(1000), [1000]);
    await retainFiles(store, [{ full: path.join(dir, 'new'), chunks: fresh }], 2, 1500);
    expect(store.has(old.at(0).hash)).toBe(false);
    expect(store.has(fresh.at(0).hash)).toBe(true);
  });

  it('asks its pace before each file and stops when told to', async () => {
    const { dir, store } = setup();
    const jobs = ['a', 'b', 'c'].map((name) => ({
      full: path.join(dir, name),
      chunks: recordFile(path.join(dir, name), randomBytes(500), [500]),
    }));
    const asked: number[] = [];
    const kept = await retainFiles(store, jobs, 1, 1e9, () => {
      asked.push(asked.length);
      return Promise.resolve(asked.length < 3); // the third file: the folder is closing
    });
    expect(kept).toBe(2);
    expect(asked).toHaveLength(3);
    expect(store.has(jobs[1]!.chunks.at(0).hash)).toBe(true);
    expect(store.has(jobs[2]!.chunks.at(0).hash)).toBe(false);
  });
});
