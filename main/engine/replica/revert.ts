/**
 * Undoes a local edit in a replica folder: puts one path back as the replica last applied
 * it (the master's version at the replica's head), or deletes it when the master does not
 * have it. A file's content is staged first — from intact local copies of its chunks, else
 * from the upstream — and renamed into place, so the path never holds half a file.
 */
import { lstatSync, mkdirSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { Entry } from '../entry.js';
import { errnoCode, LanfoldError } from '../errors.js';
import { resolveIn, type RelPath } from '../relpath.js';
import type { Fetcher } from './fetcher.js';
import { ChunkUnavailable, LinkLost } from './fetcher.js';
import { assertSafeParents } from './fs-safety.js';
import type { LocalChunks } from './local-chunks.js';
import { stageFile, StageError } from './staging.js';

export interface RevertSources {
  /** The replica's head: the version whose content is put back. */
  readonly version: number;
  readonly local: LocalChunks;
  /** The upstream, for chunks no local file holds; undefined while it is not connected. */
  readonly fetcher: Fetcher | undefined;
}

/** What a revert did to the path. */
export type RevertOutcome = 'restored' | 'deleted' | 'unchanged';

function existing(full: string): 'dir' | 'other' | undefined {
  try {
    return lstatSync(full).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * Puts `rel` back as `known` (its entry at the replica's head, with chunks for a file), or
 * deletes it when `known` is undefined or a deletion. Throws CONTENT_GONE when a file's
 * content can be found neither locally nor upstream.
 */
export async function revertPath(
  root: string,
  rel: RelPath,
  known: Entry | undefined,
  sources: RevertSources,
): Promise<RevertOutcome> {
  assertSafeParents(root, rel);
  const full = resolveIn(root, rel);
  const now = existing(full);
  if (!known || known.kind === 'none') {
    if (now === undefined) return 'unchanged';
    rmSync(full, { recursive: true, force: true });
    return 'deleted';
  }
  if (known.kind === 'dir') {
    if (now === 'dir') return 'unchanged';
    if (now !== undefined) rmSync(full, { force: true });
    mkdirSync(full, { recursive: true, mode: known.mode & 0o7777 });
    return 'restored';
  }
  mkdirSync(path.dirname(full), { recursive: true });
  if (known.kind === 'symlink') {
    if (now !== undefined) rmSync(full, { recursive: true, force: true });
    symlinkSync(known.target ?? '', full);
    return 'restored';
  }
  if (!known.hash || !known.chunks)
    throw new LanfoldError('INTERNAL', `The replica's record of ${rel} has no content list`);
  let staged: string;
  try {
    staged = await stageFile(root, known, {
      version: sources.version,
      local: sources.local,
      inline: new Map(),
      texts: new Map(),
      currentContent: () => undefined,
      fetcher: sources.fetcher,
    });
  } catch (err) {
    if (err instanceof StageError || err instanceof LinkLost || err instanceof ChunkUnavailable)
      throw new LanfoldError(
        'CONTENT_GONE',
        `The master's version of ${rel} is not on this computer any more, and the master could not send it`,
        sources.fetcher
          ? 'the master may have changed the file since; wait for the next version, or try again'
          : 'connect to the master (and resume the folder if it is paused), then try again',
        { cause: err },
      );
    throw err;
  }
  if (now === 'dir') rmSync(full, { recursive: true, force: true });
  renameSync(staged, full);
  return 'restored';
}
