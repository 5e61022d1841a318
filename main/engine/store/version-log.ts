/**
 * The version log of one folder: versions and per-path entries in SQLite. Each version is
 * written in one transaction; "the state at v" and "the paths changed in (a, b]" are each
 * one indexed query.
 */
import { ChunkList } from '../chunk-list.js';
import type { Entry, EntryKind, EntryOp, NewEntry, NewVersion, VersionInfo } from '../entry.js';
import { LanfoldError } from '../errors.js';
import type { RelPath } from '../relpath.js';
import { LOG_SCHEMA } from './log-schema.js';
import { openDatabase, type Db, type OpenOptions } from './sqlite.js';

interface EntryRow {
  path: string;
  seq: number;
  op: string;
  kind: string;
  size: number;
  mtime_ms: number;
  mode: number;
  ino: number;
  hash: string | null;
  target: string | null;
  chunks?: Buffer | null;
  moved_from: string | null;
}

interface VersionRow {
  seq: number;
  epoch: number;
  created_at: number;
  method: string;
  reason: string;
  origin: string;
  changes: number;
  bytes: number;
}

/** Columns without the chunk list, for listings that do not need content. */
const META_COLUMNS = 'path, seq, op, kind, size, mtime_ms, mode, ino, hash, target, moved_from';
const ALL_COLUMNS = `${META_COLUMNS}, chunks`;

export interface EntryQuery {
  /** Include chunk lists (costly for big files); default false. */
  readonly withChunks?: boolean;
}

export class VersionLog {
  private readonly db: Db;
  private readonly stmts: ReturnType<VersionLog['prepare']>;

  constructor(
    /** The database file (two-phase commit keeps its records in the same file). */
    readonly file: string,
    options: OpenOptions = {},
  ) {
    this.db = openDatabase(file, LOG_SCHEMA, options);
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      head: db.prepare<[], { seq: number | null }>('SELECT MAX(seq) AS seq FROM versions'),
      version: db.prepare<[number], VersionRow>('SELECT * FROM versions WHERE seq = ?'),
      next: db.prepare<[number], VersionRow>(
        'SELECT * FROM versions WHERE seq > ? ORDER BY seq LIMIT 1',
      ),
      history: db.prepare<[number, number], VersionRow>(
        'SELECT * FROM versions WHERE seq < ? ORDER BY seq DESC LIMIT ?',
      ),
      insertVersion: db.prepare(
        `INSERT INTO versions (seq, epoch, created_at, method, reason, origin, changes, bytes)
         VALUES (@seq, @epoch, @createdAt, @method, @reason, @origin, @changes, @bytes)`,
      ),
      // Positional parameters: binding them is cheaper than by name, a row per path.
      insertEntry: db.prepare<
        [
          string,
          number,
          string,
          string,
          number,
          number,
          number,
          number,
          string | null,
          string | null,
          Buffer | null,
          string | null,
        ]
      >(
        `INSERT INTO entries (path, seq, op, kind, size, mtime_ms, mode, ino, hash, target, chunks, moved_from)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      stateAtMeta: db.prepare<[number], EntryRow>(
        `SELECT ${META_COLUMNS}, MAX(seq) FROM entries WHERE seq <= ? GROUP BY path ORDER BY path`,
      ),
      filesAt: db.prepare<[number], { n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT kind, MAX(seq) FROM entries WHERE seq <= ? GROUP BY path)
          WHERE kind NOT IN ('none', 'dir')`,
      ),
      stateAtFull: db.prepare<[number], EntryRow>(
        `SELECT ${ALL_COLUMNS}, MAX(seq) FROM entries WHERE seq <= ? GROUP BY path ORDER BY path`,
      ),
      scope: db.prepare<[number, number, number], EntryRow>(
        `SELECT ${ALL_COLUMNS} FROM entries e
          WHERE e.seq > ? AND e.seq <= ?
            AND e.seq = (SELECT MAX(seq) FROM entries WHERE path = e.path AND seq <= ?)
          ORDER BY e.path`,
      ),
      opsOf: db.prepare<[number], EntryRow>(
        `SELECT ${ALL_COLUMNS} FROM entries WHERE seq = ? ORDER BY path`,
      ),
      entryAt: db.prepare<[string, number], EntryRow>(
        `SELECT ${ALL_COLUMNS} FROM entries WHERE path = ? AND seq <= ? ORDER BY seq DESC LIMIT 1`,
      ),
      getMeta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      setMeta: db.prepare(
        'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      ),
    };
  }

