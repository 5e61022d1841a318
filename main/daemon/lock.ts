/**
 * The daemon lock: one daemon per state directory. The lock file holds the owner's pid; a
 * lock left by a process that no longer runs is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { errnoCode, LanfoldError } from '../engine/errors.js';

export interface DaemonLock {
  release(): void;
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}

/** The pid holding the lock, or undefined if nobody (alive) does. */
export function lockHolder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function acquireLock(file: string): DaemonLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return {
        release: () => {
          try {
            if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file);
          } catch {
            // Already gone.
          }
        },
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      const holder = lockHolder(file);
      if (holder !== undefined) {
        throw new LanfoldError(
          'STATE_LOCKED',
          `Another Lanfold daemon (pid ${holder}) is using this state directory`,
          'stop it first, or use another --state',
        );
      }
      try {
        unlinkSync(file); // stale: its owner is gone
      } catch (e) {
        if (errnoCode(e) !== 'ENOENT') throw e;
      }
    }
  }
  throw new LanfoldError('STATE_LOCKED', `Could not take the daemon lock ${file}`);
}
