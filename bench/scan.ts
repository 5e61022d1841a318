/**
 * `npm run bench -- scan`: how fast Lanfold records a folder, beside find, sha256sum and
 * openssl on the same data in the same run.
 *
 * - initial scan of many small files (20,000 of 1–8 KiB in 50 × 7 directories), then the time
 *   Lanfold spends afterwards copying them into its content store (retention);
 * - rescan of that tree with nothing changed (open the state, walk, stat), beside `find -printf`;
 * - initial scan of one 512 MiB random file, and of a 64 MiB one (peak RSS must not grow);
 * - recording the 512 MiB file again after 1 MiB is overwritten in the middle, inserted in
 *   the middle, or appended (target: under 0.5 s), with the bytes hashed again.
 *
 * Each Lanfold run is a fresh process (bench/scan-worker.ts) so its peak RSS is its own; the
 * other tools run under GNU time. Cold runs follow `sync` + drop_caches. Every measurement is
 * repeated (--repeat, default 2) and the fastest sample is reported.
 */
import { createCipheriv, createHash, type Cipher } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  cpuPressure,
  dropCaches,
  fmt,
  formatTable,
  gitRevision,
  loadAverage,
  machineInfo,
  makeScratchDir,
  MIB,
  removeOnExit,
  REPO_ROOT,
  runNodeWorker,
  syncDisks,
  timeShell,
  writeJsonResult,
  type MachineInfo,
} from './lib.js';
import { summarizeProfile } from './profile.js';
import type { ScanWorkerResult } from './scan-worker.js';

export const summary =
  'initial scan of 20,000 small files and of a 512 MiB file, rescans after 1 MiB edits; vs find/sha256sum';

const USAGE = `usage: npm run bench -- scan [options]

  --files N        small files to generate (default 20000)
  --big-mib N      size of the big file, MiB (default 512)
  --flat-mib N     size of the second big file, to check RSS is flat in size (default 64)
  --repeat N       samples per measurement; the fastest is reported (default 2)
  --warm-only      do not drop the page cache (cold runs need root)
  --out FILE       JSON results (default bench/results/scan-latest.json; "-" for none)
  --cpu-prof DIR   profile every Lanfold run with node --cpu-prof into DIR, print top functions
  --keep           keep the generated data (its directory is printed)
`;

type Cache = 'cold' | 'warm';

interface Sample {
  /** The figure compared: in-process time for Lanfold, whole-process wall time otherwise. */
  readonly seconds: number;
  /** Wall time of the whole child process, as seen by the parent. */
  readonly processSeconds: number;
  readonly maxRssKiB: number | null;
  /** User + system CPU time over the same span as `seconds`. */
  readonly cpuSeconds: number | null;
  readonly lanfold?: ScanWorkerResult;
}

interface Row {
  readonly id: string;
  readonly workload: string;
  readonly tool: string;
  readonly cache: Cache;
  readonly files: number;
  readonly bytes: number;
  /** Ids of the rows this one is compared with (same data, same cache state). */
  readonly refs: readonly string[];
  readonly samples: readonly Sample[];
}

interface EditRow {
  readonly edit: EditKind;
  readonly cache: Cache;
  readonly samples: readonly Sample[];
}

interface Options {
  files: number;
  bigMiB: number;
  flatMiB: number;
  repeat: number;
  cold: boolean;
  out: string | undefined;
  cpuProfDir: string | undefined;
  keep: boolean;
}

const TARGET_EDIT_SECONDS = 0.5;
const EDIT_BYTES = MIB;

