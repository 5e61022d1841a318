/**
 * Keeping or reverting what a replica holds that its master does not: local changes (paths
 * edited on this device) and conflict copies (local edits moved aside when the master
 * changed the same file).
 *
 * - Keep a local change: the user has seen it and wants it; it stays listed, marked kept.
 * - Revert a local change: the master's version (at the replica's head) is put back, or the
 *   path is deleted when the master does not have it (ReplicaFolder.revertLocal).
 * - Keep a conflict copy: it stays on disk under its conflict name and leaves the conflict
 *   list (the copy itself is then a local change, already marked kept).
 * - Revert a conflict: the copy is deleted; the master's version is in place already.
 *
 * The replica's conflict list lives in memory, and so do these choices: after a restart the
 * local changes are listed anew, unmarked.
 */
import { rmSync } from 'node:fs';
import type { ResolveResult } from '../../api/contract.js';
import type { ReplicaFolder } from '../../engine/replica/replica-folder.js';
import { assertSafeParents } from '../../engine/replica/fs-safety.js';
import { resolveIn, toRelPath, type RelPath } from '../../engine/relpath.js';
import { ApiHttpError } from './http.js';
import { openLog, type ViewContext } from './views.js';

type Action = 'keep' | 'revert';

/** The user's choices about local changes and conflict copies, per folder. */
export class Resolutions {
  /** folder -> path -> the kind of change that was kept (another kind is a new change). */
  private readonly kept = new Map<string, Map<string, string>>();
  /** folder -> conflict copies kept or deleted (by name and time: a name can come back). */
  private readonly settled = new Map<string, Set<string>>();

  keep(folder: string, path: string, kind: string): void {
    let m = this.kept.get(folder);
    if (!m) this.kept.set(folder, (m = new Map<string, string>()));
    m.set(path, kind);
  }

  forget(folder: string, path: string): void {
    this.kept.get(folder)?.delete(path);
  }

  isKept(folder: string, path: string, kind: string): boolean {
    return this.kept.get(folder)?.get(path) === kind;
  }

  settle(folder: string, c: { keptAs: string; at: number }): void {
    let s = this.settled.get(folder);
    if (!s) this.settled.set(folder, (s = new Set<string>()));
    s.add(`${c.at}:${c.keptAs}`);
  }

  isSettled(folder: string, c: { keptAs: string; at: number }): boolean {
    return this.settled.get(folder)?.has(`${c.at}:${c.keptAs}`) ?? false;
  }
}

function openReplica(ctx: ViewContext, id: string): ReplicaFolder {
  const config = ctx.backend.state.folder(id);
  if (config.role !== 'replica')
    throw new ApiHttpError(
      'NOT_REPLICA',
      `Folder "${id}" is the master on this device; it has no local changes or conflicts`,
      'a master records every change as a version: restore an earlier version instead',
    );
  openLog(ctx.backend, id); // 503 unless the folder is open
  return ctx.backend.replica(id)!;
}

function relPath(raw: string): RelPath {
  return toRelPath(raw.replace(/^\.\//, '').replace(/\/$/, ''));
}

const changeWords: Record<string, string> = {
  added: 'added file',
  modified: 'edit',
  deleted: 'deletion',
};

export async function localChange(
  ctx: ViewContext,
  id: string,
  rawPath: string,
  action: Action,
): Promise<ResolveResult> {
  const replica = openReplica(ctx, id);
  const rel = relPath(rawPath);
  const change = replica.status().localChanges.find((c) => c.path === rel);
  if (!change)
    throw new ApiHttpError(
      'NOT_FOUND',
      `${rel} has no local change in folder "${id}"`,
      'it may have been reverted or changed back already: reload the list',
    );
  let done: string;
  if (action === 'keep') {
    ctx.resolutions.keep(id, rel, change.kind);
    done = `Kept your ${changeWords[change.kind] ?? 'change'} of ${rel} on this computer`;
  } else {
    const outcome = await replica.revertLocal(rel);
    ctx.resolutions.forget(id, rel);
    done =
      outcome === 'deleted'
        ? `Deleted ${rel}, which the master does not have`
        : `Put back the master’s version of ${rel}`;
  }
  ctx.hub.publish({ type: 'resolved', folder: id, path: rel, action });
  return { path: rel, action, done };
}

export async function conflict(
  ctx: ViewContext,
  id: string,
  rawKeptAs: string,
  action: Action,
): Promise<ResolveResult> {
  const replica = openReplica(ctx, id);
  const keptAs = relPath(rawKeptAs);
  const found = replica
    .status()
    .conflicts.find((c) => c.keptAs === keptAs && !ctx.resolutions.isSettled(id, c));
  if (!found)
    throw new ApiHttpError(
      'NOT_FOUND',
      `No open conflict kept as ${keptAs} in folder "${id}"`,
      'it may have been kept or deleted already: reload the list',
    );
  let done: string;
  if (action === 'keep') {
    ctx.resolutions.keep(id, keptAs, 'added');
    done = `Kept your version of ${found.path} as ${keptAs}`;
  } else {
    assertSafeParents(replica.root, keptAs);
    rmSync(resolveIn(replica.root, keptAs), { force: true });
    ctx.resolutions.forget(id, keptAs);
    done = `Deleted your copy ${keptAs}; the master’s version of ${found.path} stays`;
  }
  ctx.resolutions.settle(id, found);
  await replica.rescanLocal({ all: false, roots: [keptAs] });
  ctx.hub.publish({ type: 'resolved', folder: id, path: keptAs, action });
  return { path: keptAs, action, done };
}
