import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkList } from '../../../main/engine/chunk-list.js';
import type { Entry } from '../../../main/engine/entry.js';
import { readEntryContent } from '../../../main/engine/history-content.js';
import { toRelPath } from '../../../main/engine/relpath.js';
import { ContentStore } from '../../../main/engine/store/content-store.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest();

/** Cuts `data` at the given sizes into chunks; returns the pieces and the entry of a file. */
function fileEntry(p: string, data: Buffer, sizes: number[]): { entry: Entry; pieces: Buffer[] } {
  const pieces: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    pieces.push(data.subarray(at, at + size));
    at += size;
  }
  expect(at).toBe(data.length);
  const chunks = ChunkList.fromChunks(
    pieces.map((d) => ({ hash: sha(d), fast: 0n, size: d.length })),
  );
  const entry: Entry = {
    path: toRelPath(p),
    seq: 3,
    op: 'modify',
    kind: 'file',
    size: data.length,
    mtimeMs: 0,
    mode: 0o644,
    ino: 1,
    hash: chunks.rootHash(),
    target: null,
    chunks,
    movedFrom: null,
  };
  return { entry, pieces };
}

function openFds(): number | undefined {
  return existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : undefined;
}

describe('readEntryContent', () => {
  const tempDir = useTempDirs();
  const stores: ContentStore[] = [];
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
  });

  function setup(): { root: string; store: ContentStore } {
    const base = tempDir('history');
    const root = path.join(base, 'folder');
    mkdirSync(root);
    const store = new ContentStore(path.join(base, 'content.db'));
    stores.push(store);
    return { root, store };
  }

  const data = Buffer.concat([
    randomBytes(3000),
    Buffer.from('middle text '.repeat(100)),
    randomBytes(2000),
  ]);
  const sizes = [3000, 1200, 2000];

  it('reads every chunk from the store when the file is gone from disk', () => {
    const { root, store } = setup();
    const { entry, pieces } = fileEntry('doc.bin', data, sizes);
    for (const piece of pieces) store.put(sha(piece), piece, 1);
    expect(readEntryContent(root, store, entry, 1e9).equals(data)).toBe(true);
  });

  it('falls back to the file on disk for chunks the store no longer has', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('doc.bin', data, sizes);
    writeFileSync(path.join(root, 'doc.bin'), data);
    expect(readEntryContent(root, store, entry, 1e9).equals(data)).toBe(true);
  });

  it('mixes the store and the disk, checking each disk chunk at its offset', () => {
    const { root, store } = setup();
    const { entry, pieces } = fileEntry('sub/doc.bin', data, sizes);
    store.put(sha(pieces[0]!), pieces[0]!, 1);
    // On disk the first chunk has been edited since; the other two are unchanged.
    const edited = Buffer.from(data);
    edited.fill(0x78, 0, 3000);
    mkdirSync(path.join(root, 'sub'));
    writeFileSync(path.join(root, 'sub', 'doc.bin'), edited);
    expect(readEntryContent(root, store, entry, 1e9).equals(data)).toBe(true);
  });

  it('reports CONTENT_GONE when neither the store nor the disk has the content', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('doc.bin', data, sizes);
    const err = lanfoldErrorOf(() => readEntryContent(root, store, entry, 1e9));
    expect(err.code).toBe('CONTENT_GONE');
    expect(err.message).toContain('doc.bin');
    expect(err.message).toContain('3');
    expect(err.hint).toMatch(/cap/);
  });

  it('reports CONTENT_GONE when the file on disk has changed at a missing chunk', () => {
    const { root, store } = setup();
    const { entry, pieces } = fileEntry('doc.bin', data, sizes);
    store.put(sha(pieces[0]!), pieces[0]!, 1);
    const edited = Buffer.from(data);
    edited[3500] = edited[3500]! ^ 0xff;
    writeFileSync(path.join(root, 'doc.bin'), edited);
    expect(lanfoldErrorOf(() => readEntryContent(root, store, entry, 1e9)).code).toBe(
      'CONTENT_GONE',
    );
  });

  it('reports CONTENT_GONE when the file on disk is shorter now', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('doc.bin', data, sizes);
    writeFileSync(path.join(root, 'doc.bin'), data.subarray(0, 5000));
    expect(lanfoldErrorOf(() => readEntryContent(root, store, entry, 1e9)).code).toBe(
      'CONTENT_GONE',
    );
  });

  it('reports CONTENT_GONE when the path is now a directory', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('doc.bin', data, sizes);
    mkdirSync(path.join(root, 'doc.bin'));
    expect(lanfoldErrorOf(() => readEntryContent(root, store, entry, 1e9)).code).toBe(
      'CONTENT_GONE',
    );
  });

  it('reads an empty file without touching the store or the disk', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('empty', Buffer.alloc(0), []);
    expect(readEntryContent(root, store, entry, 1e9).length).toBe(0);
  });

  it('refuses an entry that is not a file', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('doc.bin', data, sizes);
    const dir: Entry = { ...entry, kind: 'dir', chunks: null, hash: null };
    const gone: Entry = { ...entry, kind: 'none', chunks: null, hash: null };
    const noChunks: Entry = { ...entry, chunks: null };
    for (const e of [dir, gone, noChunks])
      expect(lanfoldErrorOf(() => readEntryContent(root, store, e, 1e9)).code).toBe('NOT_A_FILE');
  });

  it.each([
    ['larger', 1],
    ['smaller', -1],
  ])('refuses an entry whose size is %s than its chunks say', (_name, delta) => {
    const { root, store } = setup();
    const { entry, pieces } = fileEntry('doc.bin', data, sizes);
    for (const piece of pieces) store.put(sha(piece), piece, 1);
    writeFileSync(path.join(root, 'doc.bin'), data);
    const bad: Entry = { ...entry, size: entry.size + delta };
    expect(lanfoldErrorOf(() => readEntryContent(root, store, bad, 1e9)).code).toBe('DB_CORRUPT');
  });

  it('refuses a file larger than the caller can show', () => {
    const { root, store } = setup();
    const { entry, pieces } = fileEntry('doc.bin', data, sizes);
    for (const piece of pieces) store.put(sha(piece), piece, 1);
    const err = lanfoldErrorOf(() => readEntryContent(root, store, entry, data.length - 1));
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(readEntryContent(root, store, entry, data.length).length).toBe(data.length);
  });

  it('closes the file it opened, on success and on failure', () => {
    const { root, store } = setup();
    const { entry } = fileEntry('doc.bin', data, sizes);
    const before = openFds();
    if (before === undefined) return; // no /proc: nothing to count with
    writeFileSync(path.join(root, 'doc.bin'), data);
    for (let i = 0; i < 20; i++) readEntryContent(root, store, entry, 1e9);
    writeFileSync(path.join(root, 'doc.bin'), data.subarray(0, 10));
    for (let i = 0; i < 20; i++) lanfoldErrorOf(() => readEntryContent(root, store, entry, 1e9));
    expect(openFds()).toBe(before);
  });
});