function parseOptions(args: string[]): Options | undefined {
  const { values } = parseArgs({
    args,
    options: {
      files: { type: 'string', default: '20000' },
      'big-mib': { type: 'string', default: '512' },
      'flat-mib': { type: 'string', default: '64' },
      repeat: { type: 'string', default: '2' },
      'warm-only': { type: 'boolean', default: false },
      out: {
        type: 'string',
        default: path.join(REPO_ROOT, 'bench', 'results', 'scan-latest.json'),
      },
      'cpu-prof': { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const int = (raw: string, name: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < min) {
      throw new Error(`--${name} must be an integer >= ${min}`);
    }
    return n;
  };
  return {
    files: int(values.files, 'files', 1),
    bigMiB: int(values['big-mib'], 'big-mib', 4),
    flatMiB: int(values['flat-mib'], 'flat-mib', 4),
    repeat: int(values.repeat, 'repeat', 1),
    cold: !values['warm-only'],
    out: values.out === '-' ? undefined : path.resolve(values.out),
    cpuProfDir: values['cpu-prof'] === undefined ? undefined : path.resolve(values['cpu-prof']),
    keep: values.keep,
  };
}

// ---------------------------------------------------------------------------------------------
// Deterministic data: AES-256-CTR keystreams (fast, and the same bytes on every machine) and a
// small seeded PRNG for sizes.

const ZEROS = Buffer.alloc(4 * MIB);

function keystream(name: string): Cipher {
  const key = createHash('sha256').update(`lanfold-bench/${name}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
}

function nextBytes(stream: Cipher, n: number): Buffer {
  if (n > ZEROS.length) throw new Error('nextBytes: at most 4 MiB at a time');
  return stream.update(ZEROS.subarray(0, n));
}

/** mulberry32: a tiny, well-mixed 32-bit PRNG; returns floats in [0, 1). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Small files laid out like /work/shared/bench/gen.sh's `small` set: d{i%50}/e{i%7}/s{i}.dat. */
function generateSmall(dir: string, count: number): { files: number; bytes: number } {
  const stream = keystream('small');
  const rand = prng(5909);
  const made = new Set<string>();
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sub = path.join(dir, `d${i % 50}`, `e${i % 7}`);
    if (!made.has(sub)) {
      mkdirSync(sub, { recursive: true });
      made.add(sub);
    }
    const size = 1024 + Math.floor(rand() * (8192 - 1024 + 1));
    writeFileSync(path.join(sub, `s${i}.dat`), nextBytes(stream, size));
    bytes += size;
  }
  return { files: count, bytes };
}

function generateBig(file: string, mib: number, name: string): number {
  mkdirSync(path.dirname(file), { recursive: true });
  const stream = keystream(name);
  const fd = openSync(file, 'w');
  try {
    for (let done = 0; done < mib * MIB; done += ZEROS.length) {
      writeSync(fd, nextBytes(stream, Math.min(ZEROS.length, mib * MIB - done)));
    }
  } finally {
    closeSync(fd);
  }
  return mib * MIB;
}

// ---------------------------------------------------------------------------------------------
// The edits.

type EditKind = 'overwrite' | 'insert' | 'append';

/** 1 MiB overwritten in place at the middle (same inode, same size). */
function overwriteMiddle(file: string, data: Buffer): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, data, 0, data.length, Math.floor(size / 2) - data.length / 2);
  } finally {
    closeSync(fd);
  }
}

/** 1 MiB inserted at the middle, the way editors save: a new file renamed over the old. */
function insertMiddle(file: string, data: Buffer): void {
  const size = statSync(file).size;
  const mid = Math.floor(size / 2);
  const tmp = `${file}.lanfold-bench-tmp`;
  const src = openSync(file, 'r');
  const dst = openSync(tmp, 'w');
  const buf = Buffer.allocUnsafe(4 * MIB);
  try {
    const copy = (from: number, to: number): void => {
      for (let pos = from; pos < to;) {
        const n = readSync(src, buf, 0, Math.min(buf.length, to - pos), pos);
        if (n === 0) throw new Error(`${file} got shorter`);
        writeSync(dst, buf, 0, n);
        pos += n;
      }
    };
    copy(0, mid);
    writeSync(dst, data);
    copy(mid, size);
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  renameSync(tmp, file);
}

function applyEdit(kind: EditKind, file: string, data: Buffer): void {
  if (kind === 'overwrite') overwriteMiddle(file, data);
  else if (kind === 'insert') insertMiddle(file, data);
  else appendFileSync(file, data);
}

// ---------------------------------------------------------------------------------------------
// Running things.

interface LanfoldRun {
  readonly root: string;
  readonly data: string;
  readonly label: string;
  /** Report on this file's chunks (edits). */
  readonly file?: string;
  /** Exit once the version is committed, without waiting for content retention. */
  readonly exitAfterRecord?: boolean;
  /** A file outside the folder to chunk first, so the JIT has compiled the chunker. */
  readonly warmUp?: string;
}

class Runner {
  private stateCount = 0;
  private profileCount = 0;

  constructor(
    private readonly scratch: string,
    private readonly opts: Options,
  ) {}

  /** Prepares the page cache for a sample: dropped (cold) or only flushed (warm). */
  prepare(cache: Cache): void {
    if (cache === 'warm') return syncDisks();
    if (!dropCaches()) throw new Error('cannot drop the page cache (needs root); use --warm-only');
  }

  shell(command: string): Sample & { stdout: string } {
    const r = timeShell(command, this.scratch);
    return {
      seconds: r.seconds,
      processSeconds: r.seconds,
      maxRssKiB: r.maxRssKiB,
      cpuSeconds:
        r.userSeconds === null || r.systemSeconds === null ? null : r.userSeconds + r.systemSeconds,
      stdout: r.stdout,
    };
  }

  newStateDir(): string {
    return path.join(this.scratch, 'state', String(++this.stateCount));
  }

  /**
   * One Lanfold scan (the initial one when `data` is new) in a fresh process. Its figure is
   * the open + rescan time, or the rescan alone for edits (a running daemon has the folder open).
   */
  lanfold(run: LanfoldRun): Sample {
    const flags: string[] = [];
    if (this.opts.cpuProfDir) {
      mkdirSync(this.opts.cpuProfDir, { recursive: true });
      const n = String(++this.profileCount).padStart(2, '0');
      flags.push(
        '--cpu-prof',
        `--cpu-prof-dir=${this.opts.cpuProfDir}`,
        `--cpu-prof-name=${n}-${run.label}.cpuprofile`,
      );
    }
    const args = ['--root', run.root, '--data', run.data];
    if (run.file !== undefined) args.push('--file', run.file);
    if (run.exitAfterRecord) args.push('--exit-after-record');
    if (run.warmUp !== undefined) args.push('--warm-up', run.warmUp);
    const worker = runNodeWorker('./scan-worker.js', args, flags);
    const result = worker.result as ScanWorkerResult;
    const edit = run.file !== undefined;
    return {
      seconds: (edit ? result.recordMs : result.openMs + result.recordMs) / 1000,
      processSeconds: worker.seconds,
      maxRssKiB: result.maxRssKiB,
      cpuSeconds: (edit ? result.recordCpuMs : result.scanCpuMs) / 1000,
      lanfold: result,
    };
  }

  /** `repeat` samples of `run` (given the sample's index) in one cache state. */
  samples(label: string, cache: Cache, run: (index: number) => Sample): Sample[] {
    const out: Sample[] = [];
    for (let i = 0; i < this.opts.repeat; i++) {
      this.prepare(cache);
      const s = run(i);
      out.push(s);
      log(
        `  ${label} [${cache}] ${fmt(s.seconds)} s` +
          (s.lanfold ? ` (process ${fmt(s.processSeconds)} s)` : '') +
          `, RSS ${fmt(kibToMiB(s.maxRssKiB))} MiB`,
      );
    }
    return out;
  }
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

function kibToMiB(kib: number | null): number | null {
  return kib === null ? null : kib / 1024;
}

function best(samples: readonly Sample[]): Sample {
  return samples.reduce((a, b) => (b.seconds < a.seconds ? b : a));
}

/** The highest peak RSS of the samples: what a run may need. */
function peakRss(samples: readonly Sample[]): number | null {
  let peak: number | null = null;
  for (const s of samples) if (s.maxRssKiB !== null) peak = Math.max(peak ?? 0, s.maxRssKiB);
  return peak;
}

function quote(p: string): string {
  return `'${p.replace(/'/g, `'\\''`)}'`;
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '')
    .split(':')
    .some((dir) => dir !== '' && existsSync(path.join(dir, cmd)));
}

// ---------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<number> {
  let opts: Options | undefined;
  try {
    opts = parseOptions(args);
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    return 2;
  }
  if (!opts) {
    process.stdout.write(USAGE);
    return 0;
  }
  const started = performance.now();
  const scratch = makeScratchDir('lanfold-bench-scan');
  const cleanup = opts.keep ? () => undefined : removeOnExit(scratch);
  try {
    await measureAll(scratch, opts, started);
  } finally {
    const c0 = performance.now();
    cleanup();
    if (!opts.keep) log(`removed the data in ${fmt((performance.now() - c0) / 1000)} s`);
  }
  if (opts.keep) log(`data kept in ${scratch}`);
  log(`whole run ${fmt((performance.now() - started) / 1000)} s`);
  return 0;
}

