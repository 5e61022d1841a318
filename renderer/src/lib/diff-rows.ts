/**
 * Turning a line diff (runs of equal, deleted and inserted lines) into the rows the diff
 * view draws: one column (inline) or two (side by side, deletions paired with the
 * insertions that replace them). Long unchanged stretches fold into one "unchanged lines"
 * row that can be opened.
 */

export interface LineRun {
  readonly kind: 'equal' | 'insert' | 'delete';
  readonly lines: readonly string[];
}

/** One line of the inline view. */
export interface InlineRow {
  readonly type: 'line';
  readonly kind: 'equal' | 'insert' | 'delete';
  readonly oldNo: number | undefined;
  readonly newNo: number | undefined;
  readonly text: string;
}

/** One row of the side-by-side view: the old line on the left, the new one on the right. */
export interface SplitRow {
  readonly type: 'pair';
  readonly left:
    { readonly no: number; readonly text: string; readonly changed: boolean } | undefined;
  readonly right:
    { readonly no: number; readonly text: string; readonly changed: boolean } | undefined;
}

/** A folded stretch of `count` unchanged lines (index of the fold, to open it). */
export interface FoldRow {
  readonly type: 'fold';
  readonly fold: number;
  readonly count: number;
}

/** Lines of context kept around each change. */
export const CONTEXT_LINES = 3;
/** Unchanged stretches shorter than this are never folded. */
const MIN_FOLD = 8;

/** The text of a line without its line break. */
function bare(line: string): string {
  return line.replace(/\r?\n$/, '');
}

export interface DiffStats {
  readonly added: number;
  readonly removed: number;
}

export function diffStats(runs: readonly LineRun[]): DiffStats {
  let added = 0;
  let removed = 0;
  for (const r of runs) {
    if (r.kind === 'insert') added += r.lines.length;
    else if (r.kind === 'delete') removed += r.lines.length;
  }
  return { added, removed };
}

/**
 * Splits the equal runs into shown context and folds. `open` holds the indexes of folds the
 * user opened. Returns, per run, either the run itself or pieces of it.
 */
type Piece =
  | {
      readonly kind: 'run';
      readonly run: LineRun;
      readonly oldStart: number;
      readonly newStart: number;
    }
  | { readonly kind: 'fold'; readonly fold: number; readonly count: number };

function pieces(runs: readonly LineRun[], open: ReadonlySet<number>): Piece[] {
  const out: Piece[] = [];
  let oldNo = 1;
  let newNo = 1;
  let fold = 0;
  runs.forEach((run, i) => {
    const n = run.lines.length;
    if (run.kind === 'equal') {
      const head = i === 0 ? 0 : CONTEXT_LINES;
      const tail = i === runs.length - 1 ? 0 : CONTEXT_LINES;
      const hidden = n - head - tail;
      if (hidden >= MIN_FOLD && !open.has(fold)) {
        if (head > 0)
          out.push({
            kind: 'run',
            run: { kind: 'equal', lines: run.lines.slice(0, head) },
            oldStart: oldNo,
            newStart: newNo,
          });
        out.push({ kind: 'fold', fold, count: hidden });
        if (tail > 0)
          out.push({
            kind: 'run',
            run: { kind: 'equal', lines: run.lines.slice(n - tail) },
            oldStart: oldNo + n - tail,
            newStart: newNo + n - tail,
          });
      } else {
        out.push({ kind: 'run', run, oldStart: oldNo, newStart: newNo });
      }
      if (hidden >= MIN_FOLD) fold++;
      oldNo += n;
      newNo += n;
    } else {
      out.push({ kind: 'run', run, oldStart: oldNo, newStart: newNo });
      if (run.kind === 'delete') oldNo += n;
      else newNo += n;
    }
  });
  return out;
}

export function inlineRows(
  runs: readonly LineRun[],
  open: ReadonlySet<number>,
): (InlineRow | FoldRow)[] {
  const rows: (InlineRow | FoldRow)[] = [];
  for (const p of pieces(runs, open)) {
    if (p.kind === 'fold') {
      rows.push({ type: 'fold', fold: p.fold, count: p.count });
      continue;
    }
    p.run.lines.forEach((line, j) => {
      rows.push({
        type: 'line',
        kind: p.run.kind,
        oldNo: p.run.kind === 'insert' ? undefined : p.oldStart + j,
        newNo: p.run.kind === 'delete' ? undefined : p.newStart + j,
        text: bare(line),
      });
    });
  }
  return rows;
}

export function splitRows(
  runs: readonly LineRun[],
  open: ReadonlySet<number>,
): (SplitRow | FoldRow)[] {
  const rows: (SplitRow | FoldRow)[] = [];
  const ps = pieces(runs, open);
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    if (p.kind === 'fold') {
      rows.push({ type: 'fold', fold: p.fold, count: p.count });
      continue;
    }
    if (p.run.kind === 'equal') {
      p.run.lines.forEach((line, j) => {
        const text = bare(line);
        rows.push({
          type: 'pair',
          left: { no: p.oldStart + j, text, changed: false },
          right: { no: p.newStart + j, text, changed: false },
        });
      });
      continue;
    }
    // A deletion followed by an insertion is a replacement: pair their lines.
    let deleted: Extract<Piece, { kind: 'run' }> | undefined;
    let inserted: Extract<Piece, { kind: 'run' }> | undefined;
    if (p.run.kind === 'delete') {
      deleted = p;
      const next = ps[i + 1];
      if (next?.kind === 'run' && next.run.kind === 'insert') {
        inserted = next;
        i++;
      }
    } else {
      inserted = p;
    }
    const n = Math.max(deleted?.run.lines.length ?? 0, inserted?.run.lines.length ?? 0);
    for (let j = 0; j < n; j++) {
      const l = deleted?.run.lines[j];
      const r = inserted?.run.lines[j];
      rows.push({
        type: 'pair',
        left:
          l === undefined || !deleted
            ? undefined
            : { no: deleted.oldStart + j, text: bare(l), changed: true },
        right:
          r === undefined || !inserted
            ? undefined
            : { no: inserted.newStart + j, text: bare(r), changed: true },
      });
    }
  }
  return rows;
}
