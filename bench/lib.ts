/**
 * Shared helpers of the benchmarks: timing external commands and Node workers in child
 * processes (so peak RSS is per run), dropping the page cache, describing the machine, and
 * printing tables. Nothing here knows a particular benchmark.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/*.ts compiles to dist/bench/*.js). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The built CLI the benchmarks start daemons with. */
export const LANFOLD_CLI = path.join(REPO_ROOT, 'dist', 'main', 'cli', 'lanfold.js');

/**
 * A benchmark's options from its arguments, or the exit code once usage, help or an error
 * was printed; also 1 when the CLI is not built.
 */
export function benchOptions<O>(
  args: string[],
  parseArgs: (args: string[]) => O | string,
  usage: () => string,
): O | number {
  let parsed: O | string;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage()}\n`);
    return 2;
  }
  if (typeof parsed === 'string') {
    process.stdout.write(`${parsed}\n`);
    return args.includes('--help') || args.includes('-h') ? 0 : 2;
  }
  if (!existsSync(LANFOLD_CLI)) {
    process.stderr.write(`${LANFOLD_CLI} missing: build first (npx tsc -p tsconfig.build.json)\n`);
    return 1;
  }
  return parsed;
}

export const MIB = 1024 * 1024;

/** What one timed child process cost. */
export interface ProcessCost {
  /** Wall time measured by the parent around the whole child process, seconds. */
  readonly seconds: number;
  /** Peak resident set size, KiB (null when /usr/bin/time is unavailable). */
  readonly maxRssKiB: number | null;
  readonly userSeconds: number | null;
  readonly systemSeconds: number | null;
  readonly stdout: string;
}

const GNU_TIME = '/usr/bin/time';

/**
 * Runs `command` with `sh -c` under GNU time; throws when it fails. Its stdout is returned
 * (redirect it inside the command when it is large and not needed).
 */
export function timeShell(command: string, scratchDir: string): ProcessCost {
  const haveTime = existsSync(GNU_TIME);
  const timeFile = path.join(scratchDir, `time-${process.pid}.txt`);
  const argv = haveTime
    ? [GNU_TIME, '-f', '%M %U %S', '-o', timeFile, 'sh', '-c', command]
    : ['sh', '-c', command];
  const started = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    maxBuffer: 64 * MIB,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(`\`${command}\` exited with ${r.status ?? r.signal}: ${r.stderr.trim()}`);
  }
  let maxRssKiB: number | null = null;
  let userSeconds: number | null = null;
  let systemSeconds: number | null = null;
  if (haveTime) {
    const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
    const [rss, user, sys] = last.split(' ').map(Number);
    maxRssKiB = rss ?? null;
    userSeconds = user ?? null;
    systemSeconds = sys ?? null;
    rmSync(timeFile, { force: true });
  }
  return { seconds, maxRssKiB, userSeconds, systemSeconds, stdout: r.stdout };
}

/**
 * Runs a compiled bench script (`dist/bench/<script>`) in a fresh Node process and parses
 * the JSON object on the last line of its stdout.
 */