async function measureAll(scratch: string, opts: Options, started: number): Promise<void> {
  const machine = machineInfo(scratch);
  const loadBefore = loadAverage();
  const pressureBefore = cpuPressure();
  const openssl = onPath('openssl');
  const runner = new Runner(scratch, opts);
  if (opts.cold && !dropCaches()) {
    log('cannot drop the page cache (needs root and a writable /proc): warm runs only');
    opts.cold = false;
  }
  const caches: Cache[] = opts.cold ? ['cold', 'warm'] : ['warm'];
  const rows: Row[] = [];

  log(`generating data in ${scratch} ...`);
  const g0 = performance.now();
  const smallDir = path.join(scratch, 'small');
  const bigDir = path.join(scratch, 'big');
  const flatDir = path.join(scratch, 'big-flat');
  const small = generateSmall(smallDir, opts.files);
  const bigBytes = generateBig(path.join(bigDir, 'big.bin'), opts.bigMiB, 'big');
  const flatBytes = generateBig(path.join(flatDir, 'big.bin'), opts.flatMiB, 'big-flat');
  const warmUpFile = path.join(scratch, 'warm-up.bin');
  generateBig(warmUpFile, 16, 'warm-up');
  syncDisks();
  const generateSeconds = (performance.now() - g0) / 1000;
  log(`  generated in ${fmt(generateSeconds)} s`);

  const checkTotals = (s: Sample, files: number, bytes: number): void => {
    const r = s.lanfold;
    if (r && (r.files !== files || r.bytes !== bytes)) {
      throw new Error(`Lanfold recorded ${r.files} files / ${r.bytes} B, not ${files} / ${bytes}`);
    }
  };
  /** Runs one measurement in every cache state and adds its rows. */
  const measure = (
    m: Omit<Row, 'cache' | 'samples' | 'refs'> & { refs?: readonly string[] },
    run: (cache: Cache, index: number) => Sample,
  ): void => {
    for (const cache of caches) {
      rows.push({
        ...m,
        id: `${m.id}/${cache}`,
        cache,
        refs: (m.refs ?? []).map((r) => `${r}/${cache}`),
        samples: runner.samples(m.tool, cache, (i) => run(cache, i)),
      });
    }
  };

  // 1. Many small files. Retention (copying new files of up to 16 MiB into the content store)
  // runs after the version is recorded and takes long: it is waited for once, in the first
  // warm sample; the other samples exit as soon as the version is committed.
  const sq = quote(smallDir);
  const smallBase = { workload: 'small: initial scan', files: small.files, bytes: small.bytes };
  const smallRefs = ['small-sha256sum', ...(openssl ? ['small-openssl'] : [])];
  log(`${smallBase.workload}: ${small.files} files, ${fmt(small.bytes / 1e6)} MB`);
  let smallState = '';
  measure(
    { ...smallBase, id: 'small-lanfold', tool: 'Lanfold (version recorded)', refs: smallRefs },
    (cache, i) => {
      const data = runner.newStateDir();
      const waitForRetention = cache === 'warm' && i === 0;
      if (waitForRetention) smallState = data;
      const s = runner.lanfold({
        root: smallDir,
        data,
        label: `small-initial-${cache}`,
        exitAfterRecord: !waitForRetention,
      });
      checkTotals(s, small.files, small.bytes);
      return s;
    },
  );
  measure({ ...smallBase, id: 'small-sha256sum', tool: 'find | xargs sha256sum' }, () =>
    runner.shell(`find ${sq} -type f -print0 | xargs -0 sha256sum >/dev/null`),
  );
  if (openssl) {
    measure({ ...smallBase, id: 'small-openssl', tool: 'find | xargs openssl sha256' }, () =>
      runner.shell(`find ${sq} -type f -print0 | xargs -0 openssl dgst -sha256 >/dev/null`),
    );
  }
  const retention = rows
    .find((r) => r.id === 'small-lanfold/warm')
    ?.samples.find((s) => s.lanfold?.retainMs != null);

  const walkBase = { workload: 'small: rescan, no change', files: small.files, bytes: small.bytes };
  log(walkBase.workload);
  measure(
    { ...walkBase, id: 'rescan-lanfold', tool: 'Lanfold (open + rescan)', refs: ['rescan-find'] },
    (cache) => runner.lanfold({ root: smallDir, data: smallState, label: `small-rescan-${cache}` }),
  );
  measure({ ...walkBase, id: 'rescan-find', tool: 'find -printf size,mtime,inode' }, () => {
    const s = runner.shell(`find ${sq} -type f -printf '%s %T@ %i\\n' | wc -l`);
    const n = Number(s.stdout.trim());
    if (n !== small.files) throw new Error(`find saw ${n} files, not ${small.files}`);
    return s;
  });

  // 2. One big file, and a smaller one to check that peak RSS is flat in the file size.
  let bigState = '';
  for (const [dir, bytes, name] of [
    [bigDir, bigBytes, 'big'],
    [flatDir, flatBytes, 'flat'],
  ] as const) {
    const base = { workload: `${bytes / MIB} MiB file: initial scan`, files: 1, bytes };
    const fq = quote(path.join(dir, 'big.bin'));
    const refs = [`${name}-sha256sum`, ...(openssl ? [`${name}-openssl`] : [])];
    log(base.workload);
    measure({ ...base, id: `${name}-lanfold`, tool: 'Lanfold (version recorded)', refs }, (c) => {
      const data = runner.newStateDir();
      if (name === 'big') bigState = data;
      const s = runner.lanfold({ root: dir, data, label: `${name}-initial-${c}` });
      checkTotals(s, 1, bytes);
      return s;
    });
    measure({ ...base, id: `${name}-sha256sum`, tool: 'sha256sum' }, () =>
      runner.shell(`sha256sum ${fq} >/dev/null`),
    );
    if (openssl) {
      measure({ ...base, id: `${name}-openssl`, tool: 'openssl dgst -sha256' }, () =>
        runner.shell(`openssl dgst -sha256 ${fq} >/dev/null`),
      );
    }
  }

  // 3. Edits of the big file, each recorded by a rescan right after the write. "warm": the
  // whole file is in the page cache, as right after a save; "cold": dropped after the write.
  log(`edits of the ${opts.bigMiB} MiB file, a rescan after each`);
  const bigFile = path.join(bigDir, 'big.bin');
  const editPlan: [EditKind, Cache][] = [
    ['overwrite', 'warm'],
    ['insert', 'warm'],
    ['append', 'warm'],
  ];
  if (opts.cold) editPlan.push(['overwrite', 'cold']);
  const edits: EditRow[] = [];
  let editNo = 0;
  for (const [kind, cache] of editPlan) {
    const samples: Sample[] = [];
    for (let i = 0; i < opts.repeat; i++) {
      if (cache === 'warm') timeShell(`cat ${quote(bigFile)} >/dev/null`, scratch);
      applyEdit(kind, bigFile, nextBytes(keystream(`edit-${editNo++}`), EDIT_BYTES));
      runner.prepare(cache);
      const s = runner.lanfold({
        root: bigDir,
        data: bigState,
        label: `edit-${kind}-${cache}`,
        file: 'big.bin',
        warmUp: warmUpFile,
      });
      if (s.lanfold?.changes !== 1) {
        throw new Error(`the ${kind} was recorded as ${s.lanfold?.changes ?? 0} changes, not 1`);
      }
      samples.push(s);
      log(
        `  1 MiB ${kind} [${cache}] ${fmt(s.seconds)} s, new chunks ` +
          `${fmt((s.lanfold.file?.newChunkBytes ?? 0) / MIB)} MiB`,
      );
    }
    edits.push({ edit: kind, cache, samples });
  }

  const report = buildReport({
    machine,
    opts,
    rows,
    retention,
    smallFiles: small.files,
    edits,
    generateSeconds,
    totalSeconds: (performance.now() - started) / 1000,
    load: [loadBefore, loadAverage()],
    pressure: [pressureBefore, cpuPressure()],
  });
  process.stdout.write(`\n${report.text}\n`);
  if (opts.out) {
    await writeJsonResult(opts.out, report.json);
    process.stdout.write(`\nresults written to ${path.relative(process.cwd(), opts.out)}\n`);
  }
  if (opts.cpuProfDir) printProfiles(opts.cpuProfDir);
}

