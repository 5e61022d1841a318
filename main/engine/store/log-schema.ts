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
    `
    -- Two-phase commit (docs/protocol.md). One row per attempt to deliver a 2PC version.
    CREATE TABLE twophase_tx (
      tx          TEXT    PRIMARY KEY,        -- '<version>.<attempt>'
      prior       INTEGER NOT NULL,           -- the released version it starts from
      version     INTEGER NOT NULL,           -- the version it delivers: (prior, version] as one change
      attempt     INTEGER NOT NULL,           -- 1, 2, ... (attempts at the same version)
      policy      TEXT    NOT NULL,           -- all | available
      state       TEXT    NOT NULL,           -- preparing | commit | abort
      reason      TEXT    NOT NULL,           -- why this outcome, in words ('' while preparing)
      started_at  INTEGER NOT NULL,           -- ms since the Unix epoch
      decided_at  INTEGER,                    -- when the decision was written
      delivered   INTEGER NOT NULL DEFAULT 0  -- 1 once the decision was sent to every voter
    ) STRICT;
    CREATE INDEX twophase_tx_by_version ON twophase_tx(version, attempt);

    -- Each participant's vote on one attempt, and what the decision meant for it.
    CREATE TABLE twophase_votes (
      tx          TEXT    NOT NULL REFERENCES twophase_tx(tx),
      replica     TEXT    NOT NULL,           -- device ID
      up_to_date  INTEGER NOT NULL,           -- 0/1 (0 also when it never voted)
      can_apply   INTEGER NOT NULL,           -- 0/1
      reason      TEXT    NOT NULL,           -- the replica's reason for a no ('' for yes)
      outcome     TEXT    NOT NULL,           -- commit | abort | behind (committed elsewhere)
      PRIMARY KEY (tx, replica)
    ) STRICT;

    -- The newest version replicas may receive: every version up to it is either one-phase
    -- or a two-phase version whose commit was decided. A log that predates two-phase commit
    -- delivered everything already.
    CREATE TABLE twophase_release (
      id          INTEGER PRIMARY KEY CHECK (id = 1),
      released    INTEGER NOT NULL
    ) STRICT;
    INSERT INTO twophase_release (id, released) SELECT 1, COALESCE(MAX(seq), 0) FROM versions;

    -- A person's verdict on a mass deletion held by the deletion guard.
    CREATE TABLE twophase_verdicts (
      version     INTEGER PRIMARY KEY,        -- the verdict covers the versions up to this one
      verdict     TEXT    NOT NULL,           -- approve | reject
      done        INTEGER NOT NULL DEFAULT 0, -- 1 once a rejection's restore was recorded
      decided_at  INTEGER NOT NULL            -- ms since the Unix epoch
    ) STRICT;
    `,
    `
    -- Relays' reports of a two-phase change on the hops below them (docs/relays.md): the
    -- newest outcome of each replica for the relay attempt covering (prior, version].
    CREATE TABLE twophase_reports (
      version     INTEGER NOT NULL,           -- the relay attempt delivered (prior, version]
      prior       INTEGER NOT NULL,
      replica     TEXT    NOT NULL,           -- device ID of the replica below the relay
      name        TEXT    NOT NULL,           -- its name as the relay knows it
      via         TEXT    NOT NULL,           -- device ID of the relay that coordinated it
      outcome     TEXT    NOT NULL,           -- commit | abort | behind
      reason      TEXT    NOT NULL,
      reported_at INTEGER NOT NULL,           -- ms since the Unix epoch
      PRIMARY KEY (version, replica)
    ) STRICT;
    `,
  ],
};
