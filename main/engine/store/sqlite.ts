/**
 * Opens a better-sqlite3 database with Lanfold's settings (WAL, full sync, foreign keys)
 * and brings its schema up to date through numbered migrations. A file that is not a
 * database, or whose schema is newer than this build knows, is refused with a clear error.
 */
import Database from 'better-sqlite3';
import { LanfoldError } from '../errors.js';

export type Db = Database.Database;

/** A schema: what it is called (for messages) and its migrations, index i moving to version i+1. */
export interface Schema {
  readonly name: string;
  readonly migrations: readonly string[];
}

export interface OpenOptions {
  readonly readonly?: boolean;
}

export function openDatabase(file: string, schema: Schema, options: OpenOptions = {}): Db {
  let db: Db;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (err) {
    throw asDbError(err, file, schema);
  }
  try {
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, file, schema, options.readonly ?? false);
    return db;
  } catch (err) {
    db.close();
    throw asDbError(err, file, schema);
  }
}

function migrate(db: Db, file: string, schema: Schema, readonly: boolean): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  const target = schema.migrations.length;
  if (current > target) {
    throw new LanfoldError(
      'DB_TOO_NEW',
      `The ${schema.name} database ${file} has schema ${current}, newer than this Lanfold knows (${target})`,
      'upgrade Lanfold, or restore the state directory from before the upgrade',
    );
  }
  if (current === target) return;
  if (readonly) {
    throw new LanfoldError(
      'DB_TOO_NEW',
      `The ${schema.name} database ${file} needs an upgrade`,
      'start the daemon once',
    );
  }
  const step = db.transaction(() => {
    for (let v = current; v < target; v++) db.exec(schema.migrations[v]!);
    db.pragma(`user_version = ${target}`);
  });
  step();
}

function asDbError(err: unknown, file: string, schema: Schema): unknown {
  if (err instanceof LanfoldError) return err;
  const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT')) {
    return new LanfoldError(
      'DB_CORRUPT',
      `The ${schema.name} database ${file} is damaged or not a database`,
      'move it aside; a master rebuilds its log by rescanning the folder',
      { cause: err },
    );
  }
  // better-sqlite3 reports a missing parent directory as a plain TypeError, before SQLite runs.
  const noDir = err instanceof TypeError && /directory does not exist/.test(err.message);
  if (code === 'SQLITE_CANTOPEN' || noDir) {
    return new LanfoldError(
      'STATE_MISSING',
      `Cannot open the ${schema.name} database ${file}`,
      undefined,
      { cause: err },
    );
  }
  return err;
}
