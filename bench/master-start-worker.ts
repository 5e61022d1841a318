/**
 * One master start-up in its own process, for bench/master-start.ts:
 *
 *   node dist/bench/master-start-worker.js --root DIR --data DIR [--engine DIR]
 *
 * It opens a MasterFolder on DIR (state in --data, which should be empty), calls `start()`
 * (watcher on) and prints one JSON line (MasterStartResult). --engine loads MasterFolder from
 * another build's `dist/main/engine` (to compare two revisions with the same harness).
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type {
  MasterFolder as MasterFolderClass,
  MasterFolderOptions,
} from '../main/engine/master-folder.js';
import type { DEFAULT_FOLDER_SETTINGS as Settings } from '../main/engine/folder-settings.js';

export interface MasterStartResult {
  /** Seconds from the worker's first line: importing the engine. */
  readonly importS: number;
  /** Until the first version was recorded (handed to onVersion, which publishes it). */
  readonly firstVersionS: number | null;
  /** Until `start()` resolved: the folder watched and up to date. */
  readonly startedS: number;
  /** Process CPU seconds (user + system, all threads) at those two moments. */
  readonly firstVersionCpuS: number | null;
  readonly startedCpuS: number;
  /** A whole-folder rescan with nothing changed, right after start: what the catch-up costs. */
  readonly rescanS: number;
  readonly rescanCpuS: number;
  readonly versions: number;
  readonly rssMiB: number;
}

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const cpuS = (since = cpu0): number => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
};
const { values } = parseArgs({
  options: { root: { type: 'string' }, data: { type: 'string' }, engine: { type: 'string' } },
});
if (!values.root || !values.data) throw new Error('--root and --data are required');
const engine = values.engine ?? fileURLToPath(new URL('../main/engine/', import.meta.url));
const { MasterFolder } = (await import(
  pathToFileURL(path.join(engine, 'master-folder.js')).href
)) as {
  MasterFolder: typeof MasterFolderClass;
};
const { DEFAULT_FOLDER_SETTINGS } = (await import(
  pathToFileURL(path.join(engine, 'folder-settings.js')).href
)) as { DEFAULT_FOLDER_SETTINGS: typeof Settings };
const importS = (performance.now() - t0) / 1000;
let firstVersionS: number | null = null;
let firstVersionCpuS: number | null = null;
let versions = 0;
const options: MasterFolderOptions = {
  id: 'bench',
  root: values.root,
  dataDir: values.data,
  settings: { ...DEFAULT_FOLDER_SETTINGS },
  onVersion: () => {
    versions++;
    if (firstVersionS !== null) return;
    firstVersionS = (performance.now() - t0) / 1000;
    firstVersionCpuS = cpuS();
  },
};
const folder = new MasterFolder(options);
await folder.start();
const startedS = (performance.now() - t0) / 1000;
const startedCpuS = cpuS();
const r0 = performance.now();
const rc0 = process.cpuUsage();
await folder.rescan();
const rescanS = (performance.now() - r0) / 1000;
const rescanCpuS = cpuS(rc0);
const rssMiB = process.memoryUsage().rss / 2 ** 20;
await folder.close();
const result: MasterStartResult = {
  importS,
  firstVersionS,
  startedS,
  firstVersionCpuS,
  startedCpuS,
  rescanS,
  rescanCpuS,
  versions,
  rssMiB,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
