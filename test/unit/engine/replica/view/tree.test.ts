import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readlinkSync,
  existsSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linkTree, removeTree } from '../../../../../main/engine/replica/view/tree.js';
import { makeTempDir, removeTempDirs } from '../../../../helpers/temp.js';

afterEach(removeTempDirs);

describe('linkTree', () => {
  it('recreates directories, hard-links files and symlinks, and skips top-level names', () => {
    const base = makeTempDir();
    const from = path.join(base, 'from');
    mkdirSync(path.join(from, 'd', 'e'), { recursive: true });
    mkdirSync(path.join(from, '.skip'));
    writeFileSync(path.join(from, 'd', 'e', 'f'), 'x');
    writeFileSync(path.join(from, '.skip', 'g'), 'y');
    symlinkSync('d/e/f', path.join(from, 'link'));
    chmodSync(path.join(from, 'd'), 0o555);
    const seen: number[] = [];
    const n = linkTree(from, path.join(base, 'to'), new Set(['.skip']), (c) => seen.push(c));
    expect(n).toBe(2);
    expect(seen).toEqual([1, 2]);
    const to = path.join(base, 'to');
    expect(lstatSync(path.join(to, 'd', 'e', 'f')).ino).toBe(
      lstatSync(path.join(from, 'd', 'e', 'f')).ino,
    );
    expect(lstatSync(path.join(to, 'd', 'e', 'f')).nlink).toBe(2);
    expect(readlinkSync(path.join(to, 'link'))).toBe('d/e/f');
    expect(lstatSync(path.join(to, 'd')).mode & 0o777).toBe(0o555);
    expect(existsSync(path.join(to, '.skip'))).toBe(false);
    removeTree(to);
    expect(existsSync(to)).toBe(false);
    expect(existsSync(path.join(from, 'd', 'e', 'f'))).toBe(true);
  });
});
