/**
 * Shortest edit scripts between two sequences of numbers (line ids, code points), by Myers'
 * greedy algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986), with a bound
 * on work. Its cost grows with the size of the inputs times the number of differences, so a
 * file rewritten or sorted would take seconds; past the bound this gives up and the caller
 * falls back (chunks on the wire, "too different" on screen). The common prefix and suffix
 * are taken off first and cost nothing.
 */

/** A run of the script: keep `count` items, delete `count` items of `a`, or insert `count` of `b`. */
export type Run = readonly [op: 0 | -1 | 1, count: number];

/** Work units (diagonal steps and snake steps) of a typical small edit: well under a millisecond. */
export const DEFAULT_MAX_WORK = 4_000_000;

/**
 * The runs turning `a` into `b` with the fewest deletions plus insertions, consecutive runs
 * never of the same kind; undefined when finding them would take more than `maxWork` steps.
 * Memory stays within about `maxWork` 32-bit numbers.
 */
export function editRuns(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  maxWork = DEFAULT_MAX_WORK,
): Run[] | undefined {
  const n = a.length;
  const m = b.length;
  let prefix = 0;
  while (prefix < n && prefix < m && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix && a[n - 1 - suffix] === b[m - 1 - suffix])
    suffix++;
  const middle = middleRuns(a, b, prefix, n - suffix, prefix, m - suffix, maxWork);
  if (!middle) return undefined;
  const runs = new RunList();
  runs.add(0, prefix);
  for (const [op, count] of middle) runs.add(op, count);
  runs.add(0, suffix);
  return runs.list;
}

/** Appends runs, merging one into the last when they are of the same kind (either direction of a walk). */
class RunList {
  readonly list: [0 | -1 | 1, number][] = [];

  add(op: 0 | -1 | 1, count: number): void {
    if (count === 0) return;
    const last = this.list[this.list.length - 1];
    if (last && last[0] === op) last[1] += count;
    else this.list.push([op, count]);
  }
}

/** Myers' forward search on a[a0, a1) and b[b0, b1), then a walk back along the saved frontiers. */
function middleRuns(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  a0: number,
  a1: number,
  b0: number,
  b1: number,
  maxWork: number,
): Run[] | undefined {
  const n = a1 - a0;
  const m = b1 - b0;
  if (n === 0 || m === 0) {
    const runs = new RunList();
    runs.add(-1, n);
    runs.add(1, m);
    return runs.list;
  }
  // Each round d costs at least d + 1 steps, so more than this many rounds exceed the bound.
  const maxD = Math.min(n + m, Math.ceil(Math.sqrt(2 * maxWork)) + 1);
  const offset = maxD + 1;
  // v[offset + k]: the furthest x reached on diagonal k (y = x - k).
  const v = new Int32Array(2 * maxD + 3);
  // frontiers[d]: v before round d, for k = -(d-1), -(d-3), ..., d-1 (the diagonals round d-1 set).
  const frontiers: Int32Array[] = [];
  let work = 0;
  for (let d = 0; d <= maxD; d++) {
    const saved = new Int32Array(d);
    for (let i = 0; i < d; i++) saved[i] = v[offset - (d - 1) + 2 * i]!;
    frontiers.push(saved);
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      const start = x;
      while (x < n && y < m && a[a0 + x] === b[b0 + y]) {
        x++;
        y++;
      }
      work += 1 + x - start;
      v[offset + k] = x;
      if (x >= n && y >= m) return walkBack(frontiers, d, n, m);
    }
    if (work > maxWork) return undefined;
  }
  return undefined;
}

/** Rebuilds the script from the frontiers saved before each round, from (n, m) back to (0, 0). */
function walkBack(frontiers: readonly Int32Array[], last: number, n: number, m: number): Run[] {
  const reversed = new RunList();
  let x = n;
  let y = m;
  for (let d = last; d > 0; d--) {
    const saved = frontiers[d]!;
    const at = (k: number): number => saved[(k + d - 1) / 2]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const startX = down ? prevX : prevX + 1;
    reversed.add(0, x - startX);
    reversed.add(down ? 1 : -1, 1);
    x = prevX;
    y = prevX - prevK;
  }
  reversed.add(0, x);
  return reversed.list.reverse();
}
