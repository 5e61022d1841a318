/**
 * A relay's replica folder as a publisher sees it (claims 35/36): its own committed log and
 * its own files. It keeps no content store: a chunk that is no longer in its files at the
 * recorded place (a local edit on the relay) is fetched from the relay's own upstream, and
 * answered `nodata` only when that fails too (the downstream replica then asks again later).
 */
import type { MissingChunk, ServedFolder } from '../replication/served-folder.js';
import type { VersionLog } from '../store/version-log.js';

/** The parts of a ReplicaFolder a relay serves from. */
export interface RelayedReplica {
  readonly id: string;
  readonly root: string;
  readonly log: VersionLog;
  head(): number;
  /** Fetches a chunk from the upstream this replica follows (undefined: not available). */
  fetchUpstream(missing: MissingChunk): Promise<Buffer | undefined>;
}

export function relaySource(replica: RelayedReplica): ServedFolder {
  const log = replica.log;
  return {
    id: replica.id,
    root: replica.root,
    log,
    content: { get: () => undefined },
    head: () => replica.head(),
    deferBackgroundWork: () => undefined,
    fetchMissing: (missing) => replica.fetchUpstream(missing),
    priorOf: (seq) => log.history(1, seq)[0]?.seq ?? 0,
    hasStateAt: (version) => version === 0 || log.version(version) !== undefined,
  };
}
