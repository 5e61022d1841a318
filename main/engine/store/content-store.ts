/**
 * The master's retained content: chunks of past and present file versions, kept so that a
 * file can be diffed against or restored to an older version, and so that replicas can be
 * sent text deltas against their base. Content-addressed by SHA-256, compressed when it
 * pays, and bounded by a size cap (oldest unreferenced chunks go first).
 */
import { brotliCompressSync, brotliDecompressSync, constants as zlibConstants } from 'node:zlib';
import { createHash } from 'node:crypto';
import { LanfoldError } from '../errors.js';
import { openDatabase, type Db } from './sqlite.js';

const CONTENT_SCHEMA = {
  name: 'content store',
  migrations: [
    `
    -- One row per retained chunk.
    -- A rowid table: the chunk bytes live in the table's leaves, and the hash index
    -- stays small, so existence checks do not wade through the data.
    CREATE TABLE chunks (
      id        INTEGER PRIMARY KEY,
      hash      BLOB    NOT NULL UNIQUE,    -- SHA-256 of the raw bytes
      codec     INTEGER NOT NULL,           -- 0 raw, 1 brotli
      size      INTEGER NOT NULL,           -- raw size
      stored    INTEGER NOT NULL,           -- bytes on disk (after compression)
      last_used INTEGER NOT NULL,           -- ms since the Unix epoch; eviction order
      data      BLOB    NOT NULL
    ) STRICT;
    CREATE INDEX chunks_by_use ON chunks(last_used);
    `,
  ],
};

const CODEC_RAW = 0;
const CODEC_BROTLI = 1;
const SAMPLE_BYTES = 4096;

function brotli(data: Buffer): Buffer {
  return brotliCompressSync(data, {
    params: {
      [zlibConstants.BROTLI_PARAM_QUALITY]: 1,
      [zlibConstants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
}

/**
 * Whether compressing is worth trying: the byte entropy of a sample (up to 4 KiB from the
 * start) is under 7.2 bits per byte. Random or already-compressed data (media, archives)
 * sits near 8 and is stored raw without spending a compression on it; text is at 4–5.
 */
export function compressible(data: Buffer): boolean {
  const sample = data.subarray(0, SAMPLE_BYTES);
  if (sample.length < 64) return true;
  const counts = new Uint32Array(256);
  for (const byte of sample) counts[byte]!++;
  let bits = 0;
  for (const n of counts) {
    if (n === 0) continue;
    const p = n / sample.length;
    bits -= p * Math.log2(p);
  }
  // A sample shorter than 256 bytes cannot reach 8 bits: compare against what it can reach.
  const ceiling = Math.min(8, Math.log2(sample.length));
  return bits < ceiling - 0.8;
}

export class ContentStore {
  private readonly db: Db;
  private readonly stmts;
  /** Bytes stored, summed once and then kept up to date. */
  private total: number | undefined;

  constructor(file: string, options: { readonly?: boolean } = {}) {
    this.db = openDatabase(file, CONTENT_SCHEMA, options);
    if (!options.readonly) this.db.pragma('synchronous = NORMAL');
    const db = this.db;
    this.stmts = {
      has: db.prepare<[Buffer], { n: number }>('SELECT 1 AS n FROM chunks WHERE hash = ?'),
      get: db.prepare<[Buffer], { codec: number; data: Buffer }>(
        'SELECT codec, data FROM chunks WHERE hash = ?',
      ),
      put: db.prepare(
        'INSERT OR IGNORE INTO chunks (hash, codec, size, stored, last_used, data) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      touch: db.prepare('UPDATE chunks SET last_used = ? WHERE hash = ?'),
      total: db.prepare<[], { total: number | null }>('SELECT SUM(stored) AS total FROM chunks'),
      oldest: db.prepare<[number], { hash: Buffer; stored: number }>(
        'SELECT hash, stored FROM chunks ORDER BY last_used LIMIT ?',
      ),
      del: db.prepare('DELETE FROM chunks WHERE hash = ?'),
    };
  }

  close(): void {
    this.db.close();
  }

  has(hash: Buffer): boolean {
    return this.stmts.has.get(hash) !== undefined;
  }

  /**
   * Keeps a chunk. Text-like data is brotli-compressed at quality 1 (fast) when that saves
   * at least an eighth; random data is stored raw.
   */
  put(hash: Buffer, data: Buffer, now: number): void {
    if (this.stmts.touch.run(now, hash).changes > 0) return; // kept already: now recently used
    const packed = compressible(data) ? brotli(data) : undefined;
    const useBrotli = packed !== undefined && packed.length < data.length - (data.length >> 3);
    const stored = useBrotli ? packed : data;
    if (this.total !== undefined) this.total += stored.length;
    this.stmts.put.run(
      hash,
      useBrotli ? CODEC_BROTLI : CODEC_RAW,
      data.length,
      stored.length,
      now,
      stored,
    );
  }

  /** Many puts in one transaction. */
  putMany(chunks: readonly { hash: Buffer; data: Buffer }[], now: number): void {
    this.db.transaction(() => {
      for (const c of chunks) this.put(c.hash, c.data, now);
    })();
  }

  /** The chunk's bytes, verified against its hash, or undefined if not retained. */
  get(hash: Buffer): Buffer | undefined {
    const row = this.stmts.get.get(hash);
    if (!row) return undefined;
    let data: Buffer | undefined;
    try {
      data = row.codec === CODEC_BROTLI ? brotliDecompressSync(row.data) : row.data;
    } catch {
      data = undefined; // damaged compressed bytes: reported below like any other damage
    }
    if (!data || !createHash('sha256').update(data).digest().equals(hash)) {
      throw new LanfoldError(
        'DB_CORRUPT',
        `retained chunk ${hash.toString('hex').slice(0, 12)} is damaged`,
      );
    }
    return data;
  }

  totalStored(): number {
    this.total ??= this.stmts.total.get()?.total ?? 0;
    return this.total;
  }

  /**
   * Evicts least recently used chunks until the store is under `capBytes`, never evicting
   * a chunk in `keep`. Returns the number of chunks evicted.
   */
  prune(capBytes: number, keep: ReadonlySet<string> = new Set()): number {
    let total = this.totalStored();
    if (total <= capBytes) return 0;
    let evicted = 0;
    const run = this.db.transaction(() => {
      for (const row of this.stmts.oldest.all(1_000_000)) {
        if (total <= capBytes) break;
        if (keep.has(row.hash.toString('hex'))) continue;
        this.stmts.del.run(row.hash);
        total -= row.stored;
        if (this.total !== undefined) this.total -= row.stored;
        evicted++;
      }
    });
    run();
    return evicted;
  }
}
