import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { editRuns, type Run } from '../../../main/engine/myers.js';

/** Applies runs to `a`, taking insertions from `b`; throws when they do not fit. */
function apply(a: readonly number[], b: readonly number[], runs: readonly Run[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  for (const [op, count] of runs) {
    if (op === 0) {
      for (let c = 0; c < count; c++) {
        if (a[i] !== b[j]) throw new Error(`kept ${a[i]} at ${i} is not ${b[j]} at ${j}`);
        out.push(a[i++]!);
        j++;
      }
    } else if (op === -1) i += count;
    else for (let c = 0; c < count; c++) out.push(b[j++]!);
  }
  if (i !== a.length || j !== b.length) throw new Error('runs do not cover both sequences');
  return out;
}

/** Length of the longest common subsequence, by dynamic programming. */
function lcs(a: readonly number[], b: readonly number[]): number {
  let row = new Array<number>(b.length + 1).fill(0);
  for (const x of a) {
    const next = [0];
    for (let j = 0; j < b.length; j++)
      next.push(x === b[j] ? row[j]! + 1 : Math.max(row[j + 1]!, next[j]!));
    row = next;
  }
  return row[b.length]!;
}

const edits = (runs: readonly Run[]) => runs.reduce((s, [op, n]) => s + (op === 0 ? 0 : n), 0);
const small = fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 40 });

describe('editRuns', () => {
  it('turns a into b with the fewest deletions and insertions, never two runs of a kind in a row', () => {
    fc.assert(
      fc.property(small, small, (a, b) => {
        const runs = editRuns(a, b)!;
        expect(apply(a, b, runs)).toEqual(b);
        expect(edits(runs)).toBe(a.length + b.length - 2 * lcs(a, b));
        for (let i = 1; i < runs.length; i++) expect(runs[i]![0]).not.toBe(runs[i - 1]![0]);
        for (const [, n] of runs) expect(n).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });

  it('gives nothing for two empty sequences and one run for a one-sided change', () => {
    expect(editRuns([], [])).toEqual([]);
    expect(editRuns([1, 2], [])).toEqual([[-1, 2]]);
    expect(editRuns([], [1, 2, 3])).toEqual([[1, 3]]);
    expect(editRuns([7, 7], [7, 7])).toEqual([[0, 2]]);
  });

  it('costs nothing for a common prefix and suffix, however long', () => {
    const a = Array.from({ length: 200_000 }, (_, i) => i);
    const b = [...a.slice(0, 100_000), -1, ...a.slice(100_001)];
    expect(editRuns(a, b, 10)).toEqual([
      [0, 100_000],
      [-1, 1],
      [1, 1],
      [0, 99_999],
    ]);
  });

  it('gives up when the sequences differ more than the work bound allows', () => {
    const a = Array.from({ length: 1500 }, (_, i) => i);
    const reversed = [...a].reverse();
    expect(editRuns(a, reversed, 100_000)).toBeUndefined();
    expect(
      editRuns(
        a,
        reversed.map((x) => x + 1500),
        100_000,
      ),
    ).toBeUndefined();
    // The same inputs within a bound large enough: all but one element move.
    const runs = editRuns(a, reversed, 10_000_000)!;
    expect(apply(a, reversed, runs)).toEqual(reversed);
    expect(edits(runs)).toBe(2 * 1499);
  });

  it('finds a few changes in long sequences within a small bound', () => {
    const a = Array.from({ length: 100_000 }, (_, i) => i % 977);
    const b = [...a];
    b.splice(20_000, 3, -1, -2);
    b.splice(70_000, 0, -3);
    b.splice(90_000, 5);
    const runs = editRuns(a, b, 2_000_000)!;
    expect(apply(a, b, runs)).toEqual(b);
    expect(edits(runs)).toBe(3 + 2 + 1 + 5);
  });
});
