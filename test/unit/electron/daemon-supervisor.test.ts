import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { statePaths } from '../../../main/daemon/state-dir.js';
import { superviseDaemon } from '../../../main/electron/daemon-supervisor.js';
import { makeTempDir, removeTempDirs } from '../../helpers/temp.js';

const spawnMock = vi.hoisted(() => vi.fn());
vi.mock('node:child_process', () => ({ spawn: spawnMock }));

const TOKEN = 'T'.repeat(43); // the shape of a real token: 32 bytes, base64url

/** A fake child process: `exitCode` null while "running". */
class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  readonly unref = vi.fn();
}

/** Writes what a running daemon leaves in the state directory. */
function writeRunning(dir: string, pid: number, gui: string | null = '127.0.0.1:47300'): void {
  const paths = statePaths(dir);
  writeFileSync(paths.lock, `${pid}\n`);
  writeFileSync(paths.runtime, JSON.stringify({ pid, gui, guiError: gui ? null : 'port taken' }));
  writeFileSync(paths.apiToken, `${TOKEN}\n`);
}

function newDevice(): string {
  const dir = makeTempDir('lanfold-electron-');
  writeFileSync(statePaths(dir).device, '{}');
  return dir;
}

describe('superviseDaemon', () => {
  beforeEach(() => {
    spawnMock.mockReset();
  });
  afterEach(() => removeTempDirs());

  it('attaches to a daemon whose lock names a live pid and whose daemon.json has the gui address', async () => {
    const dir = newDevice();
    writeRunning(dir, process.pid);
    const endpoint = await superviseDaemon({ stateDir: dir, timeoutMs: 200 });
    expect(endpoint).toEqual({
      pid: process.pid,
      gui: '127.0.0.1:47300',
      origin: 'http://127.0.0.1:47300',
      url: `http://127.0.0.1:47300/#token=${TOKEN}`,
      started: false,
    });
    expect(spawnMock).not.toHaveBeenCalled();
  });

  it('starts a detached daemon when none runs, and waits for its gui address', async () => {
    const dir = newDevice();
    const child = new FakeChild();
    spawnMock.mockImplementation(() => {
      setTimeout(() => writeRunning(dir, process.pid), 50);
      return child;
    });
    const endpoint = await superviseDaemon({
      stateDir: dir,
      execPath: '/opt/Lanfold/lanfold-electron',
      cliPath: '/opt/Lanfold/dist/main/cli/lanfold.js',
      env: { PATH: '/usr/bin' },
      timeoutMs: 5000,
      pollMs: 10,
    });
    expect(endpoint.started).toBe(true);
    expect(endpoint.url).toBe(`http://127.0.0.1:47300/#token=${TOKEN}`);
    expect(spawnMock).toHaveBeenCalledTimes(1);
    const [exec, args, options] = spawnMock.mock.calls[0] as [
      string,
      string[],
      Record<string, unknown>,
    ];
    expect(exec).toBe('/opt/Lanfold/lanfold-electron');
    expect(args).toEqual(['/opt/Lanfold/dist/main/cli/lanfold.js', 'start', '--quiet']);
    expect(options).toMatchObject({
      detached: true,
      stdio: 'ignore',
      env: { PATH: '/usr/bin', ELECTRON_RUN_AS_NODE: '1', LANFOLD_STATE: path.resolve(dir) },
    });
    expect(child.unref).toHaveBeenCalled();
  });

  it('starts a daemon when the lock is stale (its pid is gone)', async () => {
    const dir = newDevice();
    writeRunning(dir, 2 ** 22 + 12345); // above any Linux pid_max: never alive
    spawnMock.mockImplementation(() => {
      setTimeout(() => writeRunning(dir, process.pid), 20);
      return new FakeChild();
    });
    const endpoint = await superviseDaemon({ stateDir: dir, timeoutMs: 5000, pollMs: 10 });
    expect(endpoint.started).toBe(true);
    expect(spawnMock).toHaveBeenCalledTimes(1);
  });

  it('times out with a clear error when the daemon never reports its address', async () => {
    const dir = newDevice();
    spawnMock.mockImplementation(() => new FakeChild());
    await expect(superviseDaemon({ stateDir: dir, timeoutMs: 100, pollMs: 10 })).rejects.toThrow(
      'The Lanfold daemon did not report its control API within 100 ms',
    );
  });

  it('times out with the reason when a running daemon reports that its API failed', async () => {
    const dir = newDevice();
    writeRunning(dir, process.pid, null);
    await expect(superviseDaemon({ stateDir: dir, timeoutMs: 50, pollMs: 10 })).rejects.toThrow(
      /within 50 ms: port taken/,
    );
    expect(spawnMock).not.toHaveBeenCalled();
  });

  it('fails at once when the started daemon exits', async () => {
    const dir = newDevice();
    const child = new FakeChild();
    child.exitCode = 1;
    spawnMock.mockImplementation(() => child);
    await expect(superviseDaemon({ stateDir: dir, timeoutMs: 5000, pollMs: 10 })).rejects.toThrow(
      'The Lanfold daemon exited with code 1 before its control API started',
    );
  });

  it('refuses a state directory without a device, saying how to create one', async () => {
    const dir = makeTempDir('lanfold-electron-');
    await expect(superviseDaemon({ stateDir: dir, timeoutMs: 50 })).rejects.toMatchObject({
      code: 'DAEMON_UNREACHABLE',
      hint: expect.stringContaining('lanfold init') as unknown,
    });
    expect(spawnMock).not.toHaveBeenCalled();
  });
});
