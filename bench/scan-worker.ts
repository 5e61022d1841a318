/**
 * One Lanfold scan in its own process, so that its peak RSS is its own. Run by bench/scan.ts:
 *
 *   node dist/bench/scan-worker.js --root DIR --data DIR [--file REL]
 *
 * It opens (or creates) the MasterFolder of DIR with its state in --data, records what changed
 * (the initial scan when the state is new), waits for content retention, closes, and prints one
 * JSON line (ScanWorkerResult). With --file, it also reports how much of that file's content is
 * new since the previous version, and times redigestFile of it alone against the previous
 * chunk list, which says how many bytes the re-chunker hashed again. With --exit-after-record
 * it prints its result as soon as the version is committed and exits without waiting for
 * content retention (retainMs and closeMs are then null). With --warm-up FILE it first digests
 * and re-digests FILE (outside the folder), so the timed scan runs JIT-compiled code, as in a
 * daemon that has been running for a while.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { digestFile, redigestFile } from '../main/engine/chunker.js';
import { loadFastHasher } from '../main/engine/fast-hash.js';
import { DEFAULT_FOLDER_SETTINGS } from '../main/engine/folder-settings.js';
import { MasterFolder } from '../main/engine/master-folder.js';
import { toRelPath } from '../main/engine/relpath.js';

export interface ScanWorkerResult {
  /** Version number before and after. */
  readonly headBefore: number;
  readonly headAfter: number;
  /** Entries written and bytes of new file content, as the version log counts them. */
  readonly changes: number;
  readonly versionBytes: number;
  /** Live files and their bytes at the head afterwards. */
  readonly files: number;
  readonly bytes: number;
  /** Constructing the MasterFolder: opening the databases and loading the index. */
  readonly openMs: number;
  /** `rescan()` until it resolved: walk, hash, commit (the version is recorded). */
  readonly recordMs: number;
  /** Then until `idle()`: copying new small files into the content store (null: not waited for). */
  readonly retainMs: number | null;
  readonly closeMs: number | null;
  readonly maxRssKiB: number;
  /** CPU time (user + system, all threads) of the whole process. */
  readonly userMs: number;
  readonly systemMs: number;
  /** CPU time from opening to the version being committed (openMs + recordMs). */
  readonly scanCpuMs: number;
  /** CPU time of the rescan alone (recordMs). */
  readonly recordCpuMs: number;
  readonly file?: FileReport;
}

export interface FileReport {
  readonly size: number;
  readonly chunks: number;
  /** Chunks of the new version whose SHA-256 is not in the previous version of the file. */
  readonly newChunks: number;
  readonly newChunkBytes: number;
  /** redigestFile alone, run after the timed rescan (so from the page cache); null on a first scan. */
  readonly redigestMs: number | null;
  readonly rehashedBytes: number | null;
  readonly reusedChunks: number | null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      data: { type: 'string' },
      file: { type: 'string' },
      'exit-after-record': { type: 'boolean', default: false },
      'warm-up': { type: 'string' },
    },
    strict: true,
  });
  if (!values.root || !values.data) throw new Error('usage: scan-worker --root DIR --data DIR');
  // A running daemon has these loaded already; keep their one-time cost out of the timing.
  await loadFastHasher();
  if (values['warm-up'] !== undefined) {
    // ...and its chunking code compiled by the JIT: run both paths over a scratch file first.
    const d = await digestFile(values['warm-up']);
    await redigestFile(values['warm-up'], d.chunks);
  }

  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const folder = new MasterFolder({
    id: 'bench',
    root: values.root,
    dataDir: values.data,
    settings: DEFAULT_FOLDER_SETTINGS,
  });
  const headBefore = folder.head();
  const rel = values.file === undefined ? undefined : toRelPath(values.file);
  const previous = rel ? (folder.log.entryAt(rel, headBefore)?.chunks ?? null) : null;
  const t1 = performance.now();
  const c1 = process.cpuUsage();
  const info = await folder.rescan();
  const t2 = performance.now();
  const c2 = process.cpuUsage();
  const cpuMs = (from: NodeJS.CpuUsage, to: NodeJS.CpuUsage): number =>
    (to.user - from.user + to.system - from.system) / 1000;
  const scanCpuMs = cpuMs(c0, c2);
  const recordCpuMs = cpuMs(c1, c2);
  if (values['exit-after-record']) {
    const usage = process.resourceUsage();
    const totals = folder.totals();
    const result: ScanWorkerResult = {
      headBefore,
      headAfter: folder.head(),
      changes: info?.changes ?? 0,
      versionBytes: info?.bytes ?? 0,
      files: totals.files,
      bytes: totals.bytes,
      openMs: t1 - t0,
      recordMs: t2 - t1,
      retainMs: null,
      closeMs: null,
      maxRssKiB: usage.maxRSS,
      userMs: usage.userCPUTime / 1000,
      systemMs: usage.systemCPUTime / 1000,
      scanCpuMs,
      recordCpuMs,
    };
    // Exit now: retention would go on in the background, and close() waits for it.
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    return;
  }
  await folder.idle();
  const t3 = performance.now();
  const totals = folder.totals();
  const headAfter = folder.head();
  const current = rel ? (folder.log.entryAt(rel, headAfter)?.chunks ?? null) : null;
  await folder.close();
  const t4 = performance.now();
  const usage = process.resourceUsage();

  let file: FileReport | undefined;
  if (rel && current) {
    const old = new Set<string>();
    if (previous) for (const c of previous) old.add(c.hash.toString('hex'));
    let newChunks = 0;
    let newChunkBytes = 0;
    for (const c of current) {
      if (old.has(c.hash.toString('hex'))) continue;
      newChunks++;
      newChunkBytes += c.size;
    }
    let redigestMs: number | null = null;
    let rehashedBytes: number | null = null;
    let reusedChunks: number | null = null;
    if (previous) {
      const r0 = performance.now();
      const d = await redigestFile(path.join(values.root, ...rel.split('/')), previous);
      redigestMs = performance.now() - r0;
      rehashedBytes = d.rehashedBytes;
      reusedChunks = d.reusedChunks;
    }
    file = {
      size: current.totalSize(),
      chunks: current.count,
      newChunks,
      newChunkBytes,
      redigestMs,
      rehashedBytes,
      reusedChunks,
    };
  }

  const result: ScanWorkerResult = {
    headBefore,
    headAfter,
    changes: info?.changes ?? 0,
    versionBytes: info?.bytes ?? 0,
    files: totals.files,
    bytes: totals.bytes,
    openMs: t1 - t0,
    recordMs: t2 - t1,
    retainMs: t3 - t2,
    closeMs: t4 - t3,
    // Measured before the redigestFile check, so it is the scan's own peak.
    maxRssKiB: usage.maxRSS,
    userMs: usage.userCPUTime / 1000,
    systemMs: usage.systemCPUTime / 1000,
    scanCpuMs,
    recordCpuMs,
    ...(file ? { file } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
