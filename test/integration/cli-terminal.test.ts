/**
 * The CLI as a person at a terminal sees it: `lanfold diff` in colour, a progress line while
 * `lanfold start` scans a big folder for the first time, and `npx lanfold` in the checkout.
 * A terminal is a pseudo-terminal made by `script` (util-linux); without a terminal the same
 * commands print no colour codes and no progress.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CLI_PATH,
  lanfoldEnv,
  lanfoldOk,
  REPO_ROOT,
  runLanfold,
  startDaemon,
  stopAllDaemons,
} from '../helpers/cli.js';
import { makeDevice, openLogReadonly } from '../helpers/device.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const ESC = '\x1b[';

afterEach(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

const quote = (s: string): string => `'${s.replaceAll("'", "'\\''")}'`;

/** `script` runs a command in a pseudo-terminal; its stdout is what the terminal showed. */
function scriptPath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v script'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('these tests need `script` (util-linux, Debian package bsdutils)');
  }
}

/** A `lanfold` command in a terminal; resolves with everything it showed and its exit code. */
function inTerminal(
  args: readonly string[],
  options: { onOutput?: (shown: string) => void; timeoutMs?: number } = {},
): Promise<{ code: number | null; shown: string }> {
  const command = [process.execPath, CLI_PATH, ...args].map(quote).join(' ');
  // -e: script exits with the command's code; the terminal's log goes nowhere.
  const child = spawn(scriptPath(), ['-qec', command, '/dev/null'], {
    cwd: REPO_ROOT,
    env: lanfoldEnv({ TERM: 'xterm' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let shown = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    shown += s;
    options.onOutput?.(shown);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, shown });
    });
  });
}

describe('CLI in a terminal', { timeout: 180_000 }, () => {
  it('lanfold diff colours a text diff in a terminal, not with --no-color or into a pipe', async () => {
    const text1 = 'line 1\nline 2\nline 3\n';
    const device = await makeDevice({
      populate: (dir) => writeFileSync(path.join(dir, 'notes.txt'), text1),
    });
    const daemon = startDaemon(device.state);
    await daemon.ready();
    const log = await openLogReadonly(device);
    try {
      // v1's content must be retained before v1 can be diffed: wait until the diff works.
      await waitFor(
        async () => {
          const r = await runLanfold(['diff', 'f1', '1', '1', 'notes.txt'], device);
          return r.code === 0;
        },
        { what: "v1's content to be retained" },
      );
      writeFileSync(path.join(device.folder, 'notes.txt'), 'line 1\nline two\nline 3\nline 4\n');
      await waitFor(() => log.head() >= 2, { what: 'v2' });
    } finally {
      log.close();
    }
    const args = ['--state', device.state, 'diff', 'f1', '1', '2', 'notes.txt'];

    const coloured = await inTerminal(args);
    expect(coloured.code, coloured.shown).toBe(0);
    const lines = coloured.shown.split(/\r?\n/);
    // Removed lines red (31), added green (32), each reset (0) at the end of its line.
    expect(lines, coloured.shown).toContain(`${ESC}31m-line 2${ESC}0m`);
    expect(lines, coloured.shown).toContain(`${ESC}32m+line two${ESC}0m`);
    expect(lines, coloured.shown).toContain(`${ESC}32m+line 4${ESC}0m`);
    expect(lines, coloured.shown).toContain(' line 1');

    const plain = await inTerminal([...args, '--no-color']);
    expect(plain.code, plain.shown).toBe(0);
    expect(plain.shown).not.toContain(ESC);
    expect(plain.shown.split(/\r?\n/)).toContain('+line two');

    const piped = await lanfoldOk(args.slice(2), device);
    expect(piped).not.toContain(ESC);
    expect(piped.split('\n')).toContain('-line 2');
    expect((await daemon.stop()).code).toBe(0);
  });

  it('lanfold start shows the progress of a long first scan in a terminal, and none into a pipe', async () => {
    const files = 3000;
    const device = await makeDevice({
      populate: (dir) => {
        for (let d = 0; d < files / 100; d++) {
          mkdirSync(path.join(dir, `d${d}`));
          for (let i = 0; i < 100; i++)
            writeFileSync(path.join(dir, `d${d}`, `f${i}.txt`), `file ${d}/${i}\n`.repeat(50));
        }
      },
    });
    let pid: number | undefined;
    const run = inTerminal(['--state', device.state, 'start'], {
      timeoutMs: 120_000,
      onOutput: (shown) => {
        if (pid === undefined && /^READY\r?$/m.test(shown)) {
          // Ctrl-C, as a person would: the daemon stops cleanly and script ends with it.
          pid = (
            JSON.parse(readFileSync(path.join(device.state, 'daemon.json'), 'utf8')) as {
              pid: number;
            }
          ).pid;
          process.kill(pid, 'SIGINT');
        }
      },
    });
    const { code, shown } = await run;
    // On failure, the daemon's own log says how far its stop got (a terminal may lose the
    // last output of a process that exits).
    const logFile = path.join(device.state, 'daemon.log');
    const logged = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15) : [];
    const why = `${shown}\n--- daemon.log (last lines):\n${logged.join('\n')}`;
    expect(pid, why).toBeDefined();
    expect(code, why).toBe(0);
    // The walk counts what it found; hashing shows a bar, the count and the bytes, and
    // ends at 100%; the line is cleared (carriage return, erase line) before each redraw
    // and before the next message.
    const visible = shown.replaceAll(`\r${ESC}2K`, '<clear>');
    expect(visible).toMatch(/<clear>f1: reading folder \d/);
    expect(visible).toMatch(/<clear>f1: hashing \[[#.]{24}\] +\d+% [\d,]+\/3,000 /);
    expect(shown).toMatch(/f1: hashing \[#{24}\] 100% 3,000\/3,000 \S+ \S+\/\S+ \S+/);
    expect(visible).toMatch(/<clear>f1: v1 recorded, 3030 changes/);
    expect(shown).toMatch(/Lanfold running as "test-device"/);
    expect(shown).toContain('Stopping (SIGINT)...');

    // The same daemon into a pipe (as under a service manager) draws no progress.
    const piped = startDaemon(device.state);
    await piped.ready();
    expect((await piped.stop()).code).toBe(0);
    expect(piped.stdout + piped.stderr).not.toMatch(/reading folder|hashing/);
    expect(piped.stdout + piped.stderr).not.toContain(ESC);
  });

  it('npx lanfold runs the built CLI in the checkout', () => {
    // `npm run build` (and `npm ci`, through `prepare`) links node_modules/.bin/lanfold.
    const version = (
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const env = lanfoldEnv({ npm_config_offline: 'true' });
    const out = execFileSync('npx', ['--no', '--', 'lanfold', '--version'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(out.trim()).toBe(version);
    const help = execFileSync('npx', ['--no', '--', 'lanfold', '--help'], {
      cwd: REPO_ROOT,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    for (const command of ['init', 'folder', 'start', 'status', 'history', 'show', 'diff'])
      expect(help).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });
});
