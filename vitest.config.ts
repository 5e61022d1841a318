import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest (measured on the 2-core CI runner), longest first. They start
 * first, so that the two workers do not end with one of them running a long file alone.
 * Every other file keeps vitest's own order (its recorded durations, else larger files first).
 */
const LONGEST_FIRST = [
  'test/integration/replication-atomic-view-reader.test.ts',
  'test/e2e/ui.test.ts',
  'test/integration/cli-errors.test.ts',
  'test/integration/relay-tree.test.ts',
  'test/integration/replication-twophase.test.ts',
  'test/integration/netns-pairing.test.ts',
  'test/e2e/pairing-cli.test.ts',
  'test/e2e/ui-twophase.test.ts',
  'test/integration/replication-converge.test.ts',
  'test/integration/relay-fanout.test.ts',
  'test/integration/replication-atomic-view.test.ts',
  'test/integration/replication-twophase-crash.test.ts',
  'test/e2e/pairing-ui.test.ts',
];

class LongestFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONGEST_FIRST.indexOf(path.relative(f.project.config.root, f.moduleId));
      return i === -1 ? LONGEST_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the files not listed keep vitest's order.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // The renderer's own unit tests live beside it (renderer/test), typed by its tsconfig.
    include: ['test/**/*.test.ts', 'renderer/test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker fewer than the cores: a single worker on the 2-core CI
    // runner. Most of the integration tests' time is spent waiting on daemons (the CPU is
    // about half idle), so two files run side by side.
    maxWorkers: 2,
    sequence: { sequencer: LongestFirstSequencer },
    // One id per `vitest run`, shared by its workers (the e2e tests build the renderer once per run).
    env: { LANFOLD_TEST_RUN_ID: randomUUID() },
    reporters: ['default'],
  },
});
