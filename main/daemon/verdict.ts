/**
 * A person's verdict on a mass deletion the deletion guard holds on a master
 * (docs/protocol.md §10.5), written where the folder's coordinator looks for it: the
 * folder's log database. `lanfold approve|reject` and the control API's approve and reject
 * routes both write it through here; the running daemon acts on it within a second.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LanfoldError } from '../engine/errors.js';
import { TxStore } from '../engine/twophase/tx-store.js';
import type { DeviceState } from './device.js';

export type VerdictName = 'approve' | 'reject';

/**
 * The log database of master folder `folderId`, which takes verdicts: BAD_ARGUMENT for a
 * replica, VERSION_UNKNOWN before its first version.
 */
export function verdictLogFile(state: DeviceState, folderId: string): string {
  const folder = state.folder(folderId);
  if (folder.role !== 'master')
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `Folder "${folderId}" is a replica here; approve or reject deletions on its master`,
    );
  const file = path.join(state.folderDataDir(folderId), 'log.db');
  if (!existsSync(file))
    throw new LanfoldError('VERSION_UNKNOWN', `Folder "${folderId}" has no versions yet`);
  return file;
}

/** Records the verdict on the deletions up to `version` (a later verdict on it replaces it). */
export function recordVerdict(
  file: string,
  version: number,
  verdict: VerdictName,
  now: number = Date.now(),
): void {
  const txs = new TxStore(file);
  try {
    txs.setVerdict(version, verdict, now);
  } finally {
    txs.close();
  }
}

/** What the verdict does, in a sentence for the user. */
export function verdictSentence(folderId: string, version: number, verdict: VerdictName): string {
  return verdict === 'approve'
    ? `Approved the deletions up to v${version} of "${folderId}": the replicas will apply them.`
    : `Rejected the deletions up to v${version} of "${folderId}": the master restores the files.`;
}
