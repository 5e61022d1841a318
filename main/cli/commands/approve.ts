/**
 * `lanfold approve|reject FOLDER [VERSION]`: a person's verdict on a mass deletion the
 * deletion guard holds on a master. Approving lets the deletions up to VERSION reach the
 * replicas; rejecting restores the deleted files on the master (as a new version) so
 * the replicas never lose them. The verdict is written to the folder's log database;
 * the running daemon picks it up within a second.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DeviceState } from '../../daemon/device.js';
import { lockHolder } from '../../daemon/lock.js';
import {
  recordVerdict,
  verdictLogFile,
  verdictSentence,
  type VerdictName,
} from '../../daemon/verdict.js';
import { LanfoldError } from '../../engine/errors.js';
import { parsePositiveInt, print, printJson, stateDirOf } from '../context.js';

/** The version the running daemon holds for `folderId`, from daemon.json. */
function heldVersion(state: DeviceState, folderId: string): number | undefined {
  if (lockHolder(state.paths.lock) === undefined) return undefined;
  try {
    const runtime = JSON.parse(readFileSync(state.paths.runtime, 'utf8')) as {
      folders?: Record<string, { twoPhase?: { held?: { version: number } | null } | null }>;
    };
    return runtime.folders?.[folderId]?.twoPhase?.held?.version;
  } catch {
    return undefined;
  }
}

function verdict(
  verdictName: VerdictName,
  folderId: string,
  rawVersion: string | undefined,
  opts: { json?: boolean },
  cmd: Command,
): void {
  const state = DeviceState.open(stateDirOf(cmd));
  const file = verdictLogFile(state, folderId);
  const version =
    rawVersion !== undefined
      ? parsePositiveInt(rawVersion, 'VERSION')
      : heldVersion(state, folderId);
  if (version === undefined)
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `No held deletion known for "${folderId}"`,
      'name the version (see `lanfold status`), or start the daemon',
    );
  recordVerdict(file, version, verdictName);
  if (opts.json) return printJson({ folder: folderId, version, verdict: verdictName });
  print(verdictSentence(folderId, version, verdictName));
}

export function registerApprove(program: Command): void {
  for (const name of ['approve', 'reject'] as const) {
    program
      .command(`${name} <folder> [version]`)
      .description(
        name === 'approve'
          ? 'let a held mass deletion reach the replicas'
          : 'undo a held mass deletion: restore the files on the master',
      )
      .option('--json', 'print JSON')
      .action(
        (folderId: string, version: string | undefined, opts: { json?: boolean }, cmd: Command) =>
          verdict(name, folderId, version, opts, cmd),
      );
  }
}
