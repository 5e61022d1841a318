/**
 * `npm run bench -- latency`: the time from writing a small file in a master folder to its
 * version being committed — where propagation starts (issue 2's target: under 100 ms once
 * the file is stable). Measured twice on the same kind of folder: in-process (a MasterFolder
 * with its watcher, the commit seen by `onVersion`) and through the real daemon (`lanfold
 * start`, the commit seen as its "vN recorded" line on stdout). Three kinds of write are
 * alternated: a new file, an in-place overwrite, an editor's atomic save (temp file renamed
 * over). Each sample waits for its version, checks that the version holds exactly the
 * expected operation, then pauses so that samples never share a batch.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DEFAULT_FOLDER_SETTINGS } from '../main/engine/folder-settings.js';
import { MasterFolder } from '../main/engine/master-folder.js';
import { VersionLog } from '../main/engine/store/version-log.js';
import {
  benchOptions,
  cpuPressure,
  fmt,
  formatTable,
  gitRevision,
  LANFOLD_CLI,
  loadAverage,
  makeScratchDir,
  removeOnExit,
  REPO_ROOT,
  writeJsonResult,
} from './lib.js';
import { percentile, sleep } from './sync-tools.js';

export const summary =
  'write of a small file -> its version committed on the master (in-process and daemon; target < 100 ms)';

const USAGE = `usage: npm run bench -- latency [options]

  --samples N   samples per kind of write and per mode (default 30)
  --files N     small files already in the folder (default 1000)
  --size N      bytes written per sample (default 1024)
  --out FILE    JSON results (default bench/results/latency-latest.json; "-" for none)
`;

const TARGET_MS = 100;
const KINDS = ['new file', 'overwrite', 'atomic save'] as const;
type Kind = (typeof KINDS)[number];
type Mode = 'engine' | 'daemon';

interface Options {
  readonly samples: number;
  readonly files: number;
  readonly size: number;
  readonly out: string | undefined;
}

interface Sample {
  readonly kind: Kind;
  /** From the first byte written to the commit. */
  readonly writeMs: number;
  /** From the file being complete (closed, or renamed into place) to the commit. */
  readonly stableMs: number;
}

