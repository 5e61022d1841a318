/**
 * The control API's side of the deletion guard (docs/protocol.md §10.5): a person approves
 * or rejects the mass deletion a master holds. The verdict is checked against what the
 * folder holds now, then written through the same path as `lanfold approve|reject`
 * (daemon/verdict.ts); the coordinator acts on it within a second.
 */
import type { VerdictResult } from '../../api/contract.js';
import { LanfoldError } from '../../engine/errors.js';
import { recordVerdict, verdictLogFile, verdictSentence, type VerdictName } from '../verdict.js';
import { ApiHttpError } from './http.js';
import { openLog, type ViewContext } from './views.js';

export function decideHeld(
  ctx: ViewContext,
  id: string,
  version: number,
  verdict: VerdictName,
): VerdictResult {
  const { backend, hub } = ctx;
  if (backend.state.folder(id).role !== 'master')
    throw new ApiHttpError(
      'NOT_MASTER',
      `Folder "${id}" is a replica on this device; deletions are approved or rejected on its master`,
      'open Lanfold on the master device',
    );
  const log = openLog(backend, id); // 503 unless the folder is open
  const head = log.head();
  if (version > head)
    throw new LanfoldError(
      'VERSION_UNKNOWN',
      `Version ${version} does not exist (the latest is ${head})`,
    );
  const held = backend.twoPhaseStatus(id);
  if (!held?.held)
    throw new ApiHttpError(
      'NOTHING_HELD',
      `No deletion is held in folder "${id}"`,
      'it may have been approved or rejected already (from another window or `lanfold`): reload',
    );
  if (version <= held.released)
    throw new ApiHttpError(
      'NOTHING_HELD',
      `v${version} of "${id}" has reached the replicas already; the deletion held is up to v${held.held.version}`,
      `approve or reject v${held.held.version}`,
    );
  recordVerdict(verdictLogFile(backend.state, id), version, verdict);
  hub.publish({ type: 'verdict', folder: id, version, verdict });
  return { folder: id, version, verdict, done: verdictSentence(id, version, verdict) };
}