export function runNodeWorker(
  script: string,
  args: readonly string[],
  nodeFlags: readonly string[] = [],
): { result: unknown; seconds: number } {
  const file = fileURLToPath(new URL(script, import.meta.url));
  const started = performance.now();
  const r = spawnSync(process.execPath, [...nodeFlags, file, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * MIB,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const seconds = (performance.now() - started) / 1000;
  if (r.error) throw r.error;
  if (r.status !== 0) {
    throw new Error(
      `${script} ${args.join(' ')} exited with ${r.status ?? r.signal}:\n${r.stderr.trim()}`,
    );
  }
  const lines = r.stdout.trim().split('\n');
  return { result: JSON.parse(lines[lines.length - 1] ?? 'null') as unknown, seconds };
}

/** Flushes dirty pages to disk. */
export function syncDisks(): void {
  spawnSync('sync', { stdio: 'ignore' });
}

/**
 * Flushes and drops the page cache, dentries and inodes (needs root and a writable
 * /proc/sys/vm/drop_caches; false when not possible, e.g. in an unprivileged container).
 */
export function dropCaches(): boolean {
  syncDisks();
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly kernel: string;
  readonly filesystem: string;
}

export function machineInfo(dir: string): MachineInfo {
  const cpus = os.cpus();
  const df = spawnSync('df', ['--output=fstype,source', dir], { encoding: 'utf8' });
  const fs = df.status === 0 ? (df.stdout.trim().split('\n')[1] ?? '').trim() : 'unknown';
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    filesystem: fs.replace(/\s+/g, ' '),
  };
}

/** The checked-out commit, with "+dirty" when the tree has local changes. */
export function gitRevision(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (head.status !== 0) return 'unknown';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return head.stdout.trim() + (dirty.stdout.trim() === '' ? '' : '+dirty');
}

/** The 1-minute load average: a hint of how much else ran on the machine meanwhile. */
export function loadAverage(): number {
  return Math.round((os.loadavg()[0] ?? 0) * 100) / 100;
}

/**
 * The share of the last 60 s in which runnable tasks waited for a CPU (Linux PSI "some avg60",
 * percent), or null where /proc/pressure is missing. Above a few percent, other work competed.
 */
export function cpuPressure(): number | null {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n')[0] ?? '';
    const m = /avg60=([\d.]+)/.exec(line);
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** A fresh temporary directory under /var/tmp (disk-backed, unlike a tmpfs /tmp). */
export function makeScratchDir(prefix: string): string {
  const base = existsSync('/var/tmp') ? '/var/tmp' : os.tmpdir();
  return mkdtempSync(path.join(base, `${prefix}-`));
}

/** Removes `dir` when the process ends, including on Ctrl-C. */
export function removeOnExit(dir: string): () => void {
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    remove();
  };
}

/** Columns separated by two spaces; cells that look numeric are right-aligned. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  const numeric = /^[-+]?[\d.,]+( ?[×x%]| ?s| ?ms)?$/;
  return rows
    .map((row) =>
      row
        .map((c, i) => (numeric.test(c) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** The middle value (the lower of the two middle ones for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** A number with `digits` significant digits at most (no exponent), for tables. */
export function fmt(n: number | null | undefined, digits = 3): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  if (n === 0) return '0';
  const magnitude = Math.floor(Math.log10(Math.abs(n)));
  const decimals = Math.max(0, digits - 1 - magnitude);
  return n.toFixed(decimals);
}

/**
 * Writes a result file as JSON formatted the way the repository's Prettier config wants, so
 * `prettier --check .` stays clean after a run (plain JSON if Prettier cannot be loaded).
 */
export async function writeJsonResult(file: string, value: unknown): Promise<void> {
  let text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    text = await prettier.format(text, { ...config, filepath: file });
  } catch {
    // Prettier is a dev dependency; without it the plain JSON is fine.
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** A string quoted for the shell. */
export const shellQuote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Starts an rsync daemon on 127.0.0.1:`port` whose module `dst` writes into `dst`, its
 * config, pid and log files in `work`; returns how to stop it.
 */
export function startRsyncDaemon(work: string, dst: string, port: number): () => void {
  mkdirSync(dst, { recursive: true });
  const pidFile = path.join(work, 'rsyncd.pid');
  const conf = path.join(work, 'rsyncd.conf');
  writeFileSync(
    conf,
    [
      `port = ${port}`,
      'address = 127.0.0.1',
      'use chroot = no',
      `pid file = ${pidFile}`,
      `log file = ${path.join(work, 'rsyncd.log')}`,
      '[dst]',
      `path = ${dst}`,
      'read only = no',
      'uid = root',
      'gid = root',
      '',
    ].join('\n'),
  );
  // stdin must not be a socket (Node's pipes are): rsync would take it for inetd mode.
  const r = spawnSync('rsync', ['--daemon', `--config=${conf}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0)
    throw new Error(
      `rsync --daemon failed (${r.status ?? r.signal ?? r.error?.message}): ${String(r.stderr)}`,
    );
  for (let i = 0; i < 50 && !existsSync(pidFile); i++) spawnSync('sleep', ['0.1']);
  return () => {
    try {
      process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
    } catch {
      // already gone
    }
  };
}
