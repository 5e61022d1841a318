import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, isProcessAlive, lockHolder } from '../../../main/daemon/lock.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

/** The pid of a process that has exited (a child we ran to completion). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  expect(child.status).toBe(0);
  expect(child.pid).toBeGreaterThan(0);
  return child.pid;
}

describe('isProcessAlive', () => {
  it('knows this process and its parent are alive, and an exited child is not', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(process.ppid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
  });
});

describe('acquireLock', () => {
  const tempDir = useTempDirs();
  const lockFile = () => path.join(tempDir('lock'), 'daemon.lock');

  it('creates the lock file holding our pid, and removes it on release', () => {
    const file = lockFile();
    const lock = acquireLock(file);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    expect(lockHolder(file)).toBe(process.pid);
    lock.release();
    expect(existsSync(file)).toBe(false);
    expect(lockHolder(file)).toBeUndefined();
  });

  it('refuses a second acquire while the first is held, even in the same process', () => {
    const file = lockFile();
    const lock = acquireLock(file);
    const err = lanfoldErrorOf(() => acquireLock(file));
    expect(err.code).toBe('STATE_LOCKED');
    expect(err.message).toContain(String(process.pid));
    lock.release();
    acquireLock(file).release();
  });

  it('refuses a lock held by another live process', () => {
    const file = lockFile();
    writeFileSync(file, `${process.ppid}\n`);
    const err = lanfoldErrorOf(() => acquireLock(file));
    expect(err.code).toBe('STATE_LOCKED');
    expect(err.message).toContain(`pid ${process.ppid}`);
    expect(err.hint).toBeTruthy();
    expect(readFileSync(file, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('takes over a lock left by a process that no longer runs', () => {
    const file = lockFile();
    writeFileSync(file, `${deadPid()}\n`);
    const lock = acquireLock(file);
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it.each([
    ['an empty lock file', ''],
    ['garbage', 'not a pid'],
    ['a zero pid', '0\n'],
    ['a negative pid', '-5\n'],
  ])('takes over a lock file with %s', (_name, content) => {
    const file = lockFile();
    writeFileSync(file, content);
    expect(lockHolder(file)).toBeUndefined();
    const lock = acquireLock(file);
    expect(lockHolder(file)).toBe(process.pid);
    lock.release();
  });

  it('does not remove a lock that another process took over since', () => {
    const file = lockFile();
    const lock = acquireLock(file);
    writeFileSync(file, `${process.ppid}\n`);
    lock.release();
    expect(readFileSync(file, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('releases quietly when the lock file is already gone', () => {
    const file = lockFile();
    const lock = acquireLock(file);
    lock.release();
    expect(() => lock.release()).not.toThrow();
  });

  it('passes on errors other than an existing lock', () => {
    const dir = tempDir('lock');
    expect(() => acquireLock(path.join(dir, 'missing-dir', 'daemon.lock'))).toThrow(/ENOENT/);
  });
});
