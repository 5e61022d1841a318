/**
 * The scanner, driven through MasterFolder with its watcher off: the first scan records
 * version 1 with every file, directory and symlink (symlinks recorded, never followed) and
 * their size, mtime and mode; a rescan skips files whose (size, mtime, inode) are unchanged
 * and records only real changes.
 */
import {
  chmodSync,
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { digestFile } from '../../main/engine/chunker.js';
import { toRelPath } from '../../main/engine/relpath.js';
import {
  closeAllWatched,
  makeFolderDirs,
  openWatched,
  opsOf,
  type WatchedFolder,
} from '../helpers/master.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';

afterEach(async () => {
  await closeAllWatched();
  removeTempDirs();
});

/** A folder opened with its watcher off: only `rescan()` records anything. */
async function scanned(populate: (root: string) => void): Promise<WatchedFolder> {
  const dirs = makeFolderDirs();
  populate(dirs.root);
  return openWatched(dirs, { watch: false });
}

/** A whole-second mtime, so that it can be put back exactly (a Date keeps only ms). */
const MTIME_S = 1_600_000_000;

function setMtime(file: string, seconds = MTIME_S): void {
  utimesSync(file, seconds, seconds);
}

/** Overwrites `file` in place with other bytes of the same size, keeping its mtime. */
function rewriteKeepingStat(file: string, data: string): void {
  const before = lstatSync(file);
  expect(before.mtimeMs).toBe(MTIME_S * 1000);
  expect(Buffer.byteLength(data)).toBe(before.size);
  const fd = openSync(file, 'r+');
  writeSync(fd, data, 0);
  closeSync(fd);
  setMtime(file);
  const after = lstatSync(file);
  expect([after.size, after.mtimeMs, after.ino]).toEqual([before.size, before.mtimeMs, before.ino]);
}

describe('scanner', () => {
  it('records version 1 with every file, directory and symlink, their size, mtime and mode', async () => {
    const outside = makeTempDir('lanfold-outside-');
    writeFileSync(path.join(outside, 'not-ours.txt'), 'outside');
    const w = await scanned((root) => {
      mkdirSync(path.join(root, 'docs/deep'), { recursive: true });
      mkdirSync(path.join(root, 'empty dir'));
      writeFileSync(path.join(root, 'docs/a.txt'), 'alpha\n');
      writeFileSync(path.join(root, 'docs/deep/b.bin'), Buffer.alloc(300_000, 7));
      writeFileSync(path.join(root, 'zero'), '');
      writeFileSync(path.join(root, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
      chmodSync(path.join(root, 'run.sh'), 0o755);
      chmodSync(path.join(root, 'docs/deep'), 0o750);
      utimesSync(path.join(root, 'docs/a.txt'), 1_600_000_000.25, 1_600_000_000.25);
      symlinkSync('docs/a.txt', path.join(root, 'link to file'));
      symlinkSync(outside, path.join(root, 'link to outside'));
      symlinkSync('nowhere', path.join(root, 'dangling'));
    });
    expect(w.folder.head()).toBe(1);
    expect(w.versions.map((v) => [v.seq, v.origin, v.method])).toEqual([
      [1, 'initial-scan', 'scan'],
    ]);
    const expected = [
      'dangling',
      'docs',
      'docs/a.txt',
      'docs/deep',
      'docs/deep/b.bin',
      'empty dir',
      'link to file',
      'link to outside',
      'run.sh',
      'zero',
    ];
    const ops = w.folder.log.operations(1);
    expect(opsOf(ops)).toEqual(expected.map((p) => `add ${p}`));
    expect(w.folder.log.version(1)!.changes).toBe(expected.length);
    for (const e of ops) {
      const full = path.join(w.root, e.path);
      const st = lstatSync(full);
      const kind = st.isSymbolicLink() ? 'symlink' : st.isDirectory() ? 'dir' : 'file';
      expect(e.kind, e.path).toBe(kind);
      expect(e.mode, e.path).toBe(st.mode & 0o7777);
      expect(e.ino, e.path).toBe(st.ino);
      if (kind === 'file') {
        expect(e.size, e.path).toBe(st.size);
        expect(e.mtimeMs, e.path).toBe(st.mtimeMs);
        expect(e.hash, e.path).toBe((await digestFile(full)).hash);
      } else {
        expect(e.hash, e.path).toBeNull();
      }
    }
    const at = (p: string) => w.folder.log.entryAt(toRelPath(p), 1)!;
    expect(at('docs/a.txt').mtimeMs).toBe(1_600_000_000_250);
    expect(at('docs/deep').mode).toBe(0o750);
    expect(at('run.sh').mode).toBe(0o755);
    expect(at('zero').size).toBe(0);
    expect(at('docs/deep/b.bin').size).toBe(300_000);
    expect(at('link to outside').target).toBe(outside);
    expect(at('dangling').target).toBe('nowhere');
  });

  it('records nothing when a rescan finds nothing changed', async () => {
    const w = await scanned((root) => {
      mkdirSync(path.join(root, 'd'));
      writeFileSync(path.join(root, 'd/x.txt'), 'x');
      symlinkSync('d/x.txt', path.join(root, 'l'));
    });
    for (let i = 0; i < 3; i++) expect(await w.folder.rescan()).toBeUndefined();
    expect(w.folder.head()).toBe(1);
  });

  it('skips a file whose size, mtime and inode are unchanged, without reading it', async () => {
    const w = await scanned((root) => {
      writeFileSync(path.join(root, 'same.txt'), 'original content\n');
      writeFileSync(path.join(root, 'other.txt'), 'other\n');
      setMtime(path.join(root, 'same.txt'));
    });
    const file = path.join(w.root, 'same.txt');
    const recorded = w.folder.log.entryAt(toRelPath('same.txt'), 1)!.hash;
    // Other bytes, same size, mtime put back: the quick check cannot see it, so it must not
    // have read the file (had it read it, the new hash would be recorded).
    rewriteKeepingStat(file, 'altered content!\n');
    expect(await w.folder.rescan()).toBeUndefined();
    expect(w.folder.head()).toBe(1);
    // Once the mtime moves, the file is read again and its real content recorded.
    setMtime(file, MTIME_S + 2);
    const v2 = await w.folder.rescan();
    expect(v2?.seq).toBe(2);
    expect(v2?.origin).toBe('rescan');
    expect(opsOf(w.folder.log.operations(2))).toEqual(['modify same.txt']);
    const e = w.folder.log.entryAt(toRelPath('same.txt'), 2)!;
    expect(e.hash).not.toBe(recorded);
    expect(e.hash).toBe((await digestFile(file)).hash);
    expect(e.mtimeMs).toBe(lstatSync(file).mtimeMs);
  });

  it('reads a file again when its size or its inode changes, and records only real changes', async () => {
    const w = await scanned((root) => {
      writeFileSync(path.join(root, 'grows.txt'), 'abc');
      writeFileSync(path.join(root, 'replaced.txt'), 'first version\n');
      writeFileSync(path.join(root, 'untouched.txt'), 'untouched\n');
      for (const f of ['grows.txt', 'replaced.txt']) setMtime(path.join(root, f));
    });
    // Size: one byte more, mtime put back.
    const grows = path.join(w.root, 'grows.txt');
    writeFileSync(grows, 'abcd');
    setMtime(grows);
    expect(lstatSync(grows).mtimeMs).toBe(MTIME_S * 1000);
    // Inode: a new file of the same size with the old mtime renamed over the old one.
    const replaced = path.join(w.root, 'replaced.txt');
    const old = lstatSync(replaced);
    const tmp = path.join(w.root, '.replaced.tmp');
    writeFileSync(tmp, 'other version\n');
    setMtime(tmp);
    renameSync(tmp, replaced);
    expect(lstatSync(replaced).mtimeMs).toBe(old.mtimeMs);
    expect(lstatSync(replaced).ino).not.toBe(old.ino);
    expect(lstatSync(replaced).size).toBe(old.size);

    const v2 = await w.folder.rescan();
    expect(v2?.seq).toBe(2);
    expect(opsOf(w.folder.log.operations(2))).toEqual(['modify grows.txt', 'modify replaced.txt']);
    for (const f of [grows, replaced])
      expect(w.folder.log.entryAt(toRelPath(path.basename(f)), 2)!.hash).toBe(
        (await digestFile(f)).hash,
      );
    expect(await w.folder.rescan()).toBeUndefined();
  });
});
