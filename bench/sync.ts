/**
 * `npm run bench -- sync`: Lanfold beside rsync (daemon on 127.0.0.1), Syncthing (two instances
 * on 127.0.0.1, /work/shared/bench/syncthing.py) and `cp -r` + `sync`, on the data of
 * /work/shared/bench/gen.sh, in one run. See docs/benchmarks.md, section "sync".
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

import {
  MIB,
  LANFOLD_CLI,
  REPO_ROOT,
  benchOptions,
  shellQuote,
  startRsyncDaemon,
  cpuPressure,
  fmt,
  formatTable,
  gitRevision,
  loadAverage,
  makeScratchDir,
  removeOnExit,
  timeShell,
  writeJsonResult,
} from './lib.js';
import {
  ArrivalTracker,
  cpuSeconds,
  descendants,
  manifest,
  percentile,
  processName,
  sleep,
  startCountingProxy,
  vmHwmKiB,
  type CountingProxy,
} from './sync-tools.js';

export const summary =
  'initial sync, 1 MiB edits and save→replica latency: Lanfold vs rsync, Syncthing, cp -r';

const PEER_DIR = '/work/shared/bench';
const PARTS = ['a', 'b', 'c', 'd', 'e'] as const;
type Part = (typeof PARTS)[number];
type EditKind = 'overwrite' | 'append' | 'insert';
const EDITS: EditKind[] = ['overwrite', 'append', 'insert'];

interface Options {
  only: Set<Part>;
  syncthing: boolean;
  data: string | null;
  out: string | null;
  cpuProf: string | null;
  timeoutS: number;
  latencySamples: number;
}

/** One measured figure. */
interface Row {
  part: string;
  workload: string;
  tool: string;
  seconds: number | null;
  /** Bytes on the wire (both directions), where measured. */
  bytes?: number | null;
  /** Peak RSS in KiB per side, where measured. */
  rss?: Record<string, number | null>;
  note?: string;
  extra?: Record<string, number | null>;
}

/** The tool name of the rows where the replica joins an indexed, idle master. */
const JOIN_TOOL = 'Lanfold, replica joins';

function usage(): string {
  return [
    'usage: npm run bench -- sync [--only a,b,c,d,e] [--skip-syncthing] [--data DIR]',
    '                             [--out FILE|-] [--cpu-prof DIR] [--timeout S] [--latency-samples N]',
    '  a mixed ~262 MB / 1,000 files   b 20,000 files of 1-8 KB   c one 512 MiB file',
    '  d 1 MiB overwrite/append/insert in it (implies c)   e 1 KB save -> replica latency',
    '  --data DIR  use data already made by gen.sh (kept); default: generate in /var/tmp, removed',
    '  --cpu-prof DIR  run both Lanfold daemons under node --cpu-prof',
  ].join('\n');
}

function parseArgs(args: string[]): Options | string {
  const o: Options = {
    only: new Set(PARTS),
    syncthing: true,
    data: null,
    out: path.join(REPO_ROOT, 'bench', 'results', 'sync-latest.json'),
    cpuProf: null,
    timeoutS: 300,
    latencySamples: 50,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return usage();
    else if (a === '--only') {
      const parts = val().split(',');
      for (const p of parts) if (!(PARTS as readonly string[]).includes(p)) return usage();
      o.only = new Set(parts as Part[]);
    } else if (a === '--skip-syncthing') o.syncthing = false;
    else if (a === '--data') o.data = path.resolve(val());
    else if (a === '--out') {
      const v = val();
      o.out = v === '-' ? null : path.resolve(v);
    } else if (a === '--cpu-prof') o.cpuProf = path.resolve(val());
    else if (a === '--timeout') o.timeoutS = Number(val());
    else if (a === '--latency-samples') o.latencySamples = Math.min(500, Number(val()));
    else return usage();
  }
  if (o.only.has('d')) o.only.add('c');
  return o;
}

