/** Temporary directories for tests, all removed by `removeTempDirs()` (call it in afterEach/afterAll). */
import { chmodSync, mkdtempSync, readdirSync, rmSync, lstatSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const created = new Set<string>();

/** A fresh empty directory under the system temp directory, with its real path. */
export function makeTempDir(prefix = 'lanfold-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  created.add(dir);
  return dir;
}

/** Gives back search and read rights a test took away, so that the tree can be removed. */
function restorePermissions(dir: string): void {
  try {
    chmodSync(dir, 0o700);
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (lstatSync(full).isDirectory()) restorePermissions(full);
    }
  } catch {
    // Best effort: rmSync reports what is left.
  }
}

/** Removes every directory made by `makeTempDir` so far. */
export function removeTempDirs(): void {
  for (const dir of created) {
    restorePermissions(dir);
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    created.delete(dir);
  }
}
