/**
 * `npm run bench -- atomic-view [--files N] [--runs R]`: the cost of one atomic-view switch
 * when nothing changed: building the next version directory from the current one (one
 * directory made per directory, one hard link per file) and switching the link. A tree of
 * N small files in directories of 100 is built once; the build is timed R times (median).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { linkTree, removeTree } from '../main/engine/replica/view/tree.js';

export const summary = 'atomic view: build a version directory of N unchanged files (hard links)';

function option(args: string[], name: string, fallback: number, max: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} takes 1..${max}`);
  return n;
}

export function run(args: string[]): number {
  const files = option(args, '--files', 10_000, 1_000_000);
  const runs = option(args, '--runs', 5, 100);
  const base = mkdtempSync(path.join(os.tmpdir(), 'lanfold-bench-view-'));
  try {
    const from = path.join(base, 'v1');
    for (let i = 0; i < files; i++) {
      const dir = path.join(from, `d${Math.floor(i / 100)}`);
      if (i % 100 === 0) mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `f${i}.txt`), `file ${i}\n`);
    }
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const to = path.join(base, `v${r + 2}`);
      const t0 = performance.now();
      linkTree(from, to);
      times.push(performance.now() - t0);
      const t1 = performance.now();
      removeTree(to);
      times.push(-(performance.now() - t1)); // reclaim times kept apart (negative)
    }
    const builds = times.filter((t) => t >= 0).sort((a, b) => a - b);
    const reclaims = times
      .filter((t) => t < 0)
      .map((t) => -t)
      .sort((a, b) => a - b);
    const median = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
    process.stdout.write(
      `${files} files in ${Math.ceil(files / 100)} directories, ${runs} runs\n` +
        `build (hard links): median ${median(builds).toFixed(0)} ms, ${((median(builds) * 1000) / files).toFixed(1)} µs per file\n` +
        `reclaim (remove):   median ${median(reclaims).toFixed(0)} ms\n`,
    );
    return 0;
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}
