/**
 * A cluster of real Lanfold devices on 127.0.0.1 for multi-process tests: one master and N
 * replicas of one folder, each with its own temp state directory and folder, set up through
 * the CLI (`init`, `peer add` on both sides, `folder add`, `folder share`; the setup
 * commands run in one node process, see clusterCliBatch) and run as `lanfold start` child
 * processes (LANFOLD_DISCOVERY=off). Daemons can be stopped, killed,
 * frozen (SIGSTOP) and restarted; their status, structured log and version log can be read.
 *
 * The master listens on a fixed port picked at setup (outside the ephemeral range, so a
 * restarted master gets its port back); replicas listen on port 0 (nobody dials them).
 * Set LANFOLD_TEST_CLI to run another build of the CLI than dist/ (e.g. a private one).
 * Call `killClusters()` in afterEach: it SIGKILLs every process a cluster started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DeviceState } from '../../main/daemon/device.js';
import { IgnoreRules } from '../../main/engine/ignore-rules.js';
import { VersionLog } from '../../main/engine/store/version-log.js';
import { CLI_PATH, DaemonProcess, lanfoldEnv, REPO_ROOT, type CliResult } from './cli.js';
import {
  HashCache,
  snapshotFolder,
  stateDifferences,
  stateOfEntries,
  type FolderState,
} from './folder-state.js';
import { makeTempDir } from './temp.js';
import { waitFor } from './wait.js';

/** The CLI the cluster runs: dist/ unless LANFOLD_TEST_CLI names another build. */
export const CLUSTER_CLI = process.env.LANFOLD_TEST_CLI ?? CLI_PATH;

const processes = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  processes.add(child);
  child.once('exit', () => processes.delete(child));
  return child;
}

