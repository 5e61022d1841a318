import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The renderer's own unit tests live beside it (renderer/test), typed by its tsconfig.
    include: ['test/**/*.test.ts', 'renderer/test/**/*.test.{ts,tsx}'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
