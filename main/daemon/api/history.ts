/**
 * The control API's views of a folder's version log: paged history, one version's
 * operations, the changes between two versions, a file's line diff between two versions,
 * and paged listings of the state at a version.
 */
import type {
  Changes,
  Diff,
  Entry as ApiEntry,
  FileList,
  History,
  VersionDetail,
} from '../../api/contract.js';
import type { Entry, VersionInfo } from '../../engine/entry.js';
import { LanfoldError } from '../../engine/errors.js';
import { readEntryContent } from '../../engine/history-content.js';
import { toRelPath } from '../../engine/relpath.js';
import { ContentStore } from '../../engine/store/content-store.js';
import type { VersionLog } from '../../engine/store/version-log.js';
import { MAX_TEXT_DIFF_BYTES } from '../../engine/text-diff.js';
import type { ControlBackend } from './backend.js';
import { withCommits, type ReplicaFacts } from './commit-records.js';
import { diffText } from './diff-runner.js';
import { openLog } from './views.js';

const DEFAULT_HISTORY = 50;
const DEFAULT_PAGE = 1000;
const STATE_CACHE_SIZE = 2;

export function entryJson(e: Entry): ApiEntry {
  return {
    path: e.path,
    seq: e.seq,
    op: e.op,
    kind: e.kind,
    size: e.size,
    mtimeMs: e.mtimeMs,
    mode: e.mode,
    hash: e.hash,
    target: e.target,
    movedFrom: e.movedFrom,
  };
}

/** The version's header; 404 unless it exists (0 stands for "before the first version"). */
function checkVersion(log: VersionLog, seq: number, allowZero: boolean): VersionInfo | undefined {
  if (seq === 0 && allowZero) return undefined;
  const v = log.version(seq);
  if (!v) {
    throw new LanfoldError(
      'VERSION_UNKNOWN',
      `Version ${seq} does not exist (the latest is ${log.head()})`,
    );
  }
  return v;
}

/** Paged history; on a master each version says how it reached the replicas (`commit`). */
export function history(
  backend: ControlBackend,
  facts: ReplicaFacts,
  id: string,
  limit?: number,
  before?: number,
): History {
  const log = openLog(backend, id);
  const n = limit ?? DEFAULT_HISTORY;
  const versions = log.history(n, before);
  const last = versions[versions.length - 1];
  return {
    folder: id,
    head: log.head(),
    versions: withCommits(log, versions, backend.folder(id) !== undefined, facts),
    nextBefore: versions.length === n && last && last.seq > 1 ? last.seq : null,
  };
}

export function versionDetail(
  backend: ControlBackend,
  facts: ReplicaFacts,
  id: string,
  seq: number,
  offset = 0,
  limit = DEFAULT_PAGE,
): VersionDetail {
  const log = openLog(backend, id);
  const version = checkVersion(log, seq, false)!;
  const ops = log.operations(seq);
  return {
    folder: id,
    version: withCommits(log, [version], backend.folder(id) !== undefined, facts)[0]!,
    total: ops.length,
    offset,
    operations: ops.slice(offset, offset + limit).map(entryJson),
  };
}

export function changes(
  backend: ControlBackend,
  id: string,
  from: number,
  to: number,
  offset = 0,
  limit = DEFAULT_PAGE,
): Changes {
  const log = openLog(backend, id);
  checkVersion(log, from, true);
  checkVersion(log, to, true);
  const scope = log.scope(Math.min(from, to), Math.max(from, to));
  return {
    folder: id,
    from,
    to,
    total: scope.length,
    offset,
    changes: scope.slice(offset, offset + limit).map(entryJson),
  };
}

function side(e: Entry | undefined) {
  return e && e.kind !== 'none' ? { kind: e.kind, size: e.size, hash: e.hash } : null;
}

/** A file's line diff between two versions (content from the retained history, or the disk). */
export async function diff(
  backend: ControlBackend,
  id: string,
  from: number,
  to: number,
  rawPath: string,
): Promise<Diff> {
  const log = openLog(backend, id);
  const master = backend.folder(id);
  const root = master?.root ?? backend.replica(id)!.root;
  checkVersion(log, from, true);
  checkVersion(log, to, true);
  const rel = toRelPath(rawPath.replace(/^\.\//, '').replace(/\/$/, ''));
  const a = from > 0 ? log.entryAt(rel, from) : undefined;
  const b = to > 0 ? log.entryAt(rel, to) : undefined;
  const common = { folder: id, path: rel, from, to, before: side(a), after: side(b) };
  if (!common.before && !common.after) {
    throw new LanfoldError('NOT_A_FILE', `${rel} exists in neither v${from} nor v${to}`);
  }
  const isFile = (e: Entry | undefined) => e?.kind === 'file';
  if (
    (isFile(a) && a!.size > MAX_TEXT_DIFF_BYTES) ||
    (isFile(b) && b!.size > MAX_TEXT_DIFF_BYTES)
  ) {
    return { ...common, kind: 'too-large' };
  }
  // A replica keeps no past content: its store is empty, so only what is on disk can be read.
  const store = master?.content ?? new ContentStore(':memory:');
  let result;
  try {
    const read = (e: Entry | undefined) =>
      isFile(e) ? readEntryContent(root, store, e!, MAX_TEXT_DIFF_BYTES) : Buffer.alloc(0);
    const [before, after] = [read(a), read(b)];
    result = await diffText(before, after);
  } finally {
    if (!master) store.close();
  }
  return result.kind === 'text'
    ? {
        ...common,
        kind: 'text',
        ops: result.ops.map((o) => ({ kind: o.kind, lines: [...o.lines] })),
      }
    : { ...common, kind: result.kind };
}

/**
 * The state at a version, paged. Listing is one query over the whole state, so the last
 * couple of states listed are kept (per log: a version's state never changes) for the pages
 * that follow.
 */
export class StateLister {
  private cache: { log: VersionLog; id: string; seq: number; entries: Entry[] }[] = [];

  list(
    backend: ControlBackend,
    id: string,
    version: number | undefined,
    prefix = '',
    offset = 0,
    limit = DEFAULT_PAGE,
  ): FileList {
    const log = openLog(backend, id);
    const seq = version ?? log.head();
    checkVersion(log, seq, true);
    let hit = this.cache.find((c) => c.log === log && c.id === id && c.seq === seq);
    if (!hit) {
      hit = { log, id, seq, entries: seq === 0 ? [] : log.stateAt(seq) };
      this.cache = [hit, ...this.cache].slice(0, STATE_CACHE_SIZE);
    }
    const matching =
      prefix === '' ? hit.entries : hit.entries.filter((e) => e.path.startsWith(prefix));
    return {
      folder: id,
      version: seq,
      total: matching.length,
      offset,
      files: matching.slice(offset, offset + limit).map((e) => ({
        path: e.path,
        seq: e.seq,
        kind: e.kind,
        size: e.size,
        mtimeMs: e.mtimeMs,
        mode: e.mode,
        hash: e.hash,
        target: e.target,
      })),
    };
  }
}
