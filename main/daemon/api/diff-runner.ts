/**
 * Line diffs for the control API without stalling the daemon: fast-diff can take seconds on
 * large, very different texts, so anything but small inputs is diffed in a worker thread
 * that is stopped after a deadline (the answer is then "too-large"). Where no compiled
 * text-diff module is at hand (tests running the TypeScript sources), small inputs are
 * diffed in place and larger ones are reported as too large.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { diffBuffers, type TextDiffResult } from '../../engine/text-diff.js';

/** Inputs up to this many bytes (together) are diffed in the daemon's own thread. */
const IN_THREAD_BYTES = 128 * 1024;
export const DIFF_DEADLINE_MS = 5000;

/**
 * The compiled text-diff module, in the dist/ this code runs from: the compiled tree
 * (dist/main/daemon/api/) or the CLI bundle (dist/main/cli/lanfold.js, see
 * scripts/bundle-cli.mjs). None when it runs from the TypeScript sources.
 */
function compiledTextDiff(): URL | undefined {
  if (!import.meta.url.startsWith('file:')) return undefined;
  const here = fileURLToPath(import.meta.url);
  const dist = here.lastIndexOf(`${path.sep}dist${path.sep}`);
  if (dist < 0) return undefined;
  const compiled = path.join(here.slice(0, dist), 'dist', 'main', 'engine', 'text-diff.js');
  return existsSync(compiled) ? pathToFileURL(compiled) : undefined;
}

const defaultModule = compiledTextDiff();

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.module).then((m) => {
  parentPort.postMessage(m.diffBuffers(Buffer.from(workerData.a), Buffer.from(workerData.b)));
});
`;

export interface DiffOptions {
  /** Stop the worker after this long and answer "too-large" (default 5 s). */
  readonly deadlineMs?: number;
  /** The compiled text-diff module the worker loads (default: the one beside this module). */
  readonly workerModule?: URL;
}

export function diffText(a: Buffer, b: Buffer, options: DiffOptions = {}): Promise<TextDiffResult> {
  if (a.length + b.length <= IN_THREAD_BYTES) return Promise.resolve(diffBuffers(a, b));
  const module = options.workerModule ?? defaultModule;
  if (!module) return Promise.resolve({ kind: 'too-large' });
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { module: module.href, a, b },
    });
    const timer = setTimeout(() => {
      resolve({ kind: 'too-large' });
      void worker.terminate();
    }, options.deadlineMs ?? DIFF_DEADLINE_MS);
    worker.once('message', (result: TextDiffResult) => {
      clearTimeout(timer);
      resolve(result);
      void worker.terminate();
    });
    worker.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
