/**
 * Builds the renderer for the end-to-end tests, as `npm run build:renderer` does, and puts
 * the result in renderer/dist (where the daemon serves it from). Vite runs in a child
 * process with a clean environment (vitest's NODE_ENV=test would make it bundle React's
 * development build). The build goes to a scratch directory first and is then moved into
 * renderer/dist file by file, index.html last, so a daemon serving the old build is never
 * left without a page.
 *
 * Several e2e files run at the same time (vitest's workers): within one `vitest run`
 * (LANFOLD_TEST_RUN_ID, set in vitest.config.ts) the first of them builds, under a lock
 * file, and the others wait for that build and use it.
 */
import { spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPO_ROOT } from '../helpers/cli.js';

export const RENDERER_DIST = path.join(REPO_ROOT, 'renderer', 'dist');
const OUTPUT = path.join(REPO_ROOT, 'test-output');
/** Per process: two builds at once never share a scratch directory. */
const SCRATCH = path.join(OUTPUT, `e2e-renderer-build-${process.pid}`);
/** The id of the test run whose build renderer/dist holds. */
const BUILT_BY = path.join(OUTPUT, 'e2e-renderer-build.run');

function run(args: readonly string[], timeoutMs: number): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.NODE_ENV;
  delete env.NODE_OPTIONS;
  delete env.VITEST;
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (out += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`vite build exited ${code}\n${out}`));
    });
  });
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Builds the renderer and installs it in renderer/dist, once per test run (see above);
 * returns Vite's output (empty when this run had built it already).
 */
export async function buildRenderer(): Promise<string> {
  const runId = process.env.LANFOLD_TEST_RUN_ID;
  if (!runId) return build();
  mkdirSync(OUTPUT, { recursive: true });
  const lock = path.join(OUTPUT, `e2e-renderer-build-${runId}.lock`);
  const deadline = Date.now() + 300_000;
  for (;;) {
    if (readText(BUILT_BY) === runId) return '';
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      // Another file of this run is building: wait for it (or for its lock to go, if it failed).
      if (Date.now() > deadline) throw new Error(`waited 300 s for ${lock} to go`);
      await sleep(200);
      continue;
    }
    closeSync(fd);
    try {
      const out = await build();
      writeFileSync(BUILT_BY, runId);
      return out;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}

async function build(): Promise<string> {
  rmSync(SCRATCH, { recursive: true, force: true });
  const vite = path.join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const out = await run(
    [
      vite,
      'build',
      '--config',
      'renderer/vite.config.ts',
      '--outDir',
      SCRATCH,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    240_000,
  );
  if (!existsSync(path.join(SCRATCH, 'index.html')))
    throw new Error(`vite build made no index.html\n${out}`);
  install(SCRATCH, RENDERER_DIST);
  rmSync(SCRATCH, { recursive: true, force: true });
  return out;
}

/** Copies a build into `dest`: assets first, index.html last (by rename), then drops old assets. */
function install(src: string, dest: string): void {
  mkdirSync(path.join(dest, 'assets'), { recursive: true });
  const fresh = new Set(readdirSync(path.join(src, 'assets')));
  for (const name of fresh)
    copyFileSync(path.join(src, 'assets', name), path.join(dest, 'assets', name));
  copyFileSync(path.join(src, 'index.html'), path.join(dest, 'index.html.new'));
  renameSync(path.join(dest, 'index.html.new'), path.join(dest, 'index.html'));
  for (const name of readdirSync(path.join(dest, 'assets')))
    if (!fresh.has(name)) rmSync(path.join(dest, 'assets', name), { force: true });
}
