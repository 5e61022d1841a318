/**
 * Fetches chunks from the upstream over a link, pipelined: up to a window of bytes is
 * requested ahead, and answers may arrive while earlier ones are being written. A cut
 * link fails every pending request at once (what already arrived stays staged).
 */
import { bulkBuffers } from '../buffer-pool.js';
import { bytesOf } from '../../protocol/codec.js';
import type { PeerLink } from '../../protocol/link.js';
import { MAX_CHUNK_BYTES, MAX_RUN_CHUNKS } from '../../protocol/messages.js';
import { matchesChunks, type Chunk } from '../chunk-list.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { RelPath } from '../relpath.js';

export class ChunkUnavailable extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`chunk of ${path} unavailable upstream: ${reason}`);
    this.name = 'ChunkUnavailable';
  }
}

export class LinkLost extends Error {
  constructor(reason: string) {
    super(`connection to upstream lost: ${reason}`);
    this.name = 'LinkLost';
  }
}

/** One run asked for: what it waits for, and whether it must go in a `get` of its own. */
interface Member {
  readonly req: RunRequest;
  readonly size: number;
  readonly alone: boolean;
  resolve(data: Buffer): void;
  reject(err: Error): void;
}

/** A `get` in flight: the runs it asked for, in the order their bytes come back. */
interface Pending {
  readonly members: readonly Member[];
  readonly size: number;
}

export interface ChunkRequest {
  readonly path: RelPath;
  readonly version: number;
  readonly index: number;
  readonly chunk: Chunk;
}

/** Consecutive chunks of one file, starting at chunk `index`: asked for with one `get`. */
export interface RunRequest {
  readonly path: RelPath;
  readonly version: number;
  readonly index: number;
  readonly chunks: readonly Chunk[];
}

/**
 * A run's bytes at most (one `data` message carries it); its chunks at most: MAX_RUN_CHUNKS.
 * One request per 1 MiB instead of one per 64 KiB chunk cuts the messages, writes and
 * promise turns of a large download sixteenfold.
 */
export const RUN_BYTES = MAX_CHUNK_BYTES;

/**
 * How long requests may wait without any answer before the link counts as stalled: it is
 * then closed, which fails the pending requests (what arrived stays staged) and makes the
 * daemon dial again. A live upstream answers within seconds even when slow.
 */
const STALL_MS = 60_000;

/**
 * Bytes of chunk requests in flight at most (docs/protocol.md allows up to 16 MiB). 16 MiB
 * was tried for the initial sync of a 512 MiB file: no measurable gain on loopback (transfer
 * 10.2–10.9 s vs 5.7–12.1 s with 4 MiB on a loaded machine, replica CPU 6.7–7.6 s vs
 * 6.5–6.7 s) and ~30 MiB more peak RSS per replica, so the window stays at 4 MiB. With whole
 * 1 MiB runs and pooled buffers, 8 MiB was no better either: 3.26–3.44 s against 3.06–3.20 s
 * for a replica joining (3 alternated pairs, idle machine).
 */
export const FETCH_WINDOW_BYTES = 4 * 1024 * 1024;

export class Fetcher {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private inFlightBytes = 0;
  /** Runs not asked for yet (the window was full), oldest first. */
  private waiting: Member[] = [];
  private pumpQueued = false;
  private lost: string | undefined;
  /** Checks, while requests are pending, that answers keep coming (one timer, not one per chunk). */
  private watchdog: TimerHandle | undefined;
  /** When the last answer arrived, or requests started after a quiet spell. */
  private progressAt = 0;
  /** Bytes received (for progress and the wire counters). */
  received = 0;

  constructor(
    private readonly link: PeerLink,
    private readonly folder: string,
    private readonly clock: Clock,
    private readonly windowBytes = FETCH_WINDOW_BYTES,
    private readonly stallMs = STALL_MS,
  ) {
    link.onClose((reason) => this.fail(reason));
  }

  /**
   * Requests one chunk; resolves with its verified bytes. Requests go out in the order they
   * are made (first in, first out), each once the window has room for it: a large chunk is
   * never overtaken by later small ones, so answers come back in file order and a cut loses
   * at most the window.
   */
  fetch(req: ChunkRequest): Promise<Buffer> {
    return this.fetchRun({
      path: req.path,
      version: req.version,
      index: req.index,
      chunks: [req.chunk],
    });
  }

  /**
   * Requests consecutive chunks of one file with one `get` (at most MAX_RUN_CHUNKS and
   * RUN_BYTES); resolves with their bytes back to back, each chunk verified. Same order and
   * window rules as `fetch`.
   */
  fetchRun(req: RunRequest): Promise<Buffer> {
    if (this.lost !== undefined || this.link.closed)
      return Promise.reject(new LinkLost(this.lost ?? 'closed'));
    let size = 0;
    for (const c of req.chunks) size += c.size;
    if (req.chunks.length === 0 || req.chunks.length > MAX_RUN_CHUNKS || size > RUN_BYTES)
      return Promise.reject(
        new RangeError(`a run of ${req.chunks.length} chunks (${size} bytes) is not requestable`),
      );
    return new Promise<Buffer>((resolve, reject) => {
      this.waiting.push({ req, size, alone: false, resolve, reject });
      // Runs asked for in one go (staging starts many files at once) leave together.
      if (!this.pumpQueued) {
        this.pumpQueued = true;
        queueMicrotask(() => {
          this.pumpQueued = false;
          this.pump();
        });
      }
    });
  }

