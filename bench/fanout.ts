/**
 * `npm run bench -- fanout`: one change (a large binary file plus medium files, random bytes)
 * written on a master and propagated to 12 replicas, (a) through 3 relays with 4 replicas each
 * and (b) all 12 straight from the master, beside rsync from the master folder to 12
 * directories through an rsync daemon on 127.0.0.1, in one run. See docs/benchmarks.md,
 * section "fanout", and docs/scaling.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { fanoutReport, type ConfigResult, type RsyncResult } from './fanout-report.js';
import {
  changeFiles,
  cpuSecondsFromStat,
  fleetLayout,
  parseSize,
  type ChangeFile,
  type FleetDevice,
} from './fanout-tools.js';
import {
  MIB,
  LANFOLD_CLI,
  REPO_ROOT,
  benchOptions,
  shellQuote,
  startRsyncDaemon,
  cpuPressure,
  fmt,
  gitRevision,
  loadAverage,
  makeScratchDir,
  removeOnExit,
  timeShell,
  writeJsonResult,
} from './lib.js';
import { ArrivalTracker, sleep, vmHwmKiB } from './sync-tools.js';

export const summary =
  'one change to 12 replicas: through 3 relays vs straight from the master, vs rsync ×12';

const FOLDER = 'fan';
const ENV = { ...process.env, LANFOLD_DISCOVERY: 'off' };

interface Options {
  size: number;
  relays: number;
  perRelay: number;
  out: string | null;
  timeoutS: number;
  skip: Set<string>;
  keep: boolean;
}

function usage(): string {
  return [
    'usage: npm run bench -- fanout [--size 200MB] [--relays 3] [--per-relay 4]',
    '                               [--skip rsync,relays,flat] [--out FILE|-] [--timeout S] [--keep]',
    '  --size       the change: half one large file, half 20 medium files (random bytes)',
    '  --relays N --per-relay K   N relays with K replicas each; the flat run has N×K replicas',
    '  --timeout S  per configuration, for the change to reach every replica (default 600)',
    '  --keep       keep the scratch directory (state dirs with daemon.log) for a post-mortem',
  ].join('\n');
}

function parseArgs(args: string[]): Options | string {
  const o: Options = {
    size: 200e6,
    relays: 3,
    perRelay: 4,
    out: path.join(REPO_ROOT, 'bench', 'results', 'fanout-latest.json'),
    timeoutS: 600,
    skip: new Set(),
    keep: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const val = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') return usage();
    else if (a === '--size') o.size = parseSize(val());
    else if (a === '--relays') o.relays = Number(val());
    else if (a === '--per-relay') o.perRelay = Number(val());
    else if (a === '--timeout') o.timeoutS = Number(val());
    else if (a === '--skip') for (const s of val().split(',')) o.skip.add(s);
    else if (a === '--keep') o.keep = true;
    else if (a === '--out') {
      const v = val();
      o.out = v === '-' ? null : path.resolve(v);
    } else return usage();
  }
  const okCount = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 16;
  if (!okCount(o.relays) || !okCount(o.perRelay) || !(o.timeoutS > 0)) return usage();
  return o;
}

const log = (s: string): void => {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${s}\n`);
};

// ---------------------------------------------------------------------------------------------
// The change: deterministic random bytes (AES-256-CTR keystream, fixed key per file).

interface ChangeData {
  readonly files: readonly ChangeFile[];
  readonly bytes: readonly Buffer[];
  readonly sha256: readonly string[];
}

function makeChange(total: number): ChangeData {
  const files = changeFiles(total);
  const bytes = files.map((f, i) => {
    const key = createHash('sha256').update(`lanfold fanout bench ${i}`).digest();
    const c = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
    return Buffer.concat([c.update(Buffer.alloc(f.size)), c.final()]);
  });
  const sha256 = bytes.map((b) => createHash('sha256').update(b).digest('hex'));
  return { files, bytes, sha256 };
}

/** Writes the change into `root` (as an application would: open, write, close each file). */
function writeChange(root: string, change: ChangeData): void {
  change.files.forEach((f, i) => {
    const abs = path.join(root, f.rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    const fd = openSync(abs, 'w');
    const b = change.bytes[i]!;
    for (let off = 0; off < b.length; off += 4 * MIB)
      writeSync(fd, b, off, Math.min(4 * MIB, b.length - off));
    closeSync(fd);
  });
}

async function sha256File(file: string): Promise<string | null> {
  try {
    const h = createHash('sha256');
    for await (const chunk of createReadStream(file, { highWaterMark: 4 * MIB }))
      h.update(chunk as Buffer);
    return h.digest('hex');
  } catch {
    return null;
  }
}

/** The files of the change that differ from it under `root` (empty when all match). */
async function verifyChange(root: string, change: ChangeData): Promise<string[]> {
  const bad: string[] = [];
  for (const [i, f] of change.files.entries())
    if ((await sha256File(path.join(root, f.rel))) !== change.sha256[i]) bad.push(f.rel);
  return bad;
}

// ---------------------------------------------------------------------------------------------
// A fleet of Lanfold daemons on 127.0.0.1.

interface Device extends FleetDevice {
  readonly state: string;
  readonly folder: string;
  readonly port: number;
  id: string;
  proc: ChildProcess | undefined;
  stderr: string;
}

/** Every daemon this process started, SIGKILLed on exit or on a signal, whatever happens. */
const started = new Set<ChildProcess>();
/** Other things to stop on a signal (the rsync daemon). */
const onAbort = new Set<() => void>();
function killAll(): void {
  for (const p of started) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const stop of onAbort) stop();
}
process.on('exit', killAll);

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a !== null && typeof a === 'object' ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Runs many CLI commands in one Node process (a process per command costs ~0.4 s each). */
function cliBatch(commands: readonly (readonly string[])[]): string[] {
  const program = new URL('../main/cli/program.js', import.meta.url).href;
  const script = `
    import { runCli } from ${JSON.stringify(program)};
    const write = process.stdout.write.bind(process.stdout);
    const results = [];
    for (const argv of JSON.parse(process.env.LANFOLD_BENCH_BATCH)) {
      let out = '';
      process.stdout.write = (chunk) => { out += String(chunk); return true; };
      const code = await runCli(argv);
      process.stdout.write = write;
      results.push({ argv, code, out });
      if (code !== 0) break;
    }
    write(JSON.stringify(results));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...ENV, LANFOLD_BENCH_BATCH: JSON.stringify(commands) },
    maxBuffer: 64 * MIB,
    timeout: 180_000,
  });
  let results: { argv: string[]; code: number; out: string }[];
  try {
    results = JSON.parse(r.stdout) as typeof results;
  } catch {
    throw new Error(`the CLI batch failed (${r.status ?? r.signal}): ${r.stderr}`);
  }
  const failed = results.find((x) => x.code !== 0);
  if (failed || results.length !== commands.length)
    throw new Error(`lanfold ${(failed?.argv ?? []).join(' ')} failed: ${failed?.out} ${r.stderr}`);
  return results.map((x) => x.out);
}

interface Runtime {
  folders?: Record<
    string,
    {
      head?: number;
      upstream?: string | null;
      bytesFetched?: number;
      replicas?: { deviceId: string; acked: number }[];
    }
  >;
  wire?: { bytesIn: number; bytesOut: number };
}

class Fleet {
  readonly devices: Device[];
  private t0 = 0;

  private constructor(devices: Device[]) {
    this.devices = devices;
  }

  static async create(work: string, relays: number, perRelay: number): Promise<Fleet> {
    const layout = fleetLayout(relays, perRelay);
    const devices: Device[] = [];
    for (const d of layout) {
      const base = path.join(work, d.name);
      mkdirSync(path.join(base, 'folder'), { recursive: true });
      devices.push({
        ...d,
        state: path.join(base, 'state'),
        folder: path.join(base, 'folder'),
        port: d.role === 'leaf' ? 0 : await freePort(),
        id: '',
        proc: undefined,
        stderr: '',
      });
    }
    const inits = cliBatch(
      devices.map((d) => [
        '--state',
        d.state,
        'init',
        '--name',
        d.name,
        '--listen',
        `127.0.0.1:${d.port}`,
        '--gui',
        '127.0.0.1:0',
        '--json',
      ]),
    );
    inits.forEach(
      (out, i) => (devices[i]!.id = (JSON.parse(out) as { deviceId: string }).deviceId),
    );
    const byName = new Map(devices.map((d) => [d.name, d]));
    const at = (d: Device): string => `${d.id}@127.0.0.1:${d.port}`;
    const commands: string[][] = [];
    for (const d of devices) {
      const cli = (...args: string[]): number => commands.push(['--state', d.state, ...args]);
      if (d.role === 'master') cli('folder', 'add', d.folder, '--master', '--id', FOLDER);
      for (const upName of d.upstreams)
        cli('peer', 'add', at(byName.get(upName)!), '--name', upName);
      if (d.role !== 'master') {
        const ups = d.upstreams.map((n) => byName.get(n)!.id).join(',');
        cli('folder', 'add', d.folder, '--replica-of', ups, '--id', FOLDER);
      }
      if (d.role === 'relay') cli('folder', 'set', FOLDER, 'relay', 'on');
      for (const downName of d.serves) {
        cli('peer', 'add', byName.get(downName)!.id, '--name', downName);
        cli('folder', 'share', FOLDER, byName.get(downName)!.id);
      }
    }
    cliBatch(commands);
    return new Fleet(devices);
  }

  get master(): Device {
    return this.devices[0]!;
  }
  get relays(): Device[] {
    return this.devices.filter((d) => d.role === 'relay');
  }
  get leaves(): Device[] {
    return this.devices.filter((d) => d.role === 'leaf');
  }
  get replicas(): Device[] {
    return this.devices.filter((d) => d.role !== 'master');
  }

  private async spawnOne(d: Device): Promise<void> {
    const proc = spawn(process.execPath, [LANFOLD_CLI, '--state', d.state, 'start', '--quiet'], {
      env: ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.add(proc);
    d.proc = proc;
    proc.stderr?.on('data', (b: Buffer) => {
      d.stderr = (d.stderr + b.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${d.name} not READY in 60 s`)), 60_000);
      proc.stdout?.on('data', (b: Buffer) => {
        if (b.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${d.name} exited (${code}) before READY: ${d.stderr}`));
      });
    });
  }

  /** The master, then the relays, then the leaves (as in test/helpers/relay-tree.ts). */
  async start(): Promise<void> {
    this.t0 = performance.now();
    await this.spawnOne(this.master);
    for (const r of this.relays) await this.spawnOne(r);
    await Promise.all(this.leaves.map((l) => this.spawnOne(l)));
  }

  runtime(d: Device): Runtime {
    try {
      return JSON.parse(readFileSync(path.join(d.state, 'daemon.json'), 'utf8')) as Runtime;
    } catch {
      return {};
    }
  }

  head(d: Device): number {
    return this.runtime(d).folders?.[FOLDER]?.head ?? 0;
  }

  /** Frame bytes the daemon sent since it started (daemon.json `wire`, written every second). */
  bytesOut(d: Device): number | null {
    return this.runtime(d).wire?.bytesOut ?? null;
  }

  cpu(d: Device): number | null {
    const pid = d.proc?.pid;
    if (pid === undefined) return null;
    try {
      return cpuSecondsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return null;
    }
  }

  /** Waits until every replica holds the master's head and every leaf follows its first upstream. */
  async settle(timeoutS: number): Promise<void> {
    const byName = new Map(this.devices.map((d) => [d.name, d]));
    const deadline = performance.now() + timeoutS * 1000;
    let stable = 0;
    for (let i = 0; i < 100_000 && performance.now() < deadline; i++) {
      const head = this.head(this.master);
      const ok =
        head > 0 &&
        this.replicas.every((d) => {
          const f = this.runtime(d).folders?.[FOLDER];
          return f?.head === head && f.upstream === byName.get(d.upstreams[0]!)!.id;
        });
      stable = ok ? stable + 1 : 0;
      if (stable >= 3) return; // three readings 0.5 s apart
      await sleep(500);
    }
    const state = this.replicas
      .map((d) => {
        const f = this.runtime(d).folders?.[FOLDER];
        return `${d.name} v${f?.head ?? '?'} via ${this.nameOf(f?.upstream)}`;
      })
      .join(', ');
    throw new Error(
      `fleet not settled in ${timeoutS} s (master v${this.head(this.master)}): ${state}`,
    );
  }

  nameOf(id: string | null | undefined): string {
    return this.devices.find((d) => d.id === id)?.name ?? String(id);
  }

  async stop(): Promise<void> {
    const live = this.devices.filter(
      (d) => d.proc && d.proc.exitCode === null && d.proc.signalCode === null,
    );
    for (const d of live) d.proc!.kill('SIGINT');
    for (const d of live) {
      for (let i = 0; i < 100 && d.proc!.exitCode === null && d.proc!.signalCode === null; i++)
        await sleep(100);
      if (d.proc!.exitCode === null && d.proc!.signalCode === null) d.proc!.kill('SIGKILL');
      started.delete(d.proc!);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// One Lanfold configuration.

async function runLanfold(
  label: 'relays' | 'flat',
  work: string,
  opts: Options,
  change: ChangeData,
): Promise<ConfigResult> {
  const relays = label === 'relays' ? opts.relays : 0;
  const perRelay = label === 'relays' ? opts.perRelay : opts.relays * opts.perRelay;
  const dir = path.join(work, `lf-${label}`);
  log(`${label}: setting up ${1 + relays + Math.max(1, relays) * perRelay} devices`);
  const fleet = await Fleet.create(dir, relays, perRelay);
  writeFileSync(path.join(fleet.master.folder, 'seed.txt'), 'the folder before the change\n');
  try {
    await fleet.start();
    log(`${label}: started; waiting for the seed version everywhere`);
    await fleet.settle(120);
    const head0 = fleet.head(fleet.master);
    await sleep(1200); // a fresh daemon.json after the settle
    const out0 = new Map(fleet.devices.map((d) => [d.name, fleet.bytesOut(d) ?? 0]));
    const cpu0 = new Map(fleet.devices.map((d) => [d.name, fleet.cpu(d) ?? 0]));

    log(`${label}: writing the change (${fmt(opts.size / 1e6)} MB) on the master`);
    const t0 = performance.now();
    writeChange(fleet.master.folder, change);
    const writeS = (performance.now() - t0) / 1000;
    const trackers = new Map(
      fleet.replicas.map((d) => [d.name, new ArrivalTracker(change.files, d.folder)]),
    );
    const arrival = new Map<string, number>();
    const deadline = t0 + opts.timeoutS * 1000;
    for (let i = 0; i < 10_000_000 && performance.now() < deadline; i++) {
      for (const [name, t] of trackers)
        if (!arrival.has(name) && t.poll()) arrival.set(name, (performance.now() - t0) / 1000);
      if (fleet.leaves.every((l) => arrival.has(l.name))) break;
      await sleep(25);
    }
    const leafTimes = fleet.leaves.map((l) => arrival.get(l.name) ?? null);
    const allS = leafTimes.every((x) => x !== null) ? Math.max(...leafTimes) : null;
    log(
      `${label}: ${allS === null ? 'TIMED OUT' : `all leaves hold the change at ${fmt(allS)} s`}`,
    );

    // Acks and commits settle; then the counters (daemon.json is rewritten every second).
    let settled = true;
    try {
      await fleet.settle(60);
    } catch (err) {
      settled = false;
      log(`${label}: ${(err as Error).message}`);
    }
    await sleep(1500);
    const headAfter = fleet.head(fleet.master);
    const sent = (d: Device): number => (fleet.bytesOut(d) ?? 0) - (out0.get(d.name) ?? 0);
    const cpu = (d: Device): number => (fleet.cpu(d) ?? 0) - (cpu0.get(d.name) ?? 0);
    const sum = (ds: Device[], f: (d: Device) => number): number =>
      ds.reduce((a, d) => a + f(d), 0);
    const masterServes = fleet.runtime(fleet.master).folders?.[FOLDER]?.replicas ?? [];
    const rss = fleet.devices.map((d) => (d.proc?.pid ? vmHwmKiB(d.proc.pid) : null));

    log(`${label}: verifying every replica by SHA-256`);
    const mismatches: string[] = [];
    for (const d of fleet.replicas) {
      const bad = await verifyChange(d.folder, change);
      if (bad.length) mismatches.push(`${d.name}: ${bad.slice(0, 3).join(', ')}`);
    }
    const relayTimes = fleet.relays.map((r) => arrival.get(r.name) ?? null);
    const result: ConfigResult = {
      config: label,
      devices: fleet.devices.length,
      relays: relays,
      leaves: fleet.leaves.length,
      writeSeconds: writeS,
      seconds: allS,
      firstLeafSeconds: leafTimes.some((x) => x !== null)
        ? Math.min(...leafTimes.filter((x): x is number => x !== null))
        : null,
      relaySeconds: relayTimes,
      leafSeconds: leafTimes,
      versions: headAfter - head0,
      masterBytesOut: sent(fleet.master),
      relayBytesOut: fleet.relays.map(sent),
      leafBytesOut: sum(fleet.leaves, sent),
      masterSubscribers: masterServes.length,
      cpu: {
        master: cpu(fleet.master),
        relays: sum(fleet.relays, cpu),
        leaves: sum(fleet.leaves, cpu),
      },
      peakRssMiB: {
        master: rss[0] === null || rss[0] === undefined ? null : rss[0] / 1024,
        maxOther: Math.max(0, ...rss.slice(1).map((x) => (x ?? 0) / 1024)),
      },
      verified: mismatches.length === 0 && allS !== null,
      settled,
      note: [
        allS === null ? `timed out after ${opts.timeoutS} s` : '',
        mismatches.length ? `hash mismatch: ${mismatches.join('; ')}` : '',
        settled ? '' : 'acks did not settle in 60 s',
      ]
        .filter(Boolean)
        .join('; '),
    };
    log(
      `${label}: master sent ${fmt(result.masterBytesOut / 1e6)} MB (${fmt(result.masterBytesOut / opts.size)}× the change), ` +
        `CPU master ${fmt(result.cpu.master)} s, relays ${fmt(result.cpu.relays)} s, leaves ${fmt(result.cpu.leaves)} s`,
    );
    return result;
  } catch (err) {
    for (const d of fleet.devices)
      if (d.stderr) log(`--- ${d.name} stderr: ${d.stderr.slice(-800)}`);
    throw err;
  } finally {
    await fleet.stop();
    if (!opts.keep) rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

// ---------------------------------------------------------------------------------------------
// rsync: a daemon on 127.0.0.1, the master folder pushed to N destination directories.

const q = shellQuote;

function runRsync(work: string, opts: Options, change: ChangeData, port: number): RsyncResult {
  const n = opts.relays * opts.perRelay;
  const dir = path.join(work, 'rsync');
  const src = path.join(dir, 'src');
  const dst = path.join(dir, 'dst');
  mkdirSync(src, { recursive: true });
  writeFileSync(path.join(src, 'seed.txt'), 'the folder before the change\n');
  const stopRsync = startRsyncDaemon(dir, dst, port);
  const stopDaemon = (): void => {
    onAbort.delete(stopDaemon);
    stopRsync();
  };
  onAbort.add(stopDaemon);
  const dests = Array.from({ length: n }, (_, i) => `r${String(i + 1).padStart(2, '0')}`);
  const url = (d: string): string => `rsync://127.0.0.1:${port}/dst/${d}/`;
  const one = (d: string): string => `rsync -a --stats ${q(`${src}/`)} ${url(d)}`;
  const sentBytes = (out: string): number =>
    [...out.matchAll(/Total bytes sent: ([\d,]+)/g)].reduce(
      (a, m) => a + Number(m[1]!.replaceAll(',', '')),
      0,
    );
  try {
    log(`rsync: seeding ${n} destinations`);
    timeShell(dests.map((d) => `${one(d)} >/dev/null`).join(' && '), dir);
    log(`rsync: the change, then ${n} rsync runs one after another`);
    const t0 = performance.now();
    writeChange(src, change);
    const writeS = (performance.now() - t0) / 1000;
    const seq = timeShell(dests.map(one).join(' && '), dir);
    const seqS = (performance.now() - t0) / 1000;
    const syncS = timeShell('sync', dir).seconds;
    const bytes = sentBytes(seq.stdout);
    const bad = dests.filter((d) => {
      const wrong = change.files.some((f, i) => {
        const h = createHash('sha256');
        try {
          h.update(readFileSync(path.join(dst, d, f.rel)));
        } catch {
          return true;
        }
        return h.digest('hex') !== change.sha256[i];
      });
      return wrong;
    });
    log(`rsync: sequential ${fmt(seqS)} s (+ sync ${fmt(syncS)} s), ${fmt(bytes / 1e6)} MB sent`);

    // The same transfer with the 12 clients at once (destinations reset to the seed state).
    for (const d of dests) rmSync(path.join(dst, d, 'change'), { recursive: true, force: true });
    spawnSync('sync');
    const par = timeShell(
      `${dests.map((d) => `${one(d)} >${q(path.join(dir, `${d}.out`))} &`).join(' ')} wait`,
      dir,
    );
    let parBytes = 0;
    for (const d of dests) parBytes += sentBytes(readFileSync(path.join(dir, `${d}.out`), 'utf8'));
    log(`rsync: ${n} at once ${fmt(par.seconds)} s, ${fmt(parBytes / 1e6)} MB sent`);
    return {
      destinations: n,
      writeSeconds: writeS,
      seconds: seqS,
      syncSeconds: syncS,
      bytesSent: bytes,
      clientCpu: (seq.userSeconds ?? 0) + (seq.systemSeconds ?? 0),
      parallelSeconds: par.seconds,
      parallelBytesSent: parBytes,
      verified: bad.length === 0,
      note: bad.length ? `differs in ${bad.join(', ')}` : '',
    };
  } finally {
    stopDaemon();
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  }
}

// ---------------------------------------------------------------------------------------------

export async function run(args: string[]): Promise<number> {
  const opts = benchOptions(args, parseArgs, usage);
  if (typeof opts === 'number') return opts;
  const startedAt = performance.now();
  const loadBefore = loadAverage();
  const psiBefore = cpuPressure();
  // Registered before removeOnExit's handlers, so the daemons are dead before their
  // directories go; with --keep nothing else re-raises the signal, so this does.
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping every daemon`);
    killAll();
    if (opts.keep) process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const work = makeScratchDir('lanfold-fanout');
  const cleanUp = opts.keep ? () => log(`kept ${work}`) : removeOnExit(work);
  try {
    log(`generating the change: ${fmt(opts.size / 1e6)} MB`);
    const change = makeChange(opts.size);
    const rsync = opts.skip.has('rsync') ? null : runRsync(work, opts, change, await freePort());
    const configs: ConfigResult[] = [];
    for (const label of ['relays', 'flat'] as const)
      if (!opts.skip.has(label)) configs.push(await runLanfold(label, work, opts, change));
    const report = fanoutReport({
      date: new Date().toISOString(),
      revision: gitRevision(),
      command: `node dist/bench/run.js fanout ${args.join(' ')}`,
      load: [loadBefore, loadAverage()],
      psi: [psiBefore, cpuPressure()],
      totalSeconds: (performance.now() - startedAt) / 1000,
      changeBytes: opts.size,
      changeFiles: change.files.length,
      rsync,
      configs,
    });
    process.stdout.write(`\n${report.text}\n`);
    if (opts.out) {
      await writeJsonResult(opts.out, report.json);
      process.stdout.write(`\nresults written to ${path.relative(process.cwd(), opts.out)}\n`);
    }
    return configs.every((c) => c.verified) && (rsync?.verified ?? true) ? 0 : 1;
  } finally {
    killAll();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    cleanUp();
  }
}