const log = (s: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

const q = shellQuote;

// ---------------------------------------------------------------------------------------------
// Edits of the big file, the same bytes for every tool.

const EDIT_BYTES: Record<EditKind, Buffer> = {
  overwrite: randomBytes(MIB),
  append: randomBytes(MIB),
  insert: randomBytes(MIB),
};

/** Applies the edit; returns the offset and length of the changed region after it. */
function applyEdit(kind: EditKind, file: string): { offset: number; size: number } {
  const data = EDIT_BYTES[kind];
  if (kind === 'overwrite') {
    const fd = openSync(file, 'r+');
    writeSync(fd, data, 0, data.length, 200 * MIB);
    closeSync(fd);
    return { offset: 200 * MIB, size: statSync(file).size };
  }
  if (kind === 'append') {
    const offset = statSync(file).size;
    writeFileSync(file, data, { flag: 'a' });
    return { offset, size: offset + data.length };
  }
  // insert: a new file renamed over the old one, as editors save
  const old = readFileSync(file);
  const mid = Math.floor(old.length / 2);
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, old, 0, mid);
  writeSync(fd, data);
  writeSync(fd, old, mid, old.length - mid);
  closeSync(fd);
  renameSync(tmp, file);
  return { offset: mid, size: old.length + data.length };
}

function regionMatches(file: string, kind: EditKind, offset: number, size: number): boolean {
  try {
    if (statSync(file).size !== size) return false;
    const want = EDIT_BYTES[kind];
    const fd = openSync(file, 'r');
    const got = Buffer.alloc(want.length);
    const n = readSyncFull(fd, got, offset);
    closeSync(fd);
    return n === want.length && got.equals(want);
  } catch {
    return false;
  }
}

