#!/usr/bin/env node
/**
 * Bundles the compiled CLI (dist/main/cli/lanfold.js and everything it imports, packages
 * included) into that same file, so that `lanfold` — the daemon, and every command — loads
 * one module instead of ~390 files: a start on the development machine took 0.63 s of wall time
 * and 0.85 s of CPU before, 0.39 s and 0.40 s after (`lanfold --version`); see
 * docs/architecture.md, "Start-up".
 *
 * Left outside: native modules (better-sqlite3 and msgpackr's optional accelerator find
 * their compiled binaries relative to their own package) and electron. The rest of dist/
 * stays as tsc wrote it (the Electron main process, the benches and the tests import it).
 */
import { build } from 'esbuild';

const entry = 'dist/main/cli/lanfold.js';

await build({
  entryPoints: [entry],
  outfile: entry,
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external: ['better-sqlite3', 'msgpackr-extract', 'electron'],
  // CommonJS packages inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as lanfoldCreateRequire } from 'node:module';\nconst require = lanfoldCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
