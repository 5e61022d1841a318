/**
 * What a publisher needs from the folder it serves: a master's folder, or a relay's replica
 * folder (claims 35/36). Only committed versions are served: `head()` and `log` are the
 * folder's own committed log, and every byte read from `root` is checked against its hash.
 */
import type { Chunk } from '../chunk-list.js';
import type { RelPath } from '../relpath.js';
import type { ContentStore } from '../store/content-store.js';
import type { VersionLog } from '../store/version-log.js';

/** Where retained chunks live (a master's content store; a relay keeps none). */
export type ChunkSource = Pick<ContentStore, 'get'>;

/** A chunk of a committed version that the folder no longer holds, to fetch from upstream. */
export interface MissingChunk {
  readonly path: RelPath;
  /** The version whose entry lists the chunk. */
  readonly version: number;
  readonly index: number;
  readonly chunk: Chunk;
}

export interface ServedFolder {
  readonly id: string;
  readonly root: string;
  readonly log: VersionLog;
  readonly content: ChunkSource;
  /** The newest committed version. */
  head(): number;
  /**
   * A relay asks its own upstream for a chunk of its head that its files no longer hold (a
   * local edit on the relay, a file replaced under it); resolves with the verified bytes,
   * or undefined when the upstream cannot give them either. Absent on a master.
   */
  fetchMissing?(missing: MissingChunk): Promise<Buffer | undefined>;
  /** Background work (history retention) waits this long: replicas are being served. */
  deferBackgroundWork(ms: number): void;
  /**
   * The version recorded before `seq`. A master records every version, so this is
   * `seq - 1` (the default); a relay may have applied several of the master's versions as
   * one, so its log can skip numbers.
   */
  priorOf?(seq: number): number;
  /**
   * Whether the log holds the exact state at `version`, so that entries can be sent as edits
   * of it (default: always, as on a master). A relay holds only the versions it applied.
   */
  hasStateAt?(version: number): boolean;
}

/** `folder.priorOf(seq)`, or `seq - 1` for a folder that records every version. */
export function priorOf(folder: ServedFolder, seq: number): number {
  return folder.priorOf ? folder.priorOf(seq) : seq - 1;
}

/** `folder.hasStateAt(version)`, or true for a folder that records every version. */
export function hasStateAt(folder: ServedFolder, version: number): boolean {
  return folder.hasStateAt ? folder.hasStateAt(version) : true;
}