function parseOptions(args: string[]): Options | string {
  const { values } = parseArgs({
    args,
    options: {
      samples: { type: 'string', default: '30' },
      files: { type: 'string', default: '1000' },
      size: { type: 'string', default: '1024' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return USAGE;
  const int = (name: string, raw: string, min: number, max: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new Error(`--${name} takes a whole number in ${min}..${max}, not "${raw}"`);
    return n;
  };
  return {
    samples: int('samples', values.samples, 1, 1000),
    files: int('files', values.files, 0, 1_000_000),
    size: int('size', values.size, 0, 1024 * 1024),
    out:
      values.out === '-'
        ? undefined
        : (values.out ?? path.join(REPO_ROOT, 'bench/results/latency-latest.json')),
  };
}

/** Makes `files` small files in directories of 100 below `root`. */
function populate(root: string, files: number): void {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n`);
  }
  mkdirSync(path.join(root, 'bench'), { recursive: true });
}

/** Writes one sample's change; returns the time it was complete on disk. */
function write(root: string, kind: Kind, index: number, size: number): number {
  const data = Buffer.alloc(size, `sample ${index} ${kind}\n`);
  if (kind === 'new file') {
    writeFileSync(path.join(root, 'bench', `new-${index}.txt`), data);
  } else if (kind === 'overwrite') {
    writeFileSync(path.join(root, 'bench', 'edited.txt'), data);
  } else {
    // As editors save: write a temporary file, flush it, rename it over the target.
    const tmp = path.join(root, 'bench', `.saved.txt.tmp-${index}`);
    const fd = openSync(tmp, 'w', 0o644);
    writeFileSync(fd, data);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path.join(root, 'bench', 'saved.txt'));
  }
  return performance.now();
}

/** The one operation a sample's version must hold. */
function expectedOp(kind: Kind, index: number, existed: boolean): string {
  if (kind === 'new file') return `add bench/new-${index}.txt`;
  const name = kind === 'overwrite' ? 'bench/edited.txt' : 'bench/saved.txt';
  return `${existed ? 'modify' : 'add'} ${name}`;
}

/**
 * Runs the samples against one folder: `commits` resolves with the time of the next
 * commit after it is called, `opsOf` gives a version's operations.
 */
async function measure(
  root: string,
  options: Options,
  nextCommit: () => Promise<{ seq: number; at: number }>,
  opsOf: (seq: number) => string[],
): Promise<Sample[]> {
  const samples: Sample[] = [];
  const existed = new Set<Kind>();
  for (let i = 0; i < options.samples * KINDS.length; i++) {
    const kind = KINDS[i % KINDS.length]!;
    const commit = nextCommit();
    const t0 = performance.now();
    const stable = write(root, kind, i, options.size);
    const { seq, at } = await commit;
    const ops = opsOf(seq);
    const want = expectedOp(kind, i, existed.has(kind));
    if (ops.length !== 1 || ops[0] !== want)
      throw new Error(`v${seq} holds ${JSON.stringify(ops)}, expected ["${want}"]`);
    existed.add(kind);
    samples.push({ kind, writeMs: at - t0, stableMs: at - stable });
    await sleep(150); // longer than the batch's quiet time: the next sample is a batch of its own
  }
  return samples;
}

/** Resolves with the next value pushed, or rejects after `timeoutMs`. */
class NextEvent<T> {
  private waiting: ((value: T) => void) | undefined;

  push(value: T): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.(value);
  }

  next(timeoutMs: number, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${what} in ${timeoutMs} ms`)), timeoutMs);
      this.waiting = (value) => {
        clearTimeout(timer);
        resolve(value);
      };
    });
  }
}

function opsOfLog(log: VersionLog, seq: number): string[] {
  return log.operations(seq).map((e) => `${e.op} ${e.path}`);
}

async function engineRun(base: string, options: Options): Promise<Sample[]> {
  const root = path.join(base, 'engine-folder');
  mkdirSync(root);
  populate(root, options.files);
  const commits = new NextEvent<{ seq: number; at: number }>();
  const folder = new MasterFolder({
    id: 'bench',
    root,
    dataDir: path.join(base, 'engine-data'),
    settings: DEFAULT_FOLDER_SETTINGS,
    onVersion: (v) => commits.push({ seq: v.seq, at: performance.now() }),
  });
  try {
    await folder.start({ watch: true });
    await folder.idle();
    return await measure(
      root,
      options,
      () => commits.next(10_000, 'commit'),
      (seq) => opsOfLog(folder.log, seq),
    );
  } finally {
    await folder.close();
  }
}

