import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { stageInline, type InlineFile } from '../../../../main/engine/replica/inline-stager.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

describe('stageInline', () => {
  const tempDir = useTempDirs();

  const file = (
    dir: string,
    name: string,
    data: string,
    mode = 0o644,
    mtimeMs = 1_600_000_000_000,
  ): InlineFile => ({
    part: path.join(dir, `${name}.part`),
    done: path.join(dir, `${name}.ok`),
    data: Buffer.from(data),
    mode,
    mtimeMs,
  });

  it('writes every file in batches, makes the directory, and sets mode and mtime', async () => {
    const dir = path.join(tempDir('stage'), 'staging');
    // More files and bytes than one batch holds (256 files, 4 MiB).
    const files = Array.from({ length: 700 }, (_, i) =>
      file(
        dir,
        `h${i}`,
        `${i}:`.padEnd(i === 5 ? 5 * 1024 * 1024 : 10, 'x'),
        i % 2 ? 0o600 : 0o640,
        1_600_000_000_000 + i * 1000,
      ),
    );
    let bytes = 0;
    await stageInline(dir, files, (n) => (bytes += n));
    for (const f of files) {
      expect(existsSync(f.part)).toBe(false);
      expect(readFileSync(f.done).equals(f.data)).toBe(true);
      const st = statSync(f.done);
      expect(st.mode & 0o7777).toBe(f.mode);
      expect(st.mtimeMs).toBe(f.mtimeMs);
    }
    expect(bytes).toBe(files.reduce((n, f) => n + f.data.length, 0));
  });

  it('replaces a read-only partial file, and re-stamps content staged before', async () => {
    const dir = tempDir('stage');
    const cut = file(dir, 'cut', 'new content', 0o644);
    writeFileSync(cut.part, 'a longer partial file left by a cut');
    chmodSync(cut.part, 0o444);
    const before = file(dir, 'before', 'staged earlier', 0o600, 1_700_000_000_000);
    writeFileSync(before.done, 'staged earlier');
    chmodSync(before.done, 0o400);
    await stageInline(dir, [cut, before]);
    expect(readFileSync(cut.done, 'utf8')).toBe('new content');
    expect(statSync(before.done).mode & 0o7777).toBe(0o600);
    expect(statSync(before.done).mtimeMs).toBe(1_700_000_000_000);
  });

  it('reports the first file it could not stage, after every batch has finished', async () => {
    const dir = tempDir('stage');
    mkdirSync(path.join(dir, 'blocked.ok'));
    writeFileSync(path.join(dir, 'blocked.ok', 'x'), 'a directory where the staged file goes');
    const files = [file(dir, 'a', 'a'), file(dir, 'blocked', 'b'), file(dir, 'c', 'c')];
    await expect(stageInline(dir, files)).rejects.toThrow(/staging .*blocked\.ok failed/);
    expect(readFileSync(path.join(dir, 'c.ok'), 'utf8')).toBe('c');
  });
});
