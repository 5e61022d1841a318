/**
 * Line-level text diffs: lines are mapped to numbers (one per distinct line) and diffed with
 * a bounded Myers search. Inputs over a size bound, or too different to diff within the work
 * bound, are refused: callers fall back to "files differ" (or, on the wire, to chunks).
 */
import { DEFAULT_MAX_WORK, editRuns } from './myers.js';

export type LineOp = {
  readonly kind: 'equal' | 'insert' | 'delete';
  readonly lines: readonly string[];
};

/** Inputs beyond this many bytes (each) are not diffed as text. */
export const MAX_TEXT_DIFF_BYTES = 4 * 1024 * 1024;

/** Heuristic used by git: a NUL in the first 8000 bytes means binary. */
export function looksBinary(data: Buffer): boolean {
  return data.subarray(0, 8000).includes(0);
}

export type TextDiffResult =
  | { readonly kind: 'text'; readonly ops: LineOp[] }
  | { readonly kind: 'binary' }
  | { readonly kind: 'too-large' };

export function diffBuffers(a: Buffer, b: Buffer): TextDiffResult {
  if (looksBinary(a) || looksBinary(b)) return { kind: 'binary' };
  if (a.length > MAX_TEXT_DIFF_BYTES || b.length > MAX_TEXT_DIFF_BYTES)
    return { kind: 'too-large' };
  const ops = diffLines(a.toString('utf8'), b.toString('utf8'));
  return ops ? { kind: 'text', ops } : { kind: 'too-large' };
}

/** Splits into lines, each keeping its line break (so the last may lack one). */
export function splitLines(text: string): string[] {
  const out = text.split(/(?<=\n)/);
  return out.length === 1 && out[0] === '' ? [] : out;
}

/**
 * The line diff of two texts, or undefined when they differ too much to diff within
 * `maxWork` steps (see editRuns; a typical edit of even a large file needs far fewer).
 */
export function diffLines(a: string, b: string, maxWork = DEFAULT_MAX_WORK): LineOp[] | undefined {
  const ids = new Map<string, number>();
  const linesA = splitLines(a);
  const linesB = splitLines(b);
  const encode = (lines: readonly string[]): Int32Array => {
    const out = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      let id = ids.get(lines[i]!);
      if (id === undefined) ids.set(lines[i]!, (id = ids.size));
      out[i] = id;
    }
    return out;
  };
  const runs = editRuns(encode(linesA), encode(linesB), maxWork);
  if (!runs) return undefined;
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  for (const [op, count] of runs) {
    if (op === 0) {
      ops.push({ kind: 'equal', lines: linesA.slice(i, i + count) });
      i += count;
      j += count;
    } else if (op === -1) {
      ops.push({ kind: 'delete', lines: linesA.slice(i, i + count) });
      i += count;
    } else {
      ops.push({ kind: 'insert', lines: linesB.slice(j, j + count) });
      j += count;
    }
  }
  return ops;
}

export interface UnifiedOptions {
  readonly context?: number;
  readonly color?: boolean;
  readonly labelA?: string;
  readonly labelB?: string;
}

/** Formats a line diff as a unified diff (hunks with `context` lines around changes). */
export function formatUnified(ops: readonly LineOp[], options: UnifiedOptions = {}): string {
  const context = options.context ?? 3;
  const paint = (code: string, s: string) => (options.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  type Row = { sign: ' ' | '+' | '-'; text: string; a: number; b: number };
  const rows: Row[] = [];
  let a = 1;
  let b = 1;
  for (const op of ops) {
    for (const line of op.lines) {
      if (op.kind === 'equal') rows.push({ sign: ' ', text: line, a: a++, b: b++ });
      else if (op.kind === 'delete') rows.push({ sign: '-', text: line, a: a++, b });
      else rows.push({ sign: '+', text: line, a, b: b++ });
    }
  }
  const changed = rows.map((r, i) => (r.sign !== ' ' ? i : -1)).filter((i) => i >= 0);
  if (changed.length === 0) return '';
  const out: string[] = [];
  if (options.labelA !== undefined) out.push(paint('1', `--- ${options.labelA}`));
  if (options.labelB !== undefined) out.push(paint('1', `+++ ${options.labelB}`));
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i]! - context);
    let end = Math.min(rows.length, changed[i]! + context + 1);
    while (i + 1 < changed.length && changed[i + 1]! - context <= end) {
      i++;
      end = Math.min(rows.length, changed[i]! + context + 1);
    }
    i++;
    const hunk = rows.slice(start, end);
    const aCount = hunk.filter((r) => r.sign !== '+').length;
    const bCount = hunk.filter((r) => r.sign !== '-').length;
    const first = hunk[0]!;
    out.push(
      paint(
        '36',
        `@@ -${aCount ? first.a : first.a - 1},${aCount} +${bCount ? first.b : first.b - 1},${bCount} @@`,
      ),
    );
    for (const r of hunk) {
      const text = r.text.endsWith('\n')
        ? r.text.slice(0, -1)
        : `${r.text}\n\\ No newline at end of file`;
      const line = `${r.sign}${text}`;
      out.push(r.sign === '+' ? paint('32', line) : r.sign === '-' ? paint('31', line) : line);
    }
  }
  return out.join('\n') + '\n';
}
