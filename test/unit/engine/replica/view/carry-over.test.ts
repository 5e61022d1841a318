import { mkdirSync, readFileSync, existsSync, writeFileSync, linkSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { carryOver } from '../../../../../main/engine/replica/view/carry-over.js';
import { makeTempDir, removeTempDirs } from '../../../../helpers/temp.js';

afterEach(removeTempDirs);

function pair(): { oldDir: string; newDir: string } {
  const base = makeTempDir();
  const oldDir = path.join(base, 'v1');
  const newDir = path.join(base, 'v2');
  mkdirSync(path.join(oldDir, 'sub'), { recursive: true });
  mkdirSync(path.join(newDir, 'sub'), { recursive: true });
  writeFileSync(path.join(oldDir, 'kept.txt'), 'k');
  linkSync(path.join(oldDir, 'kept.txt'), path.join(newDir, 'kept.txt'));
  return { oldDir, newDir };
}

describe('carryOver', () => {
  it('moves files and directories created in the old directory during the build', () => {
    const { oldDir, newDir } = pair();
    writeFileSync(path.join(oldDir, 'sub', 'late.txt'), 'late');
    mkdirSync(path.join(oldDir, 'newdir'));
    writeFileSync(path.join(oldDir, 'newdir', 'x'), 'x');
    const moved = carryOver(oldDir, newDir, { touched: new Set(), tracked: () => false });
    expect(moved.sort()).toEqual(['newdir', 'sub/late.txt']);
    expect(readFileSync(path.join(newDir, 'sub', 'late.txt'), 'utf8')).toBe('late');
    expect(readFileSync(path.join(newDir, 'newdir', 'x'), 'utf8')).toBe('x');
  });

  it('moves a tracked file replaced by a newer one, but leaves shared and touched paths alone', async () => {
    const { oldDir, newDir } = pair();
    writeFileSync(path.join(oldDir, 'touched.txt'), 'old');
    writeFileSync(path.join(newDir, 'touched.txt'), 'version');
    writeFileSync(path.join(newDir, 'replaced.txt'), 'as applied');
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(path.join(oldDir, 'replaced.new'), 'saved by an editor');
    renameSync(path.join(oldDir, 'replaced.new'), path.join(oldDir, 'replaced.txt'));
    const moved = carryOver(oldDir, newDir, {
      touched: new Set(['touched.txt']),
      tracked: () => true,
    });
    expect(moved).toEqual(['replaced.txt']);
    expect(readFileSync(path.join(newDir, 'replaced.txt'), 'utf8')).toBe('saved by an editor');
    expect(readFileSync(path.join(newDir, 'touched.txt'), 'utf8')).toBe('version');
    expect(existsSync(path.join(oldDir, 'kept.txt'))).toBe(true);
  });

  it('does not bring back a tracked file deleted in the new directory', () => {
    const { oldDir, newDir } = pair();
    writeFileSync(path.join(oldDir, 'deleted.txt'), 'd');
    expect(carryOver(oldDir, newDir, { touched: new Set(), tracked: () => true })).toEqual([]);
    expect(existsSync(path.join(newDir, 'deleted.txt'))).toBe(false);
  });
});
