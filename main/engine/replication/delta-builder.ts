/**
 * Builds a delta (claims 13/17): the scope is the net effect per path over (from, to];
 * the content of each changed file is a text edit script against the replica's base
 * when that is smaller than the chunks the replica lacks, else its chunk list (as an
 * edit of the base list where that is smaller), with small files inline.
 */
import { readFileSync } from 'node:fs';
import type { TextDelta, WireEntry } from '../../protocol/messages.js';
import { INLINE_FILE_BYTES } from '../../protocol/messages.js';
import type { Entry } from '../entry.js';
import { loadFastHasher, type FastHasher } from '../fast-hash.js';
import { readEntryContent } from '../history-content.js';
import { resolveIn } from '../relpath.js';
import { hasStateAt, type ServedFolder } from './served-folder.js';
import { editsCost, makeTextDelta, TEXT_DELTA_MAX_BYTES } from './text-delta.js';
import { toWire } from './wire-entries.js';

export interface DeltaPart {
  readonly entries: WireEntry[];
  readonly texts: TextDelta[];
  readonly inline: { hash: string; data: Uint8Array }[];
}

const PART_MAX_ENTRIES = 2000;
const PART_MAX_BYTES = 4 * 1024 * 1024;
/** Work on the main thread between two turns of the event loop (heartbeats, votes, other replicas). */
const BUSY_SLICE_MS = 20;

export async function* buildDelta(
  folder: ServedFolder,
  from: number,
  to: number,
): AsyncGenerator<DeltaPart> {
  const log = folder.log;
  const scope = log.scope(from, to);
  // A relay may not hold the exact state at `from` (it applied that version together with
  // others): then nothing is sent as an edit of a base; the scope is still a superset.
  const based = from > 0 && hasStateAt(folder, from);
  const fast = await loadFastHasher();
  let part: DeltaPart = { entries: [], texts: [], inline: [] };
  let bytes = 0;
  let sliceStart = performance.now();
  for (const entry of scope) {
    // The event loop gets a turn every BUSY_SLICE_MS of building (a part's send is not one).
    if (performance.now() - sliceStart > BUSY_SLICE_MS) {
      await new Promise((r) => setImmediate(r));
      sliceStart = performance.now();
    }
    const base = based && entry.kind === 'file' ? log.entryAt(entry.path, from) : undefined;
    const wire = toWire(
      entry,
      base?.kind === 'file' ? base : undefined,
      based ? (p) => log.entryAt(p, from) : undefined,
    );
    part.entries.push(wire);
    bytes += 200 + (wire.chunks instanceof Uint8Array ? wire.chunks.length : 0);
    if (
      entry.kind === 'file' &&
      entry.hash &&
      base?.kind === 'file' &&
      base.hash &&
      base.hash !== entry.hash
    ) {
      const text = textDelta(folder, base, entry);
      if (text) {
        part.texts.push(text);
        bytes += editsCost(text.edits);
      }
    } else if (
      entry.kind === 'file' &&
      entry.size <= INLINE_FILE_BYTES &&
      entry.size > 0 &&
      (!base || base.hash !== entry.hash)
    ) {
      const data = inlineOf(folder.root, entry, fast);
      if (data) {
        part.inline.push({ hash: entry.hash!, data });
        bytes += data.length;
      }
    }
    if (part.entries.length >= PART_MAX_ENTRIES || bytes >= PART_MAX_BYTES) {
      yield part;
      part = { entries: [], texts: [], inline: [] };
      bytes = 0;
    }
  }
  if (part.entries.length > 0) yield part;
}

/** A text delta from `base` to `entry`, if both contents are available, textual, and the script is cheaper than chunks. */
function textDelta(folder: ServedFolder, base: Entry, entry: Entry): TextDelta | undefined {
  if (
    base.size > TEXT_DELTA_MAX_BYTES ||
    entry.size > TEXT_DELTA_MAX_BYTES ||
    !base.chunks ||
    !entry.chunks
  )
    return undefined;
  const have = new Set<string>();
  for (const c of base.chunks) have.add(c.hash.toString('hex'));
  let missing = 0;
  for (const c of entry.chunks) if (!have.has(c.hash.toString('hex'))) missing += c.size;
  if (missing === 0) return undefined;
  try {
    const a = readEntryContent(folder.root, folder.content, base, TEXT_DELTA_MAX_BYTES);
    const b = readEntryContent(folder.root, folder.content, entry, TEXT_DELTA_MAX_BYTES);
    const edits = makeTextDelta(a, b);
    if (!edits || editsCost(edits) >= missing * 0.8) return undefined;
    return { path: entry.path, baseHash: base.hash!, hash: entry.hash!, edits };
  } catch {
    return undefined; // base no longer retained, or the file moved on: chunks it is
  }
}

/**
 * The file's bytes if it still holds what was recorded. Checked chunk by chunk with the
 * chunks' fast hash (xxhash64, ~6× cheaper than SHA-256): this only keeps a file edited
 * since it was recorded from being sent; the replica verifies every inline file's SHA-256,
 * chunk by chunk, before staging it.
 */
function inlineOf(root: string, entry: Entry, fast: FastHasher): Uint8Array | undefined {
  if (!entry.chunks) return undefined;
  try {
    const data = readFileSync(resolveIn(root, entry.path));
    if (data.length !== entry.size) return undefined;
    let offset = 0;
    for (const chunk of entry.chunks) {
      if (fast.hash(data.subarray(offset, offset + chunk.size)) !== chunk.fast) return undefined;
      offset += chunk.size;
    }
    return offset === data.length ? data : undefined;
  } catch {
    return undefined;
  }
}
