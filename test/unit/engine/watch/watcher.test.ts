import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IgnoreRules } from '../../../../main/engine/ignore-rules.js';
import { silentLogger } from '../../../../main/engine/logger.js';
import type { RelPath } from '../../../../main/engine/relpath.js';
import { FolderWatcher } from '../../../../main/engine/watch/watcher.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FolderWatcher', () => {
  const tempDir = useTempDirs();

  it('reports a directory moved in once more after its watches are in place, outermost only', async () => {
    const root = tempDir('watch');
    mkdirSync(path.join(root, 'old/inner'), { recursive: true });
    writeFileSync(path.join(root, 'old/inner/f.txt'), 'x');
    mkdirSync(path.join(root, 'd'));
    const reports: { path: RelPath | undefined; at: number }[] = [];
    const watcher = new FolderWatcher(
      root,
      () => IgnoreRules.load(root),
      { onPath: (p) => reports.push({ path: p, at: performance.now() }), onError: () => {} },
      silentLogger,
      { fileWatches: false },
    );
    await watcher.start();
    try {
      const movedAt = performance.now();
      renameSync(path.join(root, 'old'), path.join(root, 'd/old'));
      // Long enough for chokidar to see the move and for the second report to come.
      for (let waited = 0; waited < 5000; waited += 100) {
        await sleep(100);
        if (reports.some((r) => r.path === 'd/old' && r.at - movedAt >= 1000)) break;
      }
      const movedIn = reports.filter((r) => r.path === 'd/old');
      expect(movedIn.length).toBeGreaterThanOrEqual(2);
      expect(movedIn.at(-1)!.at - movedIn[0]!.at).toBeGreaterThanOrEqual(1000);
      // Its subdirectory is covered by the outermost one: not reported late on its own.
      const late = reports.filter((r) => r.at - movedAt >= 1000).map((r) => r.path);
      expect(late).not.toContain('d/old/inner');
    } finally {
      await watcher.close();
    }
  });
});
