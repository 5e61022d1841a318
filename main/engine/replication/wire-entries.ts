/**
 * Converts log entries to their wire form and back. On the way out a file's chunk list is
 * sent as an edit of the receiver's base when the sender knows that base; on the way in,
 * the receiver resolves such an edit against its own entry for the path.
 */
import { applyChunkListDelta, diffChunkLists } from '../../protocol/chunk-delta.js';
import type { WireEntry } from '../../protocol/messages.js';
import { ChunkList } from '../chunk-list.js';
import type { Entry, NewEntry } from '../entry.js';
import type { RelPath } from '../relpath.js';

/** Below this many chunks a whole list is as small as an edit: send it whole. */
const DELTA_MIN_CHUNKS = 16;

export function toWire(entry: Entry | NewEntry, base?: Entry): WireEntry {
  let chunks: WireEntry['chunks'] = entry.chunks ? entry.chunks.packed : null;
  if (
    entry.chunks &&
    base?.chunks &&
    base.kind === 'file' &&
    entry.chunks.count >= DELTA_MIN_CHUNKS
  ) {
    const delta = diffChunkLists(base.chunks, entry.chunks);
    const deltaBytes = delta.ops.reduce((n, op) => n + (op[0] === 0 ? 12 : op[1].length + 4), 0);
    if (deltaBytes < entry.chunks.packed.length / 2) chunks = delta;
  }
  return {
    path: entry.path,
    op: entry.op,
    kind: entry.kind,
    size: entry.size,
    mtimeMs: entry.mtimeMs,
    mode: entry.mode,
    hash: entry.hash,
    target: entry.target,
    chunks,
    movedFrom: entry.movedFrom,
  };
}

/**
 * The entry a wire entry describes, with its chunk list resolved; undefined when it is an
 * edit of a base the receiver does not hold (the receiver then asks for a full delta).
 */
export function fromWire(
  wire: WireEntry,
  localBase: (path: RelPath) => Entry | undefined,
): NewEntry | undefined {
  let chunks: ChunkList | null = null;
  if (wire.chunks instanceof Uint8Array) {
    chunks = ChunkList.fromPacked(Buffer.from(wire.chunks));
  } else if (wire.chunks) {
    const base = localBase(wire.path);
    const resolved = base?.chunks ? applyChunkListDelta(base.chunks, wire.chunks) : undefined;
    if (!resolved) return undefined;
    chunks = resolved;
  }
  if (chunks && wire.hash !== null && chunks.rootHash() !== wire.hash) return undefined;
  return {
    path: wire.path,
    op: wire.op,
    kind: wire.kind,
    size: wire.size,
    mtimeMs: wire.mtimeMs,
    mode: wire.mode,
    ino: 0,
    hash: wire.hash,
    target: wire.target,
    chunks,
    movedFrom: wire.movedFrom,
  };
}
