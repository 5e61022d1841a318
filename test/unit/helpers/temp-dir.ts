/** Temporary directories for unit tests: one per test, removed after it. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * Registers an afterEach hook that removes every directory made by the returned function
 * during the test. Call it once at the top of a describe block.
 */
export function useTempDirs(): (label?: string) => string {
  const made: string[] = [];
  afterEach(() => {
    for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return (label = 'lanfold') => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `${label}-`));
    made.push(dir);
    return dir;
  };
}