/** Runs one `lanfold` command to completion; throws with its output unless it exits 0. */
function lanfold(state: string, args: readonly string[]): void {
  const r = spawnSync(process.execPath, [LANFOLD_CLI, '--state', state, ...args], {
    env: DAEMON_ENV,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new Error(`lanfold ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
}

/** No LAN discovery, no inherited state directory. */
const DAEMON_ENV: NodeJS.ProcessEnv = (() => {
  const env: NodeJS.ProcessEnv = { ...process.env, LANFOLD_DISCOVERY: 'off' };
  delete env.LANFOLD_STATE;
  return env;
})();

async function daemonRun(base: string, options: Options): Promise<Sample[]> {
  const root = path.join(base, 'daemon-folder');
  const state = path.join(base, 'daemon-state');
  mkdirSync(root);
  populate(root, options.files);
  lanfold(state, ['init', '--name', 'bench', '--listen', '127.0.0.1:0', '--gui', '127.0.0.1:0']);
  lanfold(state, ['folder', 'add', root, '--master', '--id', 'bench']);
  const daemon = spawn(process.execPath, [LANFOLD_CLI, '--state', state, 'start'], {
    env: DAEMON_ENV,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => daemon.once('close', resolve));
  let stderr = '';
  daemon.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const ready = new NextEvent<true>();
  const commits = new NextEvent<{ seq: number; at: number }>();
  let pending = '';
  daemon.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const at = performance.now();
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line === 'READY') ready.push(true);
      const m = /^bench: v(\d+) recorded/.exec(line);
      if (m) commits.push({ seq: Number(m[1]), at });
    }
  });
  let log: VersionLog | undefined;
  try {
    await Promise.race([
      ready.next(120_000, 'READY from the daemon'),
      exited.then((code) => {
        throw new Error(`the daemon exited (${code}) before READY: ${stderr}`);
      }),
    ]);
    await sleep(500); // the first scan's content retention starts now; let it get going
    log = new VersionLog(path.join(state, 'folders', 'bench', 'log.db'), { readonly: true });
    const readLog = log;
    return await measure(
      root,
      options,
      () => commits.next(10_000, '"recorded" line'),
      (seq) => opsOfLog(readLog, seq),
    );
  } finally {
    log?.close();
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon.kill('SIGKILL'), 30_000);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) process.stderr.write(`the daemon stopped with ${code}: ${stderr}\n`);
  }
}

function rows(mode: Mode, samples: readonly Sample[]): string[][] {
  const out: string[][] = [];
  for (const kind of [...KINDS, 'all'] as const) {
    const of = samples.filter((s) => kind === 'all' || s.kind === kind);
    const stable = of.map((s) => s.stableMs);
    const p50 = percentile(stable, 50);
    out.push([
      mode,
      kind,
      String(of.length),
      fmt(p50),
      fmt(percentile(stable, 90)),
      fmt(Math.max(...stable)),
      fmt(
        percentile(
          of.map((s) => s.writeMs),
          50,
        ),
      ),
      p50 !== null && p50 < TARGET_MS ? 'yes' : 'no',
    ]);
  }
  return out;
}

export async function run(args: string[]): Promise<number> {
  const options = benchOptions(args, parseOptions, () => USAGE);
  if (typeof options === 'number') return options;
  const base = makeScratchDir('lanfold-bench-latency');
  const cleanup = removeOnExit(base);
  const before = { load: loadAverage(), cpuPressure: cpuPressure() };
  try {
    process.stdout.write(
      `${options.samples} samples per kind, ${options.size}-byte writes, ${options.files} files in the folder, batch quiet time ${DEFAULT_FOLDER_SETTINGS.batchQuietMs} ms; load ${before.load}, CPU pressure ${before.cpuPressure ?? '?'}%\n`,
    );
    const engine = await engineRun(base, options);
    const daemon = await daemonRun(base, options);
    const after = { load: loadAverage(), cpuPressure: cpuPressure() };
    const table = [
      [
        'mode',
        'write',
        'samples',
        'stable→commit p50 ms',
        'p90 ms',
        'max ms',
        'write→commit p50 ms',
        `p50 < ${TARGET_MS} ms`,
      ],
      ...rows('engine', engine),
      ...rows('daemon', daemon),
    ];
    process.stdout.write(
      `${formatTable(table)}\nload ${before.load} -> ${after.load}, CPU pressure ${before.cpuPressure ?? '?'}% -> ${after.cpuPressure ?? '?'}%\n`,
    );
    if (options.out)
      await writeJsonResult(options.out, {
        benchmark: 'latency',
        revision: gitRevision(),
        date: new Date().toISOString(),
        before,
        after,
        options: { samples: options.samples, files: options.files, size: options.size },
        batchQuietMs: DEFAULT_FOLDER_SETTINGS.batchQuietMs,
        engine,
        daemon,
      });
    return 0;
  } finally {
    cleanup();
  }
}