  close(): void {
    this.db.close();
  }

  /** The latest committed version, 0 when the log is empty. */
  head(): number {
    return this.stmts.head.get()?.seq ?? 0;
  }

  version(seq: number): VersionInfo | undefined {
    const row = this.stmts.version.get(seq);
    return row ? toVersion(row) : undefined;
  }

  /** The first version recorded after `seq` (a relay's log may skip numbers). */
  next(seq: number): VersionInfo | undefined {
    const row = this.stmts.next.get(seq);
    return row ? toVersion(row) : undefined;
  }

  /** Versions newest first, strictly older than `before` (default: all). */
  history(limit: number, before = Number.MAX_SAFE_INTEGER): VersionInfo[] {
    return this.stmts.history.all(before, limit).map(toVersion);
  }

  /**
   * Writes one version and its entries in one transaction. The version number is the
   * head plus one, or `seq` when given (a replica applying the master's numbers), which
   * must be greater than the head.
   */
  commit(header: NewVersion, entries: readonly NewEntry[], seq?: number): VersionInfo {
    const run = this.db.transaction((): VersionInfo => {
      const head = this.head();
      const next = seq ?? head + 1;
      if (!Number.isSafeInteger(next) || next <= head) {
        throw new LanfoldError('INTERNAL', `version ${next} is not after the head ${head}`);
      }
      let bytes = 0;
      for (const e of entries)
        if (e.kind === 'file' && (e.op === 'add' || e.op === 'modify')) bytes += e.size;
      const info: VersionInfo = { ...header, seq: next, changes: entries.length, bytes };
      this.stmts.insertVersion.run(info);
      const insert = this.stmts.insertEntry;
      for (const e of entries) {
        insert.run(
          e.path,
          next,
          e.op,
          e.kind,
          e.size,
          e.mtimeMs,
          e.mode,
          e.ino,
          e.hash,
          e.target,
          e.chunks ? e.chunks.packed : null,
          e.movedFrom,
        );
      }
      return info;
    });
    return run.immediate();
  }

  /** How many files and symlinks exist at version `seq` (counted in SQLite, nothing built). */
  countFilesAt(seq: number): number {
    return this.stmts.filesAt.get(seq)?.n ?? 0;
  }

  /** Every path that exists at version `seq`, sorted by path. */
  stateAt(seq: number, query: EntryQuery = {}): Entry[] {
    const stmt = query.withChunks ? this.stmts.stateAtFull : this.stmts.stateAtMeta;
    const out: Entry[] = [];
    for (const row of stmt.iterate(seq)) if (row.kind !== 'none') out.push(toEntry(row));
    return out;
  }

  /**
   * The net effect of the versions in (from, to]: for each path changed in that range,
   * its entry at `to` (kind 'none' when it no longer exists). Sorted by path.
   */
  scope(from: number, to: number): Entry[] {
    return this.stmts.scope.all(from, to, to).map(toEntry);
  }

  /** The entries written by one version: its operations. */
  operations(seq: number): Entry[] {
    return this.stmts.opsOf.all(seq).map(toEntry);
  }

  /** The entry of `path` at version `seq` (kind 'none' if deleted), or undefined if never seen. */
  entryAt(path: RelPath, seq: number): Entry | undefined {
    const row = this.stmts.entryAt.get(path, seq);
    return row ? toEntry(row) : undefined;
  }

  getMeta(key: string): string | undefined {
    return this.stmts.getMeta.get(key)?.value;
  }

  setMeta(key: string, value: string): void {
    this.stmts.setMeta.run(key, value);
  }
}

function toVersion(row: VersionRow): VersionInfo {
  return {
    seq: row.seq,
    epoch: row.epoch,
    createdAt: row.created_at,
    method: row.method as VersionInfo['method'],
    reason: row.reason,
    origin: row.origin as VersionInfo['origin'],
    changes: row.changes,
    bytes: row.bytes,
  };
}

function toEntry(row: EntryRow): Entry {
  return {
    path: row.path as RelPath,
    seq: row.seq,
    op: row.op as EntryOp,
    kind: row.kind as EntryKind,
    size: row.size,
    mtimeMs: row.mtime_ms,
    mode: row.mode,
    ino: row.ino,
    hash: row.hash,
    target: row.target,
    chunks: row.chunks ? ChunkList.fromPacked(row.chunks) : null,
    movedFrom: row.moved_from as RelPath | null,
  };
}
