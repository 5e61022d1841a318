/**
 * Running the compiled `lanfold` CLI (dist/, built by `npm run build`) from tests: one-shot
 * commands, and daemons (`lanfold start`) that are always stopped, even when a test fails
 * (`stopAllDaemons()` in afterEach, and a last-resort kill when the test process exits).
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitFor } from './wait.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI_PATH = path.join(REPO_ROOT, 'dist/main/cli/lanfold.js');

/** Environment of every spawned Lanfold process: no LAN discovery, no inherited state dir. */
export function lanfoldEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.LANFOLD_STATE;
  delete env.NODE_OPTIONS; // vitest's loader hooks must not leak into the CLI
  return { ...env, ...extra, LANFOLD_DISCOVERY: 'off' };
}

/**
 * Source files under main/ newer than their compiled output: when the daemon (dist/) and the
 * test (main/, through vitest) disagree, this says that dist/ is stale (run `npm run build`).
 */
export function staleDist(): string[] {
  const out: string[] = [];
  const src = path.join(REPO_ROOT, 'main');
  for (const rel of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!rel.endsWith('.ts')) continue;
    const js = path.join(REPO_ROOT, 'dist/main', rel.replace(/\.ts$/, '.js'));
    try {
      if (statSync(path.join(src, rel)).mtimeMs > statSync(js).mtimeMs) out.push(`main/${rel}`);
    } catch {
      out.push(`main/${rel} (not built)`);
    }
  }
  return out;
}

function assertBuilt(): void {
  if (!existsSync(CLI_PATH))
    throw new Error(`${CLI_PATH} is missing: run \`npm run build\` before these tests`);
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly state?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** Run as this user and group (tests run as root; some cases need an ordinary user). */
  readonly uid?: number;
  readonly gid?: number;
}

const live = new Set<ChildProcess>();

function spawnCli(args: readonly string[], options: CliOptions): ChildProcess {
  assertBuilt();
  const full = options.state === undefined ? [...args] : ['--state', options.state, ...args];
  const spawnOptions: SpawnOptions = {
    cwd: options.cwd ?? REPO_ROOT,
    env: lanfoldEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  };
  const child = spawn(process.execPath, [CLI_PATH, ...full], spawnOptions);
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Runs one CLI command to completion (killed after `timeoutMs`, default 60 s: machines get busy). */
export function runLanfold(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs many commands, at most `concurrency` at a time; results in the order of `runs`. */
export async function runLanfoldMany(
  runs: readonly (readonly string[])[],
  options: CliOptions = {},
  concurrency = 2,
): Promise<CliResult[]> {
  const results: CliResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < runs.length) {
      const i = next++;
      results[i] = await runLanfold(runs[i]!, options);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, runs.length) }, worker));
  return results;
}

/** Like runLanfold, but throws with the output unless the command exits 0. */
export async function lanfoldOk(
  args: readonly string[],
  options: CliOptions = {},
): Promise<string> {
  const r = await runLanfold(args, options);
  if (r.code !== 0)
    throw new Error(
      `lanfold ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  return r.stdout;
}

/** A running `lanfold start`. */
export class DaemonProcess {
  stdout = '';
  stderr = '';
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (s: string) => (this.stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (this.stderr += s));
    this.exited = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Resolves once the daemon printed READY (its initial scan is done); throws if it exits first. */
  async ready(timeoutMs = 30_000): Promise<void> {
    await waitFor(
      () => {
        if (/^READY$/m.test(this.stdout)) return true;
        if (this.exitInfo)
          throw new Error(
            `daemon exited (${this.exitInfo.code ?? this.exitInfo.signal}) before READY\nstdout: ${this.stdout}\nstderr: ${this.stderr}`,
          );
        return false;
      },
      { timeoutMs, what: 'the daemon to print READY' },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\nstdout: ${this.stdout}\nstderr: ${this.stderr}`);
    });
  }

  /** Waits for the process to end by itself. */
  exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exited;
  }

  /** SIGTERM, then SIGKILL if it has not stopped within `graceMs`. Returns how it ended. */
  async stop(
    graceMs = 15_000,
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null; killed: boolean }> {
    if (this.exitInfo) return { ...this.exitInfo, killed: false };
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          this.child.kill('SIGKILL');
          resolve(true);
        }, graceMs);
      }),
    ]);
    clearTimeout(timer);
    const info = await this.exited;
    return { ...info, killed };
  }
}

const daemons = new Set<DaemonProcess>();

/** Starts `lanfold start` on a state directory (does not wait for READY). */
export function startDaemon(state: string, options: Omit<CliOptions, 'state'> = {}): DaemonProcess {
  return startLanfold(['start'], { ...options, state });
}

/** Starts any long-running command (`start --listen ...`, a waiting `pair invite`); stopped like daemons. */
export function startLanfold(args: readonly string[], options: CliOptions = {}): DaemonProcess {
  const d = new DaemonProcess(spawnCli(args, options));
  daemons.add(d);
  void d.exit().then(() => daemons.delete(d));
  return d;
}

/** Stops every daemon started by this test file (call in afterEach); returns those that had to be killed. */
export async function stopAllDaemons(): Promise<number> {
  let killed = 0;
  await Promise.all(
    [...daemons].map(async (d) => {
      if ((await d.stop()).killed) killed++;
    }),
  );
  for (const child of live) child.kill('SIGKILL');
  return killed;
}

process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
