/**
 * `npm run bench -- master-start`: a master's cold start on 20,000 small files (1–8 KB in
 * 50 × 7 directories), each sample a fresh process (bench/master-start-worker.ts) with a fresh
 * state: engine import, first version recorded (and published), `start()` resolved (watched
 * and caught up), CPU seconds at both, and the cost of the catch-up rescan (a whole-folder
 * rescan with nothing changed). `--engine DIR` runs another build's `dist/main/engine` with
 * the same harness and data, to compare revisions.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  fmt,
  formatTable,
  gitRevision,
  loadAverage,
  makeScratchDir,
  median,
  removeOnExit,
  runNodeWorker,
  writeJsonResult,
} from './lib.js';
import type { MasterStartResult } from './master-start-worker.js';

export const summary =
  'master cold start on 20,000 small files: first version, watched, CPU, catch-up rescan';

const USAGE = `usage: npm run bench -- master-start [options]

  --files N       small files to generate (default 20000)
  --repeat N      samples (fresh process, fresh state each; default 3)
  --engine DIR    the dist/main/engine of another build to run instead of this one
  --out FILE      JSON results (default: none)
`;

/** `files` files of 1–8 KB of text, in 50 × 7 directories. */
function generate(root: string, files: number): void {
  const perDir = Math.ceil(files / 350);
  let n = 0;
  for (let a = 0; a < 50; a++)
    for (let b = 0; b < 7; b++) {
      const dir = path.join(root, `d${a}`, `e${b}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perDir && n < files; i++, n++) {
        const size = 1024 + ((n * 7919) % 7168);
        writeFileSync(path.join(dir, `f${i}.txt`), `${n} `.repeat(size).slice(0, size));
      }
    }
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      files: { type: 'string', default: '20000' },
      repeat: { type: 'string', default: '3' },
      engine: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const files = Number(values.files);
  const repeat = Number(values.repeat);
  if (!Number.isInteger(files) || files < 1 || !Number.isInteger(repeat) || repeat < 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  const work = makeScratchDir('lanfold-bench-master-start');
  const cleanup = removeOnExit(work);
  try {
    const root = path.join(work, 'folder');
    generate(root, files);
    const loadBefore = loadAverage();
    const samples: MasterStartResult[] = [];
    for (let i = 0; i < repeat; i++) {
      const data = mkdtempSync(path.join(work, 'state-'));
      const extra = values.engine ? ['--engine', path.resolve(values.engine)] : [];
      const { result } = runNodeWorker('./master-start-worker.js', [
        '--root',
        root,
        '--data',
        data,
        ...extra,
      ]);
      samples.push(result as MasterStartResult);
      rmSync(data, { recursive: true, force: true });
    }
    const loadAfter = loadAverage();
    const figures: [string, (r: MasterStartResult) => number | null][] = [
      ['engine import s', (r) => r.importS],
      ['first version s', (r) => r.firstVersionS],
      ['CPU s at first version', (r) => r.firstVersionCpuS],
      ['start() resolved s', (r) => r.startedS],
      ['CPU s at start()', (r) => r.startedCpuS],
      ['catch-up rescan s', (r) => r.rescanS],
      ['catch-up rescan CPU s', (r) => r.rescanCpuS],
      ['RSS MiB', (r) => r.rssMiB],
    ];
    const rows = figures.map(([name, get]) => {
      const xs = samples.map(get).filter((x): x is number => x !== null);
      return [name, fmt(median(xs)), xs.map((x) => fmt(x)).join(' ')];
    });
    process.stdout.write(
      `master start-up, ${files} files, ${values.engine ?? 'this build'} (revision ${gitRevision()}), load average ${fmt(loadBefore)} before, ${fmt(loadAfter)} after\n` +
        `${formatTable([['figure', 'median', 'samples'], ...rows])}\n`,
    );
    if (values.out) {
      await writeJsonResult(values.out, {
        files,
        engine: values.engine ?? null,
        revision: gitRevision(),
        loadBefore,
        loadAfter,
        samples,
      });
    }
    return 0;
  } finally {
    cleanup();
  }
}