  /**
   * Sends waiting runs, oldest first, while the window has room (one always goes when none
   * is in flight). Runs of the same version that wait together go in one `get` of up to
   * RUN_BYTES and MAX_RUN_CHUNKS: many small files then cost what one large run does. While
   * answers are due, a `get` that could still grow waits until a whole run fits the window.
   */
  private pump(): void {
    while (this.waiting.length > 0 && this.lost === undefined) {
      const busy = this.inFlightBytes > 0;
      const room = this.windowBytes - this.inFlightBytes;
      const first = this.waiting[0]!;
      if (busy && first.size > room) return;
      let size = first.size;
      let chunks = first.req.chunks.length;
      let count = 1;
      for (; !first.alone && count < this.waiting.length; count++) {
        const next = this.waiting[count]!;
        const fits =
          !next.alone &&
          next.req.version === first.req.version &&
          size + next.size <= RUN_BYTES &&
          chunks + next.req.chunks.length <= MAX_RUN_CHUNKS;
        if (!fits) break;
        // Room for a whole run comes with the next answers: ask for more at once then.
        if (busy && size + next.size > room) return;
        size += next.size;
        chunks += next.req.chunks.length;
      }
      this.send(this.waiting.splice(0, count), size);
    }
  }

  private send(members: Member[], size: number): void {
    const id = this.nextId++;
    if (this.pending.size === 0) this.progressAt = this.clock.now();
    if (this.watchdog === undefined) this.armWatchdog(this.stallMs);
    this.inFlightBytes += size;
    this.pending.set(id, { members, size });
    const [first, ...rest] = members.map(({ req }) => ({
      path: req.path,
      index: req.index,
      hash: req.chunks[0]!.hash.toString('hex'),
      // A single chunk is asked for as protocol 1 did (no count).
      ...(req.chunks.length > 1 ? { count: req.chunks.length } : {}),
    }));
    this.link.send({
      t: 'get',
      folder: this.folder,
      id,
      version: members[0]!.req.version,
      ...first!,
      ...(rest.length > 0 ? { more: rest } : {}),
    });
  }

  /** Handles `data` / `nodata` answers. */
  onAnswer(id: number, data: Uint8Array | undefined, reason?: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.inFlightBytes -= p.size;
    this.progressAt = this.clock.now();
    const { members } = p;
    const buf = data ? bytesOf(data) : undefined;
    if (!buf || buf.length !== p.size) {
      // A batch the upstream could not serve whole (or that holds a run of another version:
      // a file that changed there shifts every run after it) is asked for run by run, so that
      // the runs it has arrive and only the others fail.
      if (members.length > 1) this.waiting.unshift(...members.map((m) => ({ ...m, alone: true })));
      this.pump();
      const why = buf ? 'bytes did not match their hash' : (reason ?? 'gone');
      if (members.length === 1) members[0]!.reject(new ChunkUnavailable(members[0]!.req.path, why));
      return;
    }
    this.pump();
    // Views, not copies: each run's bytes are written to its staged file and released.
    // Each run's holder releases its own piece (staging does, once it is written).
    if (members.length > 1) bulkBuffers.share(buf, members.length);
    let at = 0;
    for (const m of members) {
      const piece = buf.subarray(at, at + m.size);
      at += m.size;
      if (!matchesChunks(piece, m.req.chunks)) {
        m.reject(new ChunkUnavailable(m.req.path, 'bytes did not match their hash'));
        continue;
      }
      this.received += piece.length;
      m.resolve(piece);
    }
  }

  private armWatchdog(ms: number): void {
    this.watchdog = this.clock.setTimeout(() => {
      this.watchdog = undefined;
      if (this.pending.size === 0 || this.lost !== undefined) return;
      const quiet = this.clock.now() - this.progressAt;
      if (quiet < this.stallMs) return this.armWatchdog(this.stallMs - quiet);
      this.link.close(`upstream stalled: no chunk arrived for ${this.stallMs / 1000} s`);
    }, ms);
  }

  /** Fails every pending and waiting request (the replica switched to another upstream). */
  abort(reason: string): void {
    this.fail(reason);
  }

  private fail(reason: string): void {
    this.watchdog?.cancel();
    this.watchdog = undefined;
    this.lost = reason;
    for (const p of this.pending.values())
      for (const m of p.members) m.reject(new LinkLost(reason));
    this.pending.clear();
    this.inFlightBytes = 0;
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) w.reject(new LinkLost(reason));
  }
}