function readSyncFull(fd: number, buf: Buffer, offset: number): number {
  let done = 0;
  for (let i = 0; i < 64 && done < buf.length; i++) {
    const n = readSync(fd, buf, done, buf.length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}

// ---------------------------------------------------------------------------------------------
// cp -r + sync, and rsync

function measureCp(rows: Row[], part: string, workload: string, src: string, dst: string): void {
  const t = timeShell(`cp -r ${q(src)} ${q(dst)} && sync`, path.dirname(dst));
  rows.push({ part, workload, tool: 'cp -r + sync', seconds: t.seconds });
  rmSync(dst, { recursive: true, force: true });
}

class Rsync {
  private readonly dst: string;
  constructor(
    private readonly work: string,
    private readonly port: number,
  ) {
    this.dst = path.join(work, 'dst');
    this.stop = startRsyncDaemon(work, this.dst, port);
  }

  /** One rsync run; time and bytes sent + received (from --stats), then `sync` timed. */
  run(
    src: string,
    sub: string,
  ): { seconds: number; bytes: number; syncS: number; rssKiB: number | null } {
    const t = timeShell(
      `rsync -a --stats ${q(src)} rsync://127.0.0.1:${this.port}/dst/${sub}`,
      this.work,
    );
    const num = (re: RegExp): number => Number((re.exec(t.stdout)?.[1] ?? '0').replaceAll(',', ''));
    const bytes = num(/Total bytes sent: ([\d,]+)/) + num(/Total bytes received: ([\d,]+)/);
    const s = timeShell('sync', this.work);
    return { seconds: t.seconds, bytes, syncS: s.seconds, rssKiB: t.maxRssKiB };
  }

  /** Stops the daemon. */
  readonly stop: () => void;
}

// ---------------------------------------------------------------------------------------------
// Lanfold: a master and a replica daemon on 127.0.0.1, the replica dialling through a counting
// proxy so that the bytes on the wire (TLS included) are known.

interface Daemon {
  proc: ChildProcess;
  readyS: number | null;
  output: string[];
}

class LanfoldPair {
  master!: Daemon;
  replica!: Daemon;
  proxy!: CountingProxy;
  readonly replicaDir: string;
  private readonly sm: string;
  private readonly sr: string;
  private t0 = 0;
  /** Date.now() when the daemons were spawned (the daemon log's clock). */
  private t0Epoch = 0;

  constructor(
    private readonly work: string,
    readonly masterDir: string,
    private readonly ports: { master: number; replica: number; guiM: number; guiR: number },
    private readonly cpuProf: string | null,
  ) {
    this.sm = path.join(work, 'sm');
    this.sr = path.join(work, 'sr');
    this.replicaDir = path.join(work, 'replica');
    mkdirSync(this.replicaDir, { recursive: true });
  }

  private cli(state: string, ...args: string[]): string {
    const r = spawnSync(process.execPath, [LANFOLD_CLI, '--state', state, ...args], {
      encoding: 'utf8',
      env: { ...process.env, LANFOLD_DISCOVERY: 'off' },
      timeout: 60_000,
    });
    if (r.status !== 0) throw new Error(`lanfold ${args.join(' ')}: ${r.stderr || r.stdout}`);
    return r.stdout;
  }

  private deviceId(out: string): string {
    const j: unknown = JSON.parse(out);
    if (typeof j === 'object' && j !== null && 'deviceId' in j && typeof j.deviceId === 'string')
      return j.deviceId;
    throw new Error(`no deviceId in ${out}`);
  }

  async setUp(): Promise<void> {
    const p = this.ports;
    const mid = this.deviceId(
      this.cli(
        this.sm,
        'init',
        '--name',
        'master',
        '--listen',
        `127.0.0.1:${p.master}`,
        '--gui',
        `127.0.0.1:${p.guiM}`,
        '--json',
      ),
    );
    const rid = this.deviceId(
      this.cli(
        this.sr,
        'init',
        '--name',
        'replica',
        '--listen',
        `127.0.0.1:${p.replica}`,
        '--gui',
        `127.0.0.1:${p.guiR}`,
        '--json',
      ),
    );
    this.proxy = await startCountingProxy(p.master);
    this.cli(this.sm, 'folder', 'add', this.masterDir, '--master', '--id', 'bench');
    this.cli(this.sm, 'peer', 'add', rid);
    this.cli(this.sm, 'folder', 'share', 'bench', rid);
    this.cli(this.sr, 'peer', 'add', `${mid}@127.0.0.1:${this.proxy.port}`);
    this.cli(this.sr, 'folder', 'add', this.replicaDir, '--replica-of', mid, '--id', 'bench');
  }

  /** Starts both daemons; returns the time origin (ms, performance.now()). */
  start(): number {
    this.t0 = performance.now();
    this.t0Epoch = Date.now();
    this.master = this.spawn(this.sm, 'master');
    this.replica = this.spawn(this.sr, 'replica');
    return this.t0;
  }

  /**
   * Starts the master alone and waits until it has indexed the folder and gone quiet (its
   * first version recorded and its history copy made: under 0.05 s of CPU in half a second),
   * as a master that has been running a while is; then starts the replica. Returns the time
   * the replica was spawned (ms, performance.now()) and whether the master went quiet in time.
   */
  async startJoin(timeoutS: number): Promise<{ t0: number; quiet: boolean }> {
    this.t0 = performance.now();
    this.master = this.spawn(this.sm, 'master');
    const pid = this.master.proc.pid;
    let quiet = false;
    let last: number | null = null;
    for (let i = 0; i < timeoutS * 2 && !quiet; i++) {
      await sleep(500);
      const cpu = pid === undefined ? null : cpuSeconds(pid);
      quiet = this.master.readyS !== null && cpu !== null && last !== null && cpu - last < 0.05;
      last = cpu;
    }
    this.t0 = performance.now();
    this.replica = this.spawn(this.sr, 'replica');
    return { t0: this.t0, quiet };
  }

  private spawn(state: string, label: string): Daemon {
    const nodeArgs = this.cpuProf
      ? [
          '--cpu-prof',
          '--cpu-prof-dir',
          this.cpuProf,
          '--cpu-prof-name',
          `${label}-${Date.now()}.cpuprofile`,
        ]
      : [];
    const proc = spawn(
      process.execPath,
      [...nodeArgs, LANFOLD_CLI, '--state', state, 'start', '--quiet'],
      {
        env: { ...process.env, LANFOLD_DISCOVERY: 'off' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const d: Daemon = { proc, readyS: null, output: [] };
    const onData = (b: Buffer): void => {
      const s = b.toString();
      if (d.output.length < 200) d.output.push(s);
      if (d.readyS === null && s.includes('READY')) d.readyS = (performance.now() - this.t0) / 1000;
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    return d;
  }

  /**
   * Seconds from spawning the daemons until the master's log says its first version was
   * recorded (it is published to replicas at that moment), or null if it says nothing yet.
   */
  masterFirstVersionS(): number | null {
    let text: string;
    try {
      text = readFileSync(path.join(this.sm, 'daemon.log'), 'utf8');
    } catch {
      return null;
    }
    for (const line of text.split('\n')) {
      if (!line.includes('"version recorded"')) continue;
      const { time } = JSON.parse(line) as { time?: unknown };
      return typeof time === 'number' ? (time - this.t0Epoch) / 1000 : null;
    }
    return null;
  }

  wire(): number {
    return this.proxy.up() + this.proxy.down();
  }

  rss(): Record<string, number | null> {
    return {
      master: this.master.proc.pid ? vmHwmKiB(this.master.proc.pid) : null,
      replica: this.replica.proc.pid ? vmHwmKiB(this.replica.proc.pid) : null,
    };
  }

  async stop(): Promise<void> {
    for (const d of [this.master, this.replica]) {
      if (d.proc.exitCode !== null) continue;
      d.proc.kill('SIGINT');
    }
    for (const d of [this.master, this.replica]) {
      for (let i = 0; i < 200 && d.proc.exitCode === null && d.proc.signalCode === null; i++)
        await sleep(100);
      if (d.proc.exitCode === null && d.proc.signalCode === null) d.proc.kill('SIGKILL');
    }
    await this.proxy.close();
  }
}

/** Polls `done` every `everyMs` until it is true or `timeoutS` passes; seconds since t0 or null. */
async function waitFor(
  t0: number,
  done: () => boolean,
  timeoutS: number,
  everyMs: number,
): Promise<number | null> {
  for (let i = 0; i < 10_000_000; i++) {
    if (done()) return (performance.now() - t0) / 1000;
    if (performance.now() - t0 > timeoutS * 1000) return null;
    await sleep(everyMs);
  }
  return null;
}

function diffTrees(a: string, b: string): string {
  const r = spawnSync(
    'diff',
    ['-rq', '-x', '.lanfold-staging', '-x', '.lanfoldignore', '-x', '.stfolder', a, b],
    {
      encoding: 'utf8',
      maxBuffer: 16 * MIB,
    },
  );
  return r.status === 0 ? '' : r.stdout.split('\n').slice(0, 3).join('; ');
}

/**
 * Lanfold's initial sync of `masterDir`. Cold: both daemons spawned together, the time runs
 * from spawning them (the master's scan included). `join`: the replica joins a master that
 * already indexed its folder and went idle (as when a replica is added to a master that runs
 * already, in daily use); the time runs from spawning the replica, and the master's CPU is
 * counted from then.
 */
async function lanfoldInitial(
  opts: Options,
  work: string,
  name: string,
  masterDir: string,
  ports: { master: number; replica: number; guiM: number; guiR: number },
  join = false,
): Promise<{ pair: LanfoldPair; row: Row }> {
  const entries = manifest(masterDir);
  const dir = path.join(work, `${join ? 'lfj' : 'lf'}-${name}`);
  const pair = new LanfoldPair(dir, masterDir, ports, opts.cpuProf);
  await pair.setUp();
  const tracker = new ArrivalTracker(entries, pair.replicaDir);
  const masterCpu = () => (pair.master.proc.pid ? cpuSeconds(pair.master.proc.pid) : null);
  const { t0, quiet } = join
    ? await pair.startJoin(opts.timeoutS)
    : { t0: pair.start(), quiet: true };
  const cpuBefore = join ? masterCpu() : 0;
  const seconds = await waitFor(t0, () => tracker.poll(), opts.timeoutS, 20);
  const cpuAfter = masterCpu();
  const masterCpuS =
    cpuBefore !== null && cpuAfter !== null ? Math.round((cpuAfter - cpuBefore) * 100) / 100 : null;
  const row: Row = {
    part: '',
    workload: '',
    tool: join ? JOIN_TOOL : 'Lanfold',
    seconds,
    bytes: pair.wire(),
    rss: pair.rss(),
    extra: {
      masterReadyS: join ? null : pair.master.readyS,
      masterFirstVersionS: join ? null : pair.masterFirstVersionS(),
      replicaReadyS: pair.replica.readyS,
      masterCpuS,
      replicaCpuS: pair.replica.proc.pid ? cpuSeconds(pair.replica.proc.pid) : null,
    },
  };
  const notes = [];
  if (!quiet) notes.push(`the master was still busy after ${opts.timeoutS} s`);
  if (seconds === null)
    notes.push(
      `timed out after ${opts.timeoutS} s with ${tracker.arrived}/${entries.length} files`,
    );
  if (notes.length > 0) row.note = notes.join('; ');
  log(
    `  Lanfold ${name}${join ? ', replica joining' : ''}: ${fmt(seconds)} s, ${fmt(pair.wire() / 1e6)} MB on the wire, ${tracker.arrived}/${entries.length} files` +
      (join
        ? ''
        : `, master v1 ${fmt(pair.masterFirstVersionS())} s, ready ${fmt(pair.master.readyS)} s`) +
      `, CPU s master ${fmt(masterCpuS)} / replica ${fmt(row.extra?.replicaCpuS ?? null)}`,
  );
  return { pair, row };
}

async function finishPair(pair: LanfoldPair, row: Row | null, verify: boolean): Promise<void> {
  await pair.stop();
  if (verify && row) {
    const d = diffTrees(pair.masterDir, pair.replicaDir);
    if (d) row.note = `${row.note ? `${row.note}; ` : ''}replica differs: ${d}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Syncthing: /work/shared/bench/syncthing.py as it is, peak RSS of its syncthing processes sampled.

interface SyncthingLine {
  dataset: string;
  initial_s?: number | null;
  bytes?: number;
  seconds_incl_watcher_delay_1s?: number | null;
  p50_s?: number;
  max_s?: number;
}

async function runSyncthing(
  data: string,
  timeoutS: number,
): Promise<{ lines: SyncthingLine[]; rssKiB: number | null; error: string | null }> {
  const proc = spawn('python3', [path.join(PEER_DIR, 'syncthing.py'), data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (b: Buffer) => {
    out += b.toString();
    for (const l of b.toString().trim().split('\n')) if (l) log(`  syncthing: ${l}`);
  });
  proc.stderr.on('data', (b: Buffer) => {
    if (err.length < 10_000) err += b.toString();
  });
  let rss: number | null = null;
  const t0 = performance.now();
  while (proc.exitCode === null && proc.signalCode === null) {
    if (performance.now() - t0 > timeoutS * 1000) {
      proc.kill('SIGINT');
      await sleep(3000);
      if (proc.exitCode === null) proc.kill('SIGKILL');
      break;
    }
    if (proc.pid) {
      for (const p of descendants(proc.pid)) {
        if (!processName(p).startsWith('syncthing')) continue;
        const h = vmHwmKiB(p);
        if (h !== null) rss = Math.max(rss ?? 0, h);
      }
    }
    await sleep(250);
  }
  const lines: SyncthingLine[] = [];
  for (const l of out.split('\n')) {
    if (!l.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(l) as SyncthingLine);
    } catch {
      // skip
    }
  }
  return {
    lines,
    rssKiB: rss,
    error: proc.exitCode === 0 ? null : err.trim().split('\n').slice(-3).join(' | '),
  };
}

// ---------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<number> {
  const opts = benchOptions(args, parseArgs, usage);
  if (typeof opts === 'number') return opts;
  const started = performance.now();
  const loadBefore = loadAverage();
  const psiBefore = cpuPressure();
  const work = makeScratchDir('lanfold-sync');
  const cleanUp = removeOnExit(work);
  const rows: Row[] = [];
  const latency: Record<
    string,
    { p50: number | null; p99: number | null; max: number | null; n: number }
  > = {};
  let rsync: Rsync | null = null;
  try {
    let data = opts.data;
    let generateS: number | null = null;
    if (!data) {
      data = path.join(work, 'data');
      log('generating data with gen.sh');
      generateS = timeShell(
        `bash ${q(path.join(PEER_DIR, 'gen.sh'))} ${q(data)} >/dev/null`,
        work,
      ).seconds;
    }
    const sets: { part: Part; name: string; workload: string }[] = [
      { part: 'a', name: 'mixed', workload: 'mixed 1,000 files, 262 MB: initial' },
      { part: 'b', name: 'small', workload: 'small 20,000 files 1-8 KB: initial' },
      { part: 'c', name: 'big', workload: 'one 512 MiB file: initial' },
    ];

    // 1. cp -r + sync (floor) and rsync, per data set; then rsync's edits of big.bin.
    rsync = new Rsync(path.join(work, 'rsync'), 28731);
    for (const s of sets) {
      if (!opts.only.has(s.part)) continue;
      log(`${s.name}: cp -r + sync, rsync`);
      measureCp(rows, s.part, s.workload, path.join(data, s.name), path.join(work, `cp-${s.name}`));
      if (s.part === 'c')
        copyFileSync(path.join(data, 'big', 'big.bin'), path.join(work, 'rsync-big.bin'));
      const src = s.part === 'c' ? path.join(work, 'rsync-big.bin') : `${path.join(data, s.name)}/`;
      const r = rsync.run(src, s.part === 'c' ? 'big.bin' : `${s.name}/`);
      rows.push({
        part: s.part,
        workload: s.workload,
        tool: 'rsync',
        seconds: r.seconds,
        bytes: r.bytes,
        rss: { client: r.rssKiB },
      });
      rows.push({
        part: s.part,
        workload: s.workload,
        tool: 'rsync + sync',
        seconds: r.seconds + r.syncS,
      });
    }
    if (opts.only.has('d')) {
      for (const kind of EDITS) {
        applyEdit(kind, path.join(work, 'rsync-big.bin'));
        const r = rsync.run(path.join(work, 'rsync-big.bin'), 'big.bin');
        const w = `512 MiB file: 1 MiB ${kind}`;
        rows.push({
          part: 'd',
          workload: w,
          tool: 'rsync',
          seconds: r.seconds,
          bytes: r.bytes,
          rss: { client: r.rssKiB },
        });
        rows.push({ part: 'd', workload: w, tool: 'rsync + sync', seconds: r.seconds + r.syncS });
        log(`  rsync ${kind}: ${fmt(r.seconds)} s, ${r.bytes} B`);
      }
    }
    rsync.stop();
    rsync = null;
    rmSync(path.join(work, 'rsync'), { recursive: true, force: true });
    rmSync(path.join(work, 'rsync-big.bin'), { force: true });

    // 2. Lanfold.
    let portBase = 47520;
    const nextPorts = (): { master: number; replica: number; guiM: number; guiR: number } => {
      portBase += 4;
      return { master: portBase, replica: portBase + 1, guiM: portBase + 2, guiR: portBase + 3 };
    };
    for (const s of sets) {
      if (!opts.only.has(s.part)) continue;
      log(`${s.name}: Lanfold`);
      let masterDir = path.join(data, s.name);
      if (s.part === 'c') {
        masterDir = path.join(work, 'lf-big-master');
        mkdirSync(masterDir, { recursive: true });
        copyFileSync(path.join(data, 'big', 'big.bin'), path.join(masterDir, 'big.bin'));
      }
      const { pair, row } = await lanfoldInitial(opts, work, s.name, masterDir, nextPorts());
      row.part = s.part;
      row.workload = s.workload;
      rows.push(row);
      if (s.part === 'c' && row.seconds !== null) {
        if (opts.only.has('d')) await lanfoldEdits(pair, rows, opts);
        if (opts.only.has('e')) latency.Lanfold = await lanfoldLatency(pair, opts);
      }
      await finishPair(pair, row, true);
      rmSync(path.join(work, `lf-${s.name}`), { recursive: true, force: true });
      const join = await lanfoldInitial(opts, work, s.name, masterDir, nextPorts(), true);
      join.row.part = s.part;
      join.row.workload = s.workload;
      rows.push(join.row);
      await finishPair(join.pair, join.row, true);
      rmSync(path.join(work, `lfj-${s.name}`), { recursive: true, force: true });
      if (s.part === 'c') rmSync(masterDir, { recursive: true, force: true });
    }
    if (opts.only.has('e') && !latency.Lanfold) {
      log('latency: Lanfold on a one-file folder');
      const masterDir = path.join(work, 'lf-lat-master');
      mkdirSync(masterDir, { recursive: true });
      writeFileSync(path.join(masterDir, 'seed.txt'), 'seed\n');
      const { pair, row } = await lanfoldInitial(opts, work, 'lat', masterDir, nextPorts());
      if (row.seconds !== null) latency.Lanfold = await lanfoldLatency(pair, opts);
      await finishPair(pair, null, false);
    }

    // 3. Syncthing (its script runs every data set, the edits and a 10-sample latency).
    let syncthing: Awaited<ReturnType<typeof runSyncthing>> | null = null;
    if (opts.syncthing) {
      log('Syncthing: /work/shared/bench/syncthing.py');
      syncthing = await runSyncthing(data, Math.max(opts.timeoutS * 2, 420));
      const rssRow = { syncthing: syncthing.rssKiB };
      for (const l of syncthing.lines) {
        const set = sets.find((s) => s.name === l.dataset);
        if (set && opts.only.has(set.part)) {
          rows.push({
            part: set.part,
            workload: set.workload,
            tool: 'Syncthing',
            seconds: l.initial_s ?? null,
            bytes: l.bytes ?? null,
            rss: rssRow,
          });
        }
        const m = /^big-(\w+)-1MiB$/.exec(l.dataset);
        if (m && opts.only.has('d')) {
          rows.push({
            part: 'd',
            workload: `512 MiB file: 1 MiB ${m[1]}`,
            tool: 'Syncthing',
            seconds: l.seconds_incl_watcher_delay_1s ?? null,
            bytes: l.bytes ?? null,
            note: 'includes its 1 s watcher delay',
          });
        }
        if (l.dataset.startsWith('latency') && opts.only.has('e')) {
          latency.Syncthing = { p50: l.p50_s ?? null, p99: null, max: l.max_s ?? null, n: 10 };
        }
      }
      if (syncthing.error) log(`  syncthing.py failed: ${syncthing.error}`);
    }

    const report = buildReport(rows, latency, {
      date: new Date().toISOString(),
      revision: gitRevision(),
      load: [loadBefore, loadAverage()],
      psi: [psiBefore, cpuPressure()],
      totalS: (performance.now() - started) / 1000,
      generateS,
      args,
      syncthingRss: syncthing?.rssKiB ?? null,
      syncthingError: syncthing?.error ?? null,
    });
    process.stdout.write(`\n${report.text}\n`);
    if (opts.out) {
      await writeJsonResult(opts.out, report.json);
      process.stdout.write(`\nresults written to ${path.relative(process.cwd(), opts.out)}\n`);
    }
    return 0;
  } finally {
    rsync?.stop();
    cleanUp();
  }
}

async function lanfoldEdits(pair: LanfoldPair, rows: Row[], opts: Options): Promise<void> {
  const file = path.join(pair.masterDir, 'big.bin');
  const dest = path.join(pair.replicaDir, 'big.bin');
  await sleep(1500); // let the initial version settle (acks, retention)
  for (const kind of EDITS) {
    const w0 = pair.wire();
    const t0 = performance.now();
    const { offset, size } = applyEdit(kind, file);
    const seconds = await waitFor(
      t0,
      () => regionMatches(dest, kind, offset, size),
      Math.min(opts.timeoutS, 120),
      20,
    );
    await sleep(500); // trailing acknowledgements
    const bytes = pair.wire() - w0;
    rows.push({
      part: 'd',
      workload: `512 MiB file: 1 MiB ${kind}`,
      tool: 'Lanfold',
      seconds,
      bytes,
      rss: pair.rss(),
      ...(seconds === null ? { note: 'timed out' } : {}),
    });
    log(`  Lanfold ${kind}: ${fmt(seconds)} s, ${bytes} B on the wire`);
  }
}

async function lanfoldLatency(
  pair: LanfoldPair,
  opts: Options,
): Promise<{ p50: number | null; p99: number | null; max: number | null; n: number }> {
  const samples: number[] = [];
  const payload = Buffer.alloc(1024, 'x');
  for (let i = 0; i < opts.latencySamples; i++) {
    const name = `lat-${i}.txt`;
    const t0 = performance.now();
    writeFileSync(path.join(pair.masterDir, name), payload);
    const s = await waitFor(t0, () => existsSync(path.join(pair.replicaDir, name)), 20, 2);
    if (s === null) {
      log(`  latency sample ${i} timed out (20 s); stopping`);
      break;
    }
    samples.push(s);
    await sleep(50);
  }
  const r = {
    p50: percentile(samples, 50),
    p99: percentile(samples, 99),
    max: samples.length ? Math.max(...samples) : null,
    n: samples.length,
  };
  log(`  Lanfold latency p50 ${fmt(r.p50)} s, p99 ${fmt(r.p99)} s (${r.n} samples)`);
  return r;
}

// ---------------------------------------------------------------------------------------------

interface Meta {
  date: string;
  revision: string;
  load: [number, number];
  psi: [number | null, number | null];
  totalS: number;
  generateS: number | null;
  args: string[];
  syncthingRss: number | null;
  syncthingError: string | null;
}

function buildReport(
  rows: Row[],
  latency: Record<
    string,
    { p50: number | null; p99: number | null; max: number | null; n: number }
  >,
  meta: Meta,
): { text: string; json: unknown } {
  const find = (workload: string, tool: string): Row | undefined =>
    rows.find((r) => r.workload === workload && r.tool === tool);
  const ratio = (a: number | null | undefined, b: number | null | undefined): string =>
    a != null && b != null && b > 0 ? `${fmt(a / b, 2)}×` : '–';
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const table: string[][] = [
    [
      'workload',
      'tool',
      'time s',
      'wire MB',
      'peak RSS MiB',
      '÷ rsync',
      '÷ rsync+sync',
      '÷ Syncthing',
      '÷ cp+sync',
      'note',
    ],
  ];
  for (const w of workloads) {
    const rs = find(w, 'rsync');
    const rss = find(w, 'rsync + sync');
    const st = find(w, 'Syncthing');
    const cp = find(w, 'cp -r + sync');
    for (const r of rows.filter((x) => x.workload === w)) {
      const isLf = r.tool === 'Lanfold' || r.tool === JOIN_TOOL;
      const rssCells = r.rss
        ? Object.entries(r.rss)
            .map(([k, v]) => `${k} ${fmt(v === null ? null : v / 1024)}`)
            .join(', ')
        : '';
      table.push([
        w,
        r.tool,
        fmt(r.seconds),
        r.bytes == null ? '' : fmt(r.bytes / 1e6),
        rssCells,
        isLf ? ratio(r.seconds, rs?.seconds) : '',
        isLf ? ratio(r.seconds, rss?.seconds) : '',
        isLf ? ratio(r.seconds, st?.seconds) : '',
        isLf ? ratio(r.seconds, cp?.seconds) : '',
        r.note ?? '',
      ]);
    }
  }
  const latTable: string[][] = [['1 KB save → replica', 'p50 s', 'p99 s', 'max s', 'samples']];
  for (const [tool, l] of Object.entries(latency))
    latTable.push([tool, fmt(l.p50), fmt(l.p99), fmt(l.max), String(l.n)]);

  // Targets.
  const targets: string[] = [];
  const met = (b: boolean | null): string => (b === null ? 'not measured' : b ? 'met' : 'NOT met');
  for (const w of workloads.filter((x) => x.endsWith('initial'))) {
    const lf = find(w, 'Lanfold')?.seconds;
    const rs = find(w, 'rsync')?.seconds;
    targets.push(`initial sync ≤ rsync, ${w}: ${met(lf != null && rs != null ? lf <= rs : null)}`);
    const join = find(w, JOIN_TOOL)?.seconds;
    if (join !== undefined)
      targets.push(
        `  the same, replica joining an indexed master: ${met(join != null && rs != null ? join <= rs : null)}`,
      );
  }
  for (const w of workloads.filter((x) => x.includes('1 MiB'))) {
    const lf = find(w, 'Lanfold')?.bytes;
    const rs = find(w, 'rsync')?.bytes;
    targets.push(
      `${w}: fewer bytes than rsync ${met(lf != null && rs != null ? lf < rs : null)}, < 1.2 MiB ${met(lf != null ? lf < 1.2 * MIB : null)}`,
    );
  }
  const l = latency.Lanfold;
  if (l) targets.push(`save → replica p50 < 150 ms: ${met(l.p50 !== null ? l.p50 < 0.15 : null)}`);

  const text = [
    `Lanfold sync benchmark, ${meta.date.slice(0, 16).replace('T', ' ')} UTC, revision ${meta.revision}`,
    `load average ${meta.load[0]} before, ${meta.load[1]} after; CPU pressure (PSI some avg60) ${meta.psi[0] ?? '–'}% → ${meta.psi[1] ?? '–'}%`,
    `command: node dist/bench/run.js sync ${meta.args.join(' ')}`,
    '',
    formatTable(table),
    '',
    formatTable(latTable),
    '',
    ...targets,
    '',
    'time s: Lanfold from spawning both daemons (Node start-up, master scan included) until every',
    '  file is on the replica with its size (edits: until the edited region matches); Lanfold fsyncs.',
    `  ${JOIN_TOOL}: the master already indexed the folder and is idle; from spawning the replica.`,
    '  rsync: the client process (no fsync); rsync + sync adds a `sync` afterwards.',
    '  Syncthing: syncthing.py (start of both instances until idle and in sync; edits include its',
    '  1 s watcher delay). All data warm in the page cache.',
    'wire MB: Lanfold: TCP bytes both ways through a counting proxy (TLS included); rsync: --stats',
    '  sent + received; Syncthing: inBytesTotal of the receiver.',
    'peak RSS: Lanfold VmHWM of each daemon; rsync: the client under GNU time (the daemon not);',
    `  Syncthing: highest VmHWM of its processes over the whole script (${fmt(meta.syncthingRss === null ? null : meta.syncthingRss / 1024)} MiB).`,
    meta.syncthingError ? `Syncthing script error: ${meta.syncthingError}` : '',
    `total ${fmt(meta.totalS)} s${meta.generateS !== null ? ` (of which generating data ${fmt(meta.generateS)} s)` : ''}`,
  ].join('\n');

  const json = {
    benchmark: 'sync',
    date: meta.date,
    revision: meta.revision,
    command: `node dist/bench/run.js sync ${meta.args.join(' ')}`,
    loadAverage: { before: meta.load[0], after: meta.load[1] },
    cpuPressureAvg60: { before: meta.psi[0], after: meta.psi[1] },
    totalSeconds: Math.round(meta.totalS),
    rows,
    latency,
    targets,
    syncthingError: meta.syncthingError,
  };
  return { text, json };
}
