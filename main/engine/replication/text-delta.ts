/**
 * Text deltas: a replica that holds the base version of a text file gets an edit script
 * instead of chunks. Built line by line first (a bounded Myers search over line ids), then
 * refined character by character with fast-diff within small changed regions; offered only
 * when both texts are valid UTF-8 under a size bound. Both steps are bounded in work (the
 * master builds deltas on its main thread): a file that changed too much goes as chunks,
 * and regions past the refining budget stay whole-line edits.
 */
import fastDiff from 'fast-diff';
import type { z } from 'zod';
import type { TextEdit } from '../../protocol/messages.js';
import { diffLines, looksBinary } from '../text-diff.js';

export type Edit = z.infer<typeof TextEdit>;

/** Texts larger than this are sent as chunks. */
export const TEXT_DELTA_MAX_BYTES = 1024 * 1024;
/** Changed regions up to this many code units are refined character by character. */
const REFINE_MAX = 4096;
/**
 * fast-diff's work on a region grows up to the square of its length: refining stops once
 * the squares of the refined regions' lengths add up to this (about 70 ms here).
 */
const REFINE_BUDGET = 16_000_000;

function decodeExact(data: Buffer): string | undefined {
  const text = data.toString('utf8');
  return Buffer.byteLength(text) === data.length && Buffer.from(text, 'utf8').equals(data)
    ? text
    : undefined;
}

/** The edit script turning `base` into `target`, or undefined when text deltas do not apply. */
export function makeTextDelta(base: Buffer, target: Buffer): Edit[] | undefined {
  if (base.length > TEXT_DELTA_MAX_BYTES || target.length > TEXT_DELTA_MAX_BYTES) return undefined;
  if (looksBinary(base) || looksBinary(target)) return undefined;
  const a = decodeExact(base);
  const b = decodeExact(target);
  if (a === undefined || b === undefined) return undefined;
  const ops = diffLines(a, b);
  if (!ops) return undefined;
  const edits: Edit[] = [];
  let budget = REFINE_BUDGET;
  const push = (e: Edit) => {
    const last = edits[edits.length - 1];
    if (last && last[0] === e[0]) {
      if (e[0] === 1) edits[edits.length - 1] = [1, (last[1] as string) + e[1]];
      else edits[edits.length - 1] = [e[0], (last[1] as number) + e[1]];
    } else edits.push(e);
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const text = op.lines.join('');
    if (op.kind === 'equal') {
      push([0, text.length]);
    } else if (op.kind === 'delete' && ops[i + 1]?.kind === 'insert' && text.length <= REFINE_MAX) {
      const inserted = ops[i + 1]!.lines.join('');
      const cost = (text.length + inserted.length) ** 2;
      if (inserted.length <= REFINE_MAX && cost <= budget) {
        budget -= cost;
        for (const [k, part] of fastDiff(text, inserted)) {
          if (k === fastDiff.EQUAL) push([0, part.length]);
          else if (k === fastDiff.DELETE) push([-1, part.length]);
          else push([1, part]);
        }
        i++;
        continue;
      }
      push([-1, text.length]);
    } else if (op.kind === 'delete') {
      push([-1, text.length]);
    } else {
      push([1, text]);
    }
  }
  return edits;
}

/** Applies an edit script; undefined when it does not fit the base. */
export function applyTextDelta(base: Buffer, edits: readonly Edit[]): Buffer | undefined {
  const a = decodeExact(base);
  if (a === undefined) return undefined;
  let pos = 0;
  const out: string[] = [];
  for (const e of edits) {
    if (e[0] === 0) {
      if (pos + e[1] > a.length) return undefined;
      out.push(a.slice(pos, pos + e[1]));
      pos += e[1];
    } else if (e[0] === -1) {
      if (pos + e[1] > a.length) return undefined;
      pos += e[1];
    } else {
      out.push(e[1]);
    }
  }
  if (pos !== a.length) return undefined;
  return Buffer.from(out.join(''), 'utf8');
}

/** Rough wire size of an edit script, to compare with sending chunks. */
export function editsCost(edits: readonly Edit[]): number {
  return edits.reduce((n, e) => n + (e[0] === 1 ? Buffer.byteLength(e[1]) + 4 : 6), 0);
}
