/** What every command needs: the state directory chosen by --state / LANFOLD_STATE, and output helpers. */
import type { Command } from 'commander';
import { defaultStateDir } from '../daemon/state-dir.js';

export interface GlobalOptions {
  readonly state?: string;
}

export function stateDirOf(cmd: Command): string {
  const opts = cmd.optsWithGlobals<GlobalOptions>();
  return opts.state ?? defaultStateDir();
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Parses a positive integer argument, or throws a clear usage error. */
export function parsePositiveInt(raw: string, what: string): number {
  if (!/^\d+$/.test(raw))
    throw new UsageError(`${what} must be a positive whole number, not "${raw}"`);
  const n = Number.parseInt(raw, 10);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new UsageError(`${what} must be a positive whole number, not "${raw}"`);
  return n;
}

export class UsageError extends Error {}
