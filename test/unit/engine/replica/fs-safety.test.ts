import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { unsafeWrite } from '../../../../main/engine/replica/fs-safety.js';
import { toRelPath, type RelPath } from '../../../../main/engine/relpath.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

describe('unsafeWrite', () => {
  const tempDir = useTempDirs();

  it('remembers real directories of a pass, never missing ones, and stops at them', () => {
    const root = tempDir('folder');
    mkdirSync(path.join(root, 'a/b'), { recursive: true });
    const verified = new Set<string>();
    expect(unsafeWrite(root, toRelPath('a/b/new/file.txt'), verified)).toBeUndefined();
    // a/b/new does not exist yet: only the real directories are remembered.
    expect([...verified].sort()).toEqual(['a', 'a/b']);
    // A symlink made where the missing directory was is still found.
    symlinkSync(tempDir('outside'), path.join(root, 'a/b/new'));
    expect(unsafeWrite(root, toRelPath('a/b/new/file.txt'), verified)).toBe('a/b/new is a symlink');
  });

  it('refuses a path below a symlink or a file, remembering nothing of that chain', () => {
    const root = tempDir('folder');
    mkdirSync(path.join(root, 'a'));
    symlinkSync(tempDir('outside'), path.join(root, 'a/link'));
    const verified = new Set<string>();
    expect(unsafeWrite(root, toRelPath('a/link/x/y'), verified)).toBe('a/link is a symlink');
    expect(verified.size).toBe(0);
    expect(unsafeWrite(root, '../escape' as RelPath, verified)).toBeDefined();
  });

  it('checks again what a pass dropped from its set', () => {
    const root = tempDir('folder');
    mkdirSync(path.join(root, 'd'));
    const verified = new Set<string>();
    expect(unsafeWrite(root, toRelPath('d/f'), verified)).toBeUndefined();
    // The directory is replaced by a symlink (as a delete step followed by a local change
    // could do); the pass drops its set when it removes anything, and the link is found.
    rmSync(path.join(root, 'd'), { recursive: true });
    symlinkSync(tempDir('outside'), path.join(root, 'd'));
    verified.clear();
    expect(unsafeWrite(root, toRelPath('d/f'), verified)).toBe('d is a symlink');
  });
});
