/**
 * Converts log entries to their wire form and back. On the way out a file's chunk list is
 * sent as an edit of the receiver's base when the sender knows that base; on the way in,
 * the receiver resolves such an edit against its own entry for the path.
 */
import {
  applyChunkListDelta,
  diffChunkLists,
  type ChunkListDelta,
} from '../../protocol/chunk-delta.js';
import type { WireEntry } from '../../protocol/messages.js';
import { ChunkList } from '../chunk-list.js';
import type { Entry, NewEntry } from '../entry.js';
import { isRelPath, parentOf, type RelPath } from '../relpath.js';

/** Below this many chunks a whole list is as small as an edit: send it whole. */
const DELTA_MIN_CHUNKS = 16;

/**
 * The wire form of `entry`. Its chunk list goes as an edit of `base` (the receiver's entry
 * for the same path) when that is much smaller; failing that, of a file the entry looks like
 * a temporary copy of (`baseNamed`, looked up in the receiver's state by name, see
 * copySourceCandidates), so an editor's save through a new file costs an edit, not a list.
 */
export function toWire(
  entry: Entry | NewEntry,
  base?: Entry,
  baseNamed?: (path: RelPath) => Entry | undefined,
): WireEntry {
  let chunks: WireEntry['chunks'] = entry.chunks ? entry.chunks.packed : null;
  if (entry.chunks && entry.chunks.count >= DELTA_MIN_CHUNKS) {
    const target = entry.chunks;
    const worth = (delta: ChunkListDelta) =>
      delta.ops.reduce((n, op) => n + (op[0] === 0 ? 12 : op[1].length + 4), 0) <
      target.packed.length / 2;
    const own = base?.kind === 'file' && base.chunks ? diffChunkLists(base.chunks, target) : null;
    if (own && worth(own)) chunks = own;
    else if (baseNamed && entry.op !== 'move') {
      for (const candidate of copySourceCandidates(entry.path)) {
        const other = baseNamed(candidate);
        if (other?.kind !== 'file' || !other.chunks) continue;
        const delta = diffChunkLists(other.chunks, target, candidate);
        if (worth(delta)) {
          chunks = delta;
          break;
        }
      }
    }
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
    const from = wire.chunks.from;
    if (from !== undefined && !isRelPath(from)) return undefined;
    const base = localBase(from ?? wire.path);
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

/**
 * The files a new file may be a temporary copy of, by the names editors and tools give such
 * copies: `name.tmp` / `name.partial` / `name.XXXXXX` (whatever the last extension), `name~`, and the
 * hidden `.name.swp` / `.name.tmp`. Only names in the same directory; at most three.
 */
export function copySourceCandidates(path: RelPath): RelPath[] {
  const dir = parentOf(path);
  const name = path.slice(dir === undefined ? 0 : dir.length + 1);
  const names = new Set<string>();
  if (name.endsWith('~') && name.length > 1) names.add(name.slice(0, -1));
  const dot = name.lastIndexOf('.');
  if (dot > 0) names.add(name.slice(0, dot));
  if (name.startsWith('.') && dot > 1) names.add(name.slice(1, dot));
  const out: RelPath[] = [];
  for (const n of names) {
    const candidate = dir === undefined ? n : `${dir}/${n}`;
    if (n.length > 0 && candidate !== path && isRelPath(candidate)) out.push(candidate);
  }
  return out.slice(0, 3);
}
