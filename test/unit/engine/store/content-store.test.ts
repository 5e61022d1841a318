import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { compressible, ContentStore } from '../../../../main/engine/store/content-store.js';
import { lanfoldErrorOf } from '../../helpers/errors.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

function sha(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function textChunk(n: number): Buffer {
  return Buffer.from(
    Array.from({ length: n }, (_, i) => `line ${i % 50}: the quick brown fox\n`).join(''),
  );
}

interface ChunkRow {
  codec: number;
  size: number;
  stored: number;
  last_used: number;
  data: Buffer;
}

describe('ContentStore', () => {
  const tempDir = useTempDirs();
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const s of open.splice(0).reverse()) s.close();
  });

  function newStore(): { store: ContentStore; file: string } {
    const file = path.join(tempDir('content'), 'content.db');
    const store = new ContentStore(file);
    open.push(store);
    return { store, file };
  }

  /** A second connection to look at (or damage) rows directly. */
  function rawDb(file: string): Database.Database {
    const db = new Database(file);
    open.push(db);
    return db;
  }

  function rowOf(file: string, hash: Buffer): ChunkRow | undefined {
    return rawDb(file)
      .prepare<[Buffer], ChunkRow>(
        'SELECT codec, size, stored, last_used, data FROM chunks WHERE hash = ?',
      )
      .get(hash);
  }

  it('returns undefined for a chunk it does not hold', () => {
    const { store } = newStore();
    const hash = sha(Buffer.from('x'));
    expect(store.has(hash)).toBe(false);
    expect(store.get(hash)).toBeUndefined();
    expect(store.totalStored()).toBe(0);
  });

  it('round-trips text, storing it compressed', () => {
    const { store, file } = newStore();
    const data = textChunk(2000);
    const hash = sha(data);
    store.put(hash, data, 1);
    expect(store.has(hash)).toBe(true);
    expect(store.get(hash)?.equals(data)).toBe(true);
    const row = rowOf(file, hash)!;
    expect(row.codec).toBe(1);
    expect(row.size).toBe(data.length);
    expect(row.stored).toBe(row.data.length);
    expect(row.stored).toBeLessThan(data.length / 4);
    expect(store.totalStored()).toBe(row.stored);
  });

  it('tries compression on text and repetitive data, never on random or compressed bytes', () => {
    for (const n of [100, 1000, 4096, 100_000]) {
      expect(compressible(randomBytes(n)), `random ${n}`).toBe(false);
      expect(compressible(textChunk(n)), `text ${n}`).toBe(true);
    }
    expect(compressible(gzipSync(randomBytes(30_000).toString('base64')))).toBe(false);
    expect(compressible(Buffer.alloc(10_000))).toBe(true);
    expect(compressible(Buffer.from('tiny'))).toBe(true);
  });

  it('round-trips random bytes, storing them raw', () => {
    const { store, file } = newStore();
    const data = randomBytes(64 * 1024);
    const hash = sha(data);
    store.put(hash, data, 1);
    expect(store.get(hash)?.equals(data)).toBe(true);
    const row = rowOf(file, hash)!;
    expect(row.codec).toBe(0);
    expect(row.stored).toBe(data.length);
    expect(row.data.equals(data)).toBe(true);
  });

  it('round-trips an empty chunk', () => {
    const { store } = newStore();
    const data = Buffer.alloc(0);
    store.put(sha(data), data, 1);
    expect(store.get(sha(data))?.length).toBe(0);
  });

  it('keeps one copy of a chunk put twice and refreshes its last use', () => {
    const { store, file } = newStore();
    const data = textChunk(100);
    store.put(sha(data), data, 10);
    const before = store.totalStored();
    store.put(sha(data), data, 20);
    expect(store.totalStored()).toBe(before);
    expect(rowOf(file, sha(data))?.last_used).toBe(20);
  });

  it('stores many chunks in one call', () => {
    const { store } = newStore();
    const chunks = [textChunk(10), randomBytes(100), textChunk(30)].map((data) => ({
      hash: sha(data),
      data,
    }));
    store.putMany(chunks, 5);
    for (const c of chunks) expect(store.get(c.hash)?.equals(c.data)).toBe(true);
  });

  it('detects damaged raw data', () => {
    const { store, file } = newStore();
    const data = randomBytes(4096);
    const hash = sha(data);
    store.put(hash, data, 1);
    const damaged = Buffer.from(data);
    damaged[100]! ^= 0xff;
    rawDb(file).prepare('UPDATE chunks SET data = ? WHERE hash = ?').run(damaged, hash);
    expect(lanfoldErrorOf(() => store.get(hash)).code).toBe('DB_CORRUPT');
  });

  it('detects damaged compressed data that still decompresses', () => {
    const { store, file } = newStore();
    const data = textChunk(500);
    const other = Buffer.from(textChunk(501));
    const hash = sha(data);
    store.put(hash, data, 1);
    store.put(sha(other), other, 1);
    // Swap in the compressed bytes of a different chunk: valid brotli, wrong content.
    const db = rawDb(file);
    const otherRow = rowOf(file, sha(other))!;
    db.prepare('UPDATE chunks SET data = ? WHERE hash = ?').run(otherRow.data, hash);
    expect(lanfoldErrorOf(() => store.get(hash)).code).toBe('DB_CORRUPT');
  });

  it('reports compressed data that no longer decompresses as DB_CORRUPT', () => {
    const { store, file } = newStore();
    const data = textChunk(500);
    const hash = sha(data);
    store.put(hash, data, 1);
    const row = rowOf(file, hash)!;
    expect(row.codec).toBe(1);
    const broken = row.data.subarray(0, Math.floor(row.data.length / 2));
    rawDb(file).prepare('UPDATE chunks SET data = ? WHERE hash = ?').run(broken, hash);
    expect(lanfoldErrorOf(() => store.get(hash)).code).toBe('DB_CORRUPT');
  });

  describe('prune', () => {
    /** Puts `n` random (incompressible) chunks of `size` bytes, the i-th used at time i+1. */
    function fill(store: ContentStore, n: number, size: number): Buffer[] {
      const hashes: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        const data = randomBytes(size);
        hashes.push(sha(data));
        store.put(sha(data), data, i + 1);
      }
      return hashes;
    }

    it('does nothing under the cap', () => {
      const { store } = newStore();
      const hashes = fill(store, 4, 1000);
      expect(store.prune(4000)).toBe(0);
      expect(hashes.every((h) => store.has(h))).toBe(true);
    });

    it('evicts the least recently used chunks until the store is within the cap', () => {
      const { store } = newStore();
      const hashes = fill(store, 5, 1000);
      expect(store.prune(3000)).toBe(2);
      expect(hashes.map((h) => store.has(h))).toEqual([false, false, true, true, true]);
      expect(store.totalStored()).toBe(3000);
    });

    it('counts a repeated put as a use', () => {
      const { store } = newStore();
      const data = [randomBytes(1000), randomBytes(1000), randomBytes(1000)];
      data.forEach((d, i) => store.put(sha(d), d, i + 1));
      store.put(sha(data[0]!), data[0]!, 10); // the oldest becomes the newest
      expect(store.prune(2000)).toBe(1);
      expect(data.map((d) => store.has(sha(d)))).toEqual([true, false, true]);
    });

    it('never evicts a kept chunk, even over the cap', () => {
      const { store } = newStore();
      const hashes = fill(store, 4, 1000);
      const keep = new Set([hashes[0]!.toString('hex'), hashes[1]!.toString('hex')]);
      expect(store.prune(1500, keep)).toBe(2);
      expect(hashes.map((h) => store.has(h))).toEqual([true, true, false, false]);
      expect(store.prune(0, keep)).toBe(0);
      expect(store.totalStored()).toBe(2000);
    });

    it('empties the store with a cap of zero', () => {
      const { store } = newStore();
      fill(store, 3, 500);
      expect(store.prune(0)).toBe(3);
      expect(store.totalStored()).toBe(0);
    });

    it('measures the cap in stored (compressed) bytes', () => {
      const { store } = newStore();
      const text = textChunk(3000);
      store.put(sha(text), text, 1);
      expect(store.totalStored()).toBeLessThan(text.length);
      expect(store.prune(text.length - 1)).toBe(0);
      expect(store.has(sha(text))).toBe(true);
    });
  });

  it('keeps chunks across a reopen and opens read-only', () => {
    const { store, file } = newStore();
    const data = textChunk(10);
    store.put(sha(data), data, 1);
    store.close();
    open.splice(open.indexOf(store), 1);
    const ro = new ContentStore(file, { readonly: true });
    open.push(ro);
    expect(ro.get(sha(data))?.equals(data)).toBe(true);
    expect(() => ro.put(sha(Buffer.from('y')), Buffer.from('y'), 2)).toThrow();
  });

  it('refuses a file that is not a database with DB_CORRUPT', () => {
    const file = path.join(tempDir('content'), 'content.db');
    writeFileSync(file, randomBytes(8192));
    expect(lanfoldErrorOf(() => new ContentStore(file)).code).toBe('DB_CORRUPT');
  });
});
