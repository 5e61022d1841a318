import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { toRelPath, type RelPath } from '../../../../main/engine/relpath.js';
import {
  localState,
  underMissingDir,
  unsafeWrite,
} from '../../../../main/engine/replica/fs-safety.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

describe('underMissingDir', () => {
  const tempDir = useTempDirs();
  const rel = (p: string) => toRelPath(p);

  it('is true below a directory that does not exist, and remembers what it found', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'a'));
    const dirs = new Map<RelPath, boolean>();
    expect(underMissingDir(root, rel('a/b/c/file.txt'), dirs)).toBe(true);
    expect([...dirs]).toEqual([
      ['a', true],
      ['a/b', false],
    ]);
    // what the pass learnt answers the next path below it without looking again
    mkdirSync(path.join(root, 'a', 'b'));
    expect(underMissingDir(root, rel('a/b/other.txt'), dirs)).toBe(true);
    expect(underMissingDir(root, rel('a/b/other.txt'), new Map())).toBe(false);
    // and agrees with localState, which looks at the path itself
    expect(localState(root, rel('a/x/y.txt'), undefined, () => false)).toBe('missing');
    expect(underMissingDir(root, rel('a/x/y.txt'), new Map())).toBe(true);
  });

  it('is false when every ancestor exists, or for a top-level path', () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'a', 'b'), { recursive: true });
    expect(underMissingDir(root, rel('a/b/file.txt'), new Map())).toBe(false);
    expect(underMissingDir(root, rel('top.txt'), new Map())).toBe(false);
  });

  it('is false when an ancestor is a symlink or a file, so the caller still refuses the path', () => {
    const root = tempDir();
    const outside = tempDir();
    mkdirSync(path.join(outside, 'real'));
    symlinkSync(outside, path.join(root, 'link'));
    writeFileSync(path.join(root, 'plain'), 'x');
    // 'link/missing' does not exist behind the link either: the link decides, not what lies behind
    expect(underMissingDir(root, rel('link/missing/f.txt'), new Map())).toBe(false);
    expect(unsafeWrite(root, rel('link/missing/f.txt'))).toMatch(/symlink/);
    expect(underMissingDir(root, rel('plain/f.txt'), new Map())).toBe(false);
    expect(unsafeWrite(root, rel('plain/f.txt'))).toMatch(/not a directory/);
  });
});