// ---------------------------------------------------------------------------------------------
// Report: a table for people, a small JSON for the record.

interface ReportInput {
  machine: MachineInfo;
  opts: Options;
  rows: Row[];
  retention: Sample | undefined;
  smallFiles: number;
  edits: EditRow[];
  generateSeconds: number;
  totalSeconds: number;
  load: [number, number];
  pressure: [number | null, number | null];
}

function buildReport(input: ReportInput): { text: string; json: unknown } {
  const { rows, edits, opts, machine } = input;
  const bestOf = new Map(rows.map((r) => [r.id, best(r.samples)]));
  const toolOf = new Map(rows.map((r) => [r.id, r.tool]));

  const table: string[][] = [
    ['workload', 'tool', 'cache', 'time s', 'CPU s', 'files/s', 'MB/s', 'RSS MiB', 'time ratio'],
  ];
  const jsonRows = rows.map((r) => {
    const b = bestOf.get(r.id)!;
    const ratios = r.refs.flatMap((ref) => {
      const other = bestOf.get(ref);
      return other ? [{ to: ref, tool: toolOf.get(ref)!, ratio: b.seconds / other.seconds }] : [];
    });
    const rss = peakRss(r.samples);
    table.push([
      r.workload,
      r.tool,
      r.cache,
      fmt(b.seconds),
      fmt(b.cpuSeconds),
      r.files > 1 ? fmt(r.files / b.seconds) : '',
      fmt(r.bytes / 1e6 / b.seconds),
      fmt(kibToMiB(rss)),
      ratios.map((x) => `${fmt(x.ratio, 2)}× ${shortTool(x.tool)}`).join(', '),
    ]);
    return {
      id: r.id,
      workload: r.workload,
      tool: r.tool,
      cache: r.cache,
      files: r.files,
      bytes: r.bytes,
      seconds: round(b.seconds),
      samples: r.samples.map((s) => round(s.seconds)),
      processSeconds: round(b.processSeconds),
      cpuSeconds: b.cpuSeconds === null ? null : round(b.cpuSeconds),
      filesPerSecond: r.files > 1 ? Math.round(r.files / b.seconds) : undefined,
      mbPerSecond: round(r.bytes / 1e6 / b.seconds),
      maxRssMiB: rss === null ? null : round(rss / 1024),
      ratios: ratios.map((x) => ({ to: x.to, ratio: round(x.ratio) })),
      lanfoldMs: b.lanfold ? lanfoldMs(b.lanfold) : undefined,
    };
  });
  const retainMs = input.retention?.lanfold?.retainMs;
  if (retainMs != null) {
    const s = retainMs / 1000;
    table.push([
      'small: after the scan',
      'Lanfold content retention',
      'warm',
      fmt(s),
      '',
      fmt(input.smallFiles / s),
      '',
      '',
      '(not in the time above)',
    ]);
  }

  const editTable: string[][] = [
    [
      'edit (1 MiB)',
      'cache',
      'record s',
      'CPU s',
      'samples s',
      'new chunks MiB',
      're-hashed MiB',
      'redigestFile s',
      'RSS MiB',
      `< ${TARGET_EDIT_SECONDS} s`,
    ],
  ];
  const jsonEdits = edits.map((e) => {
    const b = best(e.samples);
    const f = b.lanfold?.file;
    const rss = peakRss(e.samples);
    editTable.push([
      e.edit,
      e.cache,
      fmt(b.seconds),
      fmt(b.cpuSeconds),
      e.samples.map((s) => fmt(s.seconds)).join(' '),
      fmt((f?.newChunkBytes ?? 0) / MIB),
      f?.rehashedBytes == null ? '–' : fmt(f.rehashedBytes / MIB),
      f?.redigestMs == null ? '–' : fmt(f.redigestMs / 1000),
      fmt(kibToMiB(rss)),
      b.seconds < TARGET_EDIT_SECONDS ? 'yes' : 'NO',
    ]);
    return {
      edit: e.edit,
      cache: e.cache,
      seconds: round(b.seconds),
      cpuSeconds: b.cpuSeconds === null ? null : round(b.cpuSeconds),
      samples: e.samples.map((s) => round(s.seconds)),
      lanfoldMs: b.lanfold ? lanfoldMs(b.lanfold) : undefined,
      fileBytes: f?.size,
      chunks: f?.chunks,
      newChunks: f?.newChunks,
      newChunkBytes: f?.newChunkBytes,
      rehashedBytes: f?.rehashedBytes ?? null,
      reusedChunks: f?.reusedChunks ?? null,
      redigestSeconds: f?.redigestMs == null ? null : round(f.redigestMs / 1000),
      maxRssMiB: rss === null ? null : round(rss / 1024),
    };
  });

  const date = new Date().toISOString();
  const text = [
    `Lanfold scan benchmark, ${date.slice(0, 16).replace('T', ' ')} UTC, revision ${gitRevision()}`,
    `${machine.cores} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ${machine.node}, ` +
      `${machine.kernel}, ${machine.filesystem}`,
    `best of ${opts.repeat} sample(s) per figure; load average ${input.load[0]} before, ` +
      `${input.load[1]} after; CPU pressure (PSI some avg60) ${input.pressure[0] ?? '–'}% before, ` +
      `${input.pressure[1] ?? '–'}% after`,
    'other processes competed for the 2 cores when load > ~1 or pressure > ~5%: figures are then noisy',
    '',
    formatTable(table),
    '',
    formatTable(editTable),
    '',
    'time s      Lanfold: in its process, opening the state + rescan until the version is',
    '            committed (Node start-up excluded); other tools: the whole process.',
    'CPU s       user + system CPU over the same span, all threads. Less sensitive to other',
    '            load than time s; time >> CPU means waiting (disk, thread pool, other processes).',
    'RSS MiB     peak resident set size, highest of the samples (Lanfold: whole process).',
    'time ratio  time / the named tool on the same data in the same cache state.',
    'cold        after sync + echo 3 > /proc/sys/vm/drop_caches; warm: data in the page cache.',
    'MB          10^6 bytes.',
    'record s    rescan of the edited folder until the new version is committed (folder already',
    '            open and chunker JIT-compiled, as in a running daemon). new chunks: content of',
    '            chunks the previous version lacked. re-hashed: bytes redigestFile SHA-256d',
    '            again (timed alone afterwards, from the page cache: "redigestFile s").',
    `data generated in ${fmt(input.generateSeconds)} s; measurements took ${fmt(input.totalSeconds)} s`,
  ].join('\n');

  const json = {
    benchmark: 'scan',
    date,
    revision: gitRevision(),
    machine,
    parameters: {
      smallFiles: opts.files,
      bigMiB: opts.bigMiB,
      flatMiB: opts.flatMiB,
      repeat: opts.repeat,
      cold: opts.cold,
    },
    loadAverage: { before: input.load[0], after: input.load[1] },
    cpuPressureAvg60: { before: input.pressure[0], after: input.pressure[1] },
    totalSeconds: round(input.totalSeconds),
    rows: jsonRows,
    retention:
      retainMs == null ? null : { files: input.smallFiles, seconds: round(retainMs / 1000) },
    edits: jsonEdits,
  };
  return { text, json };
}

function lanfoldMs(r: ScanWorkerResult): Record<string, number | null> {
  const ms = (n: number | null): number | null => (n === null ? null : Math.round(n));
  return {
    open: ms(r.openMs),
    record: ms(r.recordMs),
    retain: ms(r.retainMs),
    close: ms(r.closeMs),
  };
}

function shortTool(tool: string): string {
  if (tool.includes('sha256sum')) return 'sha256sum';
  if (tool.includes('openssl')) return 'openssl';
  if (tool.startsWith('find')) return 'find';
  return tool;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function printProfiles(dir: string): void {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort();
  for (const f of files) {
    const { totalMs, lines } = summarizeProfile(path.join(dir, f), 10);
    process.stdout.write(`\n${f}: ${fmt(totalMs / 1000)} s sampled; top self time\n`);
    const cells = lines.map((l) => [
      `${fmt(l.percent, 2)} %`,
      `${fmt(l.selfMs)} ms`,
      l.fn,
      l.where,
    ]);
    process.stdout.write(`${formatTable(cells)}\n`);
  }
}