/** Runs one CLI command against a state directory; throws with its output unless it exits 0. */
export async function clusterCli(
  state: string,
  args: readonly string[],
  timeoutMs = 30_000,
): Promise<string> {
  const r = await runCli(['--state', state, ...args], timeoutMs);
  if (r.code !== 0)
    throw new Error(
      `lanfold ${args.join(' ')} exited ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  return r.stdout;
}

/**
 * Runs several CLI commands, in order, in ONE node process (the same `runCli` that
 * `lanfold` runs, once per command): on a loaded 2-core machine loading the CLI costs
 * seconds, and setting up a cluster takes a dozen commands. Stops at the first failure
 * (and throws with its output); returns each command's stdout.
 */
export async function clusterCliBatch(
  commands: readonly (readonly string[])[],
  timeoutMs = 60_000,
): Promise<string[]> {
  const program = pathToFileURL(path.join(path.dirname(CLUSTER_CLI), 'program.js')).href;
  const script = `
    import { runCli } from ${JSON.stringify(program)};
    const write = process.stdout.write.bind(process.stdout);
    const results = [];
    for (const argv of JSON.parse(process.env.LANFOLD_TEST_BATCH)) {
      let out = '';
      process.stdout.write = (chunk) => { out += String(chunk); return true; };
      const code = await runCli(argv);
      process.stdout.write = write;
      results.push({ argv, code, out });
      if (code !== 0) break;
    }
    write(JSON.stringify(results));
  `;
  const r = await runNode(['--input-type=module', '-e', script], timeoutMs, {
    LANFOLD_TEST_BATCH: JSON.stringify(commands),
  });
  let results: { argv: string[]; code: number; out: string }[];
  try {
    results = JSON.parse(r.stdout) as typeof results;
  } catch {
    throw new Error(
      `the CLI batch failed (${r.code ?? r.signal})\nstdout: ${r.stdout}\nstderr: ${r.stderr}`,
    );
  }
  const failed = results.find((x) => x.code !== 0);
  if (failed || results.length !== commands.length)
    throw new Error(
      `lanfold ${(failed?.argv ?? []).join(' ')} exited ${failed?.code ?? '?'}\nstdout: ${failed?.out ?? ''}\nstderr: ${r.stderr}`,
    );
  return results.map((x) => x.out);
}

function runCli(args: readonly string[], timeoutMs: number): Promise<CliResult> {
  return runNode([CLUSTER_CLI, ...args], timeoutMs);
}

function runNode(
  args: readonly string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  if (!existsSync(CLUSTER_CLI))
    throw new Error(`${CLUSTER_CLI} is missing: run \`npm run build\` before these tests`);
  const child = track(
    spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: lanfoldEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A free TCP port on 127.0.0.1 below the ephemeral range (which port-0 listeners draw from). */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const ok = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port found');
}

/** One line of a daemon's pino log. */
export interface LogLine {
  readonly level: number;
  readonly time: number;
  readonly pid: number;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Log messages worth showing when a test fails, besides warnings and errors. */
const NOTABLE = new Set(['transaction decided', 'voted no: behind', 'delta served']);

/** The last warnings, errors and two-phase decisions of a device's log, one JSON line each. */
function notableLines(d: ClusterDevice, max = 40): string[] {
  const lines = d.logLines().filter((l) => l.level >= 40 || NOTABLE.has(l.msg));
  if (lines.length === 0) return [];
  return [
    `--- ${d.name} log: last ${Math.min(max, lines.length)} of ${lines.length} warnings, errors and decisions`,
    ...lines.slice(-max).map((l) => JSON.stringify(l).slice(0, 400)),
  ];
}

/** What `lanfold status --json` says about one folder. */
export interface FolderStatus {
  readonly id: string;
  readonly role: 'master' | 'replica';
  readonly version: number;
  readonly error: string | null;
  /** A replica folder configured to use the atomic view. */
  readonly atomicView?: boolean;
  readonly replication: ReplicationRuntime | null;
}

export interface ReplicationRuntime {
  readonly role: 'master' | 'replica';
  readonly head?: number;
  readonly upstreamVersion?: number;
  readonly connected?: boolean;
  readonly syncing?: boolean;
  readonly lastError?: string;
  readonly conflicts?: readonly { path: string; keptAs: string; at: number }[];
  readonly localChanges?: readonly { path: string; kind: string }[];
  readonly bytesFetched?: number;
  readonly replicas?: readonly { deviceId: string; name: string; acked: number }[];
  /** A replica's prepared two-phase transaction. */
  readonly prepared?: { tx: string; version: number } | null;
  /** Replica: the device it follows now (null while none is connected). */
  readonly upstream?: string | null;
  /** Replica: whether it relays the folder to replicas below it. */
  readonly relay?: boolean;
  /** A replica folder shown through an atomic view. */
  readonly atomicView?: boolean;
}

export interface StatusJson {
  readonly device: { id: string; name: string };
  readonly daemon: { running: boolean; pid: number | null };
  readonly folders: readonly FolderStatus[];
}

interface RuntimeJson {
  readonly pid: number;
  readonly listenPort: number;
  readonly folders: Record<string, ReplicationRuntime>;
}

export interface StartOptions {
  /** Extra environment (e.g. LANFOLD_FAILPOINT). */
  readonly env?: NodeJS.ProcessEnv;
  /** Run the daemon as this user and group (its state and folder must be theirs: see `chownTo`). */
  readonly uid?: number;
  readonly gid?: number;
  /** Wait for READY (default true). */
  readonly ready?: boolean;
}

export class ClusterDevice {
  daemon: DaemonProcess | undefined;
  /** Every daemon this device ran, oldest first (their output stays readable). */
  readonly runs: DaemonProcess[] = [];
  private versionLog: VersionLog | undefined;

  constructor(
    readonly name: string,
    readonly role: 'master' | 'replica',
    /** The state directory. */
    readonly state: string,
    /** The synced folder (real path). */
    readonly folder: string,
    readonly folderId: string,
    readonly deviceId: string,
    /** Listen port (0 for replicas). */
    readonly port: number,
    private readonly baseEnv: NodeJS.ProcessEnv,
  ) {}

  get logFile(): string {
    return path.join(this.state, 'daemon.log');
  }

  get running(): boolean {
    return this.daemon?.running ?? false;
  }

  /** Starts `lanfold start` (after the previous run of this device has ended). */
  async start(options: StartOptions = {}): Promise<DaemonProcess> {
    if (this.daemon?.running) throw new Error(`${this.name} is already running`);
    const child = track(
      spawn(process.execPath, [CLUSTER_CLI, '--state', this.state, 'start'], {
        cwd: REPO_ROOT,
        env: lanfoldEnv({ ...this.baseEnv, ...options.env }),
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(options.uid !== undefined ? { uid: options.uid } : {}),
        ...(options.gid !== undefined ? { gid: options.gid } : {}),
      }),
    );
    const d = new DaemonProcess(child);
    this.daemon = d;
    this.runs.push(d);
    if (options.ready ?? true) await d.ready(60_000);
    return d;
  }

  /**
   * Gives this device's state directory and folder to another user (the directories above
   * them become searchable), so that its daemon can run as that user.
   */
  chownTo(uid: number, gid: number): void {
    const chown = (p: string): void => {
      lchownSync(p, uid, gid);
      if (lstatSync(p).isDirectory()) for (const n of readdirSync(p)) chown(path.join(p, n));
    };
    chown(this.state);
    chown(this.folder);
    for (let dir = path.dirname(this.state); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      const mode = statSync(dir).mode;
      if ((mode & 0o011) !== 0o011) chmodSync(dir, (mode & 0o7777) | 0o011);
    }
  }

  /** SIGTERM (SIGKILL after a grace period); resumes a frozen daemon first. */
  async stop(): Promise<void> {
    const d = this.daemon;
    if (!d?.running) return;
    d.child.kill('SIGCONT');
    await d.stop(20_000);
  }

  /** SIGKILL, as a power cut would; resolves once the process is gone. */
  async kill(): Promise<void> {
    const d = this.daemon;
    if (!d?.running) return;
    d.child.kill('SIGKILL');
    await d.exit();
  }

  /** Freezes the daemon (SIGSTOP): its connections stay open but it reads nothing. */
  freeze(): void {
    this.daemon?.child.kill('SIGSTOP');
  }

  thaw(): void {
    this.daemon?.child.kill('SIGCONT');
  }

  async restart(options: StartOptions = {}): Promise<DaemonProcess> {
    await this.stop();
    return this.start(options);
  }

  /** The daemon's runtime file (daemon.json), or undefined while there is none. */
  runtime(): RuntimeJson | undefined {
    try {
      return JSON.parse(readFileSync(path.join(this.state, 'daemon.json'), 'utf8')) as RuntimeJson;
    } catch {
      return undefined;
    }
  }

  /** This device's replication state of the folder, from daemon.json (written every second). */
  replication(): ReplicationRuntime | undefined {
    return this.runtime()?.folders[this.folderId];
  }

  /** `lanfold status --json`. */
  async status(): Promise<StatusJson> {
    return JSON.parse(await clusterCli(this.state, ['status', '--json'])) as StatusJson;
  }

  async folderStatus(): Promise<FolderStatus> {
    const s = await this.status();
    const f = s.folders.find((x) => x.id === this.folderId);
    if (!f) throw new Error(`${this.name}: status has no folder ${this.folderId}`);
    return f;
  }

  /** Every line of the daemon's structured log so far (all runs). */
  logLines(): LogLine[] {
    let text: string;
    try {
      text = readFileSync(this.logFile, 'utf8');
    } catch {
      return [];
    }
    const out: LogLine[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      try {
        out.push(JSON.parse(line) as LogLine);
      } catch {
        // A line being written: skip it.
      }
    }
    return out;
  }

  /** Log lines with this message (and, if given, from this pid). */
  logged(msg: string, pid?: number): LogLine[] {
    return this.logLines().filter((l) => l.msg === msg && (pid === undefined || l.pid === pid));
  }

  /** The folder's version log, opened read-only (kept open; closed by `close()`). */
  log(): VersionLog {
    if (!this.versionLog) {
      const file = path.join(this.state, 'folders', this.folderId, 'log.db');
      if (!existsSync(file)) throw new Error(`${this.name}: ${file} does not exist yet`);
      this.versionLog = new VersionLog(file, { readonly: true });
    }
    return this.versionLog;
  }

  /** The recorded head, 0 before the log exists. */
  head(): number {
    try {
      return this.log().head();
    } catch {
      return 0;
    }
  }

  /** What is on disk in the folder (Lanfold's staging area and ignored names excluded). */
  snapshot(cache?: HashCache): Promise<FolderState> {
    return snapshotFolder(this.folder, IgnoreRules.load(this.folder), cache);
  }

  /** The state the log records at its head. */
  recorded(): FolderState {
    const log = this.log();
    return stateOfEntries(log.stateAt(log.head()));
  }

  /** Differences between the disk and the recorded head (empty: the log claims exactly what is there). */
  async diskVersusLog(cache?: HashCache): Promise<string[]> {
    const disk = await this.snapshot(cache);
    return stateDifferences(disk, this.recorded());
  }

  closeLog(): void {
    this.versionLog?.close();
    this.versionLog = undefined;
  }
}

export interface ClusterOptions {
  readonly replicas: number;
  readonly folderId?: string;
  /** Fills the master's folder before the first start. */
  readonly populate?: (folder: string) => void;
  /** Environment of every daemon (e.g. LANFOLD_LOG_LEVEL). */
  readonly env?: NodeJS.ProcessEnv;
  /**
   * The master folder's deletion guard (`lanfold folder set … deletion-guard`); random
   * operations delete whole directories, which must not wait for a person's approval.
   */
  readonly deletionGuard?: 'off';
  /**
   * The master folder's batch quiet time (ms). A test that writes several files and expects
   * one version sets it well above the default 30 ms: on a loaded machine (test files run
   * side by side) a burst can otherwise be recorded as two versions.
   */
  readonly masterBatchQuietMs?: number;
}

const clusters = new Set<Cluster>();

export class Cluster {
  private constructor(
    readonly master: ClusterDevice,
    readonly replicas: readonly ClusterDevice[],
  ) {}

  get devices(): ClusterDevice[] {
    return [this.master, ...this.replicas];
  }

  /** Creates the devices and pairs them (no daemon runs yet). */
  static async create(options: ClusterOptions): Promise<Cluster> {
    const folderId = options.folderId ?? 'shared';
    const env = options.env ?? {};
    const base = makeTempDir('lanfold-cluster-');
    const names = [
      'master',
      ...Array.from({ length: options.replicas }, (_, i) => `replica${i + 1}`),
    ];
    const port = await freePort();
    const made = names.map((name) => {
      const state = path.join(base, name, 'state');
      const folder = path.join(base, name, 'folder');
      mkdirSync(folder, { recursive: true });
      return { name, state, folder, deviceId: '' };
    });
    const inits = await clusterCliBatch(
      made.map((d, i) => [
        '--state',
        d.state,
        'init',
        '--name',
        d.name,
        '--listen',
        `127.0.0.1:${i === 0 ? port : 0}`,
        '--gui',
        '127.0.0.1:0',
        '--json',
      ]),
    );
    inits.forEach(
      (out, i) => (made[i]!.deviceId = (JSON.parse(out) as { deviceId: string }).deviceId),
    );
    const m = made[0]!;
    options.populate?.(m.folder);
    // Pairing, on both sides: the master trusts each replica and shares the folder with it;
    // each replica trusts the master at its address and follows the folder.
    const commands: string[][] = [
      ['--state', m.state, 'folder', 'add', m.folder, '--master', '--id', folderId],
    ];
    if (options.deletionGuard === 'off')
      commands.push(['--state', m.state, 'folder', 'set', folderId, 'deletion-guard', 'off']);
    for (const r of made.slice(1)) {
      commands.push(['--state', m.state, 'peer', 'add', r.deviceId, '--name', r.name]);
      commands.push(['--state', m.state, 'folder', 'share', folderId, r.deviceId]);
      commands.push([
        '--state',
        r.state,
        'peer',
        'add',
        `${m.deviceId}@127.0.0.1:${port}`,
        '--name',
        'master',
      ]);
      commands.push([
        '--state',
        r.state,
        'folder',
        'add',
        r.folder,
        '--replica-of',
        m.deviceId,
        '--id',
        folderId,
      ]);
    }
    await clusterCliBatch(commands);
    if (options.masterBatchQuietMs !== undefined)
      DeviceState.open(m.state).setFolderSettings(folderId, {
        batchQuietMs: options.masterBatchQuietMs,
      });
    const device = (d: (typeof made)[number], role: 'master' | 'replica', p: number) =>
      new ClusterDevice(d.name, role, d.state, d.folder, folderId, d.deviceId, p, env);
    const cluster = new Cluster(
      device(m, 'master', port),
      made.slice(1).map((r) => device(r, 'replica', 0)),
    );
    clusters.add(cluster);
    return cluster;
  }

  /** Starts every device that is not running (master first), waiting for READY. */
  async startAll(): Promise<void> {
    if (!this.master.running) await this.master.start();
    await Promise.all(this.replicas.filter((r) => !r.running).map((r) => r.start()));
  }

  /**
   * Waits until the master has recorded what is on its disk and every given replica holds
   * the master's head; returns the head. Nothing may change on the master meanwhile.
   */
  async waitConverged(
    options: { timeoutMs?: number; replicas?: readonly ClusterDevice[]; cache?: HashCache } = {},
  ): Promise<number> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const replicas = options.replicas ?? this.replicas;
    const disk = await this.master.snapshot(options.cache);
    let lastDiff: string[] = [];
    const head = await waitFor(
      () => {
        const h = this.master.head();
        lastDiff = stateDifferences(disk, this.master.recorded());
        return lastDiff.length === 0 && h > 0 && h;
      },
      { timeoutMs, intervalMs: 100, what: 'the master to record its folder' },
    ).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}\nmaster disk vs log:\n${lastDiff.slice(0, 40).join('\n')}`,
      );
    });
    await waitFor(() => replicas.every((r) => r.head() === head), {
      timeoutMs,
      intervalMs: 100,
      what: `replicas to reach v${head} (${replicas.map((r) => `${r.name} at v${r.head()}`).join(', ')})`,
    }).catch((err: unknown) => {
      throw new Error(
        `${(err as Error).message}\nnow: ${replicas.map((r) => `${r.name} v${r.head()} ${JSON.stringify(r.replication() ?? null)}`).join('\n')}`,
      );
    });
    return head;
  }

  /**
   * Hashes every replica's folder against the master's and each replica's disk against its
   * own recorded head; returns the differences, one line each (empty: all identical).
   */
  async compareAll(replicas: readonly ClusterDevice[] = this.replicas): Promise<string[]> {
    const master = await this.master.snapshot();
    const out: string[] = [];
    for (const r of replicas) {
      const disk = await r.snapshot();
      for (const d of stateDifferences(disk, master)) out.push(`${r.name} vs master: ${d}`);
      for (const d of stateDifferences(disk, r.recorded()))
        out.push(`${r.name} disk vs its log: ${d}`);
      if (r.head() !== this.master.head())
        out.push(`${r.name} records v${r.head()}, master v${this.master.head()}`);
    }
    return out;
  }

  /** Output of every run of every device (for failure messages). */
  describe(): string {
    return this.devices
      .map((d) =>
        d.runs
          .map(
            (run, i) =>
              `--- ${d.name} run ${i + 1} (pid ${run.pid}, running ${run.running})\nstdout: ${run.stdout.slice(-2000)}\nstderr: ${run.stderr.slice(-2000)}`,
          )
          .concat(notableLines(d))
          .join('\n'),
      )
      .join('\n');
  }

  /** Kills every daemon of the cluster and closes the logs it opened. */
  async kill(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.kill().catch(() => undefined)));
    for (const d of this.devices) d.closeLog();
    clusters.delete(this);
  }
}

/** SIGKILLs every process started by a cluster (call in afterEach, before removing temp dirs). */
export async function killClusters(): Promise<void> {
  await Promise.all([...clusters].map((c) => c.kill()));
  for (const child of processes) child.kill('SIGKILL');
}

process.once('exit', () => {
  for (const child of processes) child.kill('SIGKILL');
});
