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
 * The choices are saved in the folder's data directory (resolutions.json, when a file is
 * given), so a kept change stays kept across daemon restarts. (The replica's conflict list
 * itself lives in memory: after a restart the copies are local changes, listed as such.)
 */
import { rmSync } from 'node:fs';
import { z } from 'zod';
import type { ResolveResult } from '../../api/contract.js';
import { readJsonFile, writeFileAtomic } from '../../engine/atomic-write.js';
import type { ReplicaFolder } from '../../engine/replica/replica-folder.js';
import { assertSafeParents } from '../../engine/replica/fs-safety.js';
import { resolveIn, toRelPath, type RelPath } from '../../engine/relpath.js';
import { ApiHttpError } from './http.js';
import { openLog, type ViewContext } from './views.js';

type Action = 'keep' | 'revert';

/** resolutions.json: kept paths with the kind of change kept, and settled conflict copies. */
const SavedSchema = z.strictObject({
  version: z.literal(1),
  kept: z.record(z.string(), z.string()),
  settled: z.array(z.string()).max(100_000),
});

interface FolderChoices {
  /** path -> the kind of change that was kept (another kind is a new change). */
  readonly kept: Map<string, string>;
  /** Conflict copies kept or deleted (by time and name: a name can come back). */
  readonly settled: Set<string>;
}

/**
 * The user's choices about local changes and conflict copies, per folder; saved to
 * `fileOf(folder)` on each change and read from it on first use (in memory only without it).
 */
export class Resolutions {
  private readonly folders = new Map<string, FolderChoices>();

  constructor(private readonly fileOf?: (folder: string) => string) {}

  private of(folder: string): FolderChoices {
    let c = this.folders.get(folder);
    if (c) return c;
    const saved = this.fileOf
      ? readJsonFile(
          this.fileOf(folder),
          SavedSchema,
          'The list of kept local changes',
          'delete it: the changes are then listed again, not marked kept',
        )
      : undefined;
    c = {
      kept: new Map(Object.entries(saved?.kept ?? {})),
      settled: new Set(saved?.settled ?? []),
    };
    this.folders.set(folder, c);
    return c;
  }

  private save(folder: string): void {
    if (!this.fileOf) return;
    const c = this.of(folder);
    const saved: z.output<typeof SavedSchema> = {
      version: 1,
      kept: Object.fromEntries(c.kept),
      settled: [...c.settled],
    };
    writeFileAtomic(this.fileOf(folder), JSON.stringify(saved, null, 2));
  }

  keep(folder: string, path: string, kind: string): void {
    this.of(folder).kept.set(path, kind);
    this.save(folder);
  }

  forget(folder: string, path: string): void {
    if (this.of(folder).kept.delete(path)) this.save(folder);
  }

  isKept(folder: string, path: string, kind: string): boolean {
    return this.of(folder).kept.get(path) === kind;
  }

  settle(folder: string, c: { keptAs: string; at: number }): void {
    this.of(folder).settled.add(`${c.at}:${c.keptAs}`);
    this.save(folder);
  }

  isSettled(folder: string, c: { keptAs: string; at: number }): boolean {
    return this.of(folder).settled.has(`${c.at}:${c.keptAs}`);
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
