/**
 * Finds the daemon the desktop app talks to: attaches to the one already running for the
 * state directory (its lock names a live pid and daemon.json reports the control API's
 * address), or starts one as a separate detached process and waits until it reports that
 * address. Imports no Electron, so the plain-Node launcher (launch.ts) uses it too.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readToken } from '../daemon/api/token.js';
import { lockHolder } from '../daemon/lock.js';
import { defaultStateDir, statePaths } from '../daemon/state-dir.js';
import { LanfoldError } from '../engine/errors.js';

/** The running daemon as the UI needs it. */
export interface DaemonEndpoint {
  readonly pid: number;
  /** `HOST:PORT` of the control API and UI. */
  readonly gui: string;
  /** `http://HOST:PORT/#token=TOKEN`: the signed-in UI address. */
  readonly url: string;
  /** `http://HOST:PORT`: the only origin the window may show and IPC may come from. */
  readonly origin: string;
  /** True when this call started the daemon. */
  readonly started: boolean;
}

export interface SuperviseOptions {
  stateDir?: string;
  /** The executable that runs the CLI: Node, or Electron with ELECTRON_RUN_AS_NODE=1. */
  execPath?: string;
  /** The built CLI entry (dist/main/cli/lanfold.js). */
  cliPath?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  pollMs?: number;
}

const DEFAULT_CLI = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  'cli',
  'lanfold.js',
);

/** daemon.json's `pid` and `gui`, or undefined while it is missing or unreadable. */
function readRuntime(
  file: string,
): { pid: number | undefined; gui: string | null; guiError: string | null } | undefined {
  try {
    const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof raw !== 'object' || raw === null) return undefined;
    const r = raw as Record<string, unknown>;
    return {
      pid: typeof r.pid === 'number' ? r.pid : undefined,
      gui: typeof r.gui === 'string' ? r.gui : null,
      guiError: typeof r.guiError === 'string' ? r.guiError : null,
    };
  } catch {
    return undefined;
  }
}

/** The endpoint of a daemon that holds the lock and reports its API, else undefined. */
export function attachedEndpoint(stateDir: string): DaemonEndpoint | undefined {
  const paths = statePaths(stateDir);
  const pid = lockHolder(paths.lock);
  if (pid === undefined) return undefined;
  const runtime = readRuntime(paths.runtime);
  if (!runtime?.gui) return undefined;
  const token = readToken(paths.apiToken);
  if (token === undefined) return undefined;
  const origin = `http://${runtime.gui}`;
  return { pid, gui: runtime.gui, origin, url: `${origin}/#token=${token}`, started: false };
}

/** Attaches to the running daemon or starts one; rejects after `timeoutMs` with what to do. */
export async function superviseDaemon(opts: SuperviseOptions = {}): Promise<DaemonEndpoint> {
  const env = opts.env ?? process.env;
  const stateDir = opts.stateDir ?? defaultStateDir(env);
  const paths = statePaths(stateDir);
  const existing = attachedEndpoint(stateDir);
  if (existing) return existing;
  if (lockHolder(paths.lock) === undefined) {
    if (!existsSync(paths.device)) {
      throw new LanfoldError(
        'DAEMON_UNREACHABLE',
        `No Lanfold device in ${paths.dir}`,
        'create one first with `lanfold init --name NAME`',
      );
    }
    const child = spawn(
      opts.execPath ?? process.execPath,
      [opts.cliPath ?? DEFAULT_CLI, 'start', '--quiet'],
      {
        detached: true,
        stdio: 'ignore',
        env: { ...env, LANFOLD_STATE: paths.dir, ELECTRON_RUN_AS_NODE: '1' },
      },
    );
    child.unref();
    const endpoint = await waitForGui(paths.dir, opts, () => child.exitCode);
    return { ...endpoint, started: true };
  }
  // A daemon holds the lock but has not reported its API yet (still starting, or failed).
  return waitForGui(paths.dir, opts, () => null);
}

async function waitForGui(
  stateDir: string,
  opts: SuperviseOptions,
  exitCode: () => number | null,
): Promise<DaemonEndpoint> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const pollMs = opts.pollMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const endpoint = attachedEndpoint(stateDir);
    if (endpoint) return endpoint;
    const code = exitCode();
    if (code !== null) {
      throw new LanfoldError(
        'DAEMON_UNREACHABLE',
        `The Lanfold daemon exited with code ${code} before its control API started`,
        `see ${statePaths(stateDir).logFile}, or run \`lanfold start\` to see the error`,
      );
    }
    if (Date.now() >= deadline) {
      const runtime = readRuntime(statePaths(stateDir).runtime);
      throw new LanfoldError(
        'DAEMON_UNREACHABLE',
        `The Lanfold daemon did not report its control API within ${timeoutMs} ms${runtime?.guiError ? `: ${runtime.guiError}` : ''}`,
        `see ${statePaths(stateDir).logFile}, or run \`lanfold start\` to see the error`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
