/** The version log's schema, as numbered migrations (index i upgrades schema i to i+1). */
import type { Schema } from './sqlite.js';

export const LOG_SCHEMA: Schema = {
  name: 'version log',
  migrations: [
    `
    -- One row per committed version of the folder. seq is the version number: unique,
    -- strictly increasing, assigned in the same transaction that writes its entries.
    CREATE TABLE versions (
      seq        INTEGER PRIMARY KEY,
      epoch      INTEGER NOT NULL,           -- bumped on a later change of master
      created_at INTEGER NOT NULL,           -- ms since the Unix epoch
      method     TEXT    NOT NULL,           -- scan | 1pc | 2pc
      reason     TEXT    NOT NULL,           -- why that method, in words
      origin     TEXT    NOT NULL,           -- initial-scan | rescan | watch | restore | apply
      changes    INTEGER NOT NULL,           -- number of entries written
      bytes      INTEGER NOT NULL            -- bytes of new file content
    ) STRICT;

    -- One row per path changed in a version. The state at version v is, per path, the row
    -- with the greatest seq <= v whose kind is not 'none'.
    CREATE TABLE entries (
      path       TEXT    NOT NULL,           -- folder-relative, '/'-separated
      seq        INTEGER NOT NULL REFERENCES versions(seq),
      op         TEXT    NOT NULL,           -- add | modify | delete | move | meta
      kind       TEXT    NOT NULL,           -- file | dir | symlink | none (deleted)
      size       INTEGER NOT NULL,
      mtime_ms   REAL    NOT NULL,
      mode       INTEGER NOT NULL,           -- permission bits
      ino        INTEGER NOT NULL,           -- local inode (skip checks, rename detection)
      hash       TEXT,                       -- content hash of a file
      target     TEXT,                       -- symlink target
      chunks     BLOB,                       -- packed chunk list of a file
      moved_from TEXT,                       -- for op 'move'
      PRIMARY KEY (path, seq)
    ) STRICT, WITHOUT ROWID;

    -- "What changed in (a, b]" walks this index.
    CREATE INDEX entries_by_seq ON entries(seq, path);

    -- Small settings of the log (folder id, creation time).
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;
    `,
  ],
};
