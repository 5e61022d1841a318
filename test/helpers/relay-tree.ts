/**
 * A fan-out tree of real Lanfold devices on 127.0.0.1 (claims 35/36): one master, relays that
 * follow it, and replicas under each relay that list `RELAY,MASTER` as their upstreams (so
 * they fall back to the master when their relay is down). Set up through the CLI in one node
 * process (clusterCliBatch) and run as `lanfold start` children with LANFOLD_DISCOVERY=off.
 * The master and the relays listen on fixed ports (a restarted relay gets its port back).
 * Call `killClusters()` in afterEach (it SIGKILLs these daemons too) and `tree.close()`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { ClusterDevice, clusterCliBatch, freePort } from './cluster.js';
import { stateDifferences, type HashCache } from './folder-state.js';
import { makeTempDir } from './temp.js';
import { waitFor } from './wait.js';

export interface TreeOptions {
  readonly relays: number;
  readonly replicasPerRelay: number;
  readonly folderId?: string;
  /** Fills the master's folder before the first start. */
  readonly populate?: (folder: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

interface Made {
  readonly name: string;
  readonly state: string;
  readonly folder: string;
  readonly port: number;
  deviceId: string;
}

export class RelayTree {
  private constructor(
    readonly master: ClusterDevice,
    readonly relays: readonly ClusterDevice[],
    /** The replicas under each relay, in the relays' order. */
    readonly below: readonly (readonly ClusterDevice[])[],
  ) {}

  /** Every replica that is not a relay. */
  get leaves(): ClusterDevice[] {
    return this.below.flat();
  }

  get devices(): ClusterDevice[] {
    return [this.master, ...this.relays, ...this.leaves];
  }

  static async create(options: TreeOptions): Promise<RelayTree> {
    const folderId = options.folderId ?? 'shared';
    const env = { LANFOLD_DISCOVERY: 'off', ...options.env };
    const base = makeTempDir('lanfold-tree-');
    const make = async (name: string, listens: boolean): Promise<Made> => {
      const state = path.join(base, name, 'state');
      const folder = path.join(base, name, 'folder');
      mkdirSync(folder, { recursive: true });
      return { name, state, folder, port: listens ? await freePort() : 0, deviceId: '' };
    };
    const m = await make('master', true);
    const relays: Made[] = [];
    const below: Made[][] = [];
    for (let r = 1; r <= options.relays; r++) {
      relays.push(await make(`relay${r}`, true));
      const leaves: Made[] = [];
      for (let i = 1; i <= options.replicasPerRelay; i++)
        leaves.push(await make(`relay${r}-replica${i}`, false));
      below.push(leaves);
    }
    const all = [m, ...relays, ...below.flat()];
    const inits = await clusterCliBatch(
      all.map((d) => [
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
      (out, i) => (all[i]!.deviceId = (JSON.parse(out) as { deviceId: string }).deviceId),
    );
    options.populate?.(m.folder);

    const cli = (d: Made, ...args: string[]): string[] => ['--state', d.state, ...args];
    const at = (d: Made): string => `${d.deviceId}@127.0.0.1:${d.port}`;
    const commands: string[][] = [
      cli(m, 'folder', 'add', m.folder, '--master', '--id', folderId),
      // Random edits delete many of a small folder's files at once: not what these tests hold.
      cli(m, 'folder', 'set', folderId, 'deletion-guard', 'off'),
    ];
    // The master serves every device: relays normally, their replicas when a relay is down.
    for (const d of all.slice(1)) {
      commands.push(cli(m, 'peer', 'add', d.deviceId, '--name', d.name));
      commands.push(cli(m, 'folder', 'share', folderId, d.deviceId));
    }
    relays.forEach((r, i) => {
      commands.push(cli(r, 'peer', 'add', at(m), '--name', 'master'));
      commands.push(
        cli(r, 'folder', 'add', r.folder, '--replica-of', m.deviceId, '--id', folderId),
      );
      commands.push(cli(r, 'folder', 'set', folderId, 'relay', 'on'));
      for (const leaf of below[i]!) {
        commands.push(cli(r, 'peer', 'add', leaf.deviceId, '--name', leaf.name));
        commands.push(cli(r, 'folder', 'share', folderId, leaf.deviceId));
        commands.push(cli(leaf, 'peer', 'add', at(r), '--name', r.name));
        commands.push(cli(leaf, 'peer', 'add', at(m), '--name', 'master'));
        commands.push(
          cli(
            leaf,
            'folder',
            'add',
            leaf.folder,
            '--replica-of',
            `${r.deviceId},${m.deviceId}`,
            '--id',
            folderId,
          ),
        );
      }
    });
    await clusterCliBatch(commands, 120_000);
    const device = (d: Made, role: 'master' | 'replica') =>
      new ClusterDevice(d.name, role, d.state, d.folder, folderId, d.deviceId, d.port, env);
    return new RelayTree(
      device(m, 'master'),
      relays.map((r) => device(r, 'replica')),
      below.map((leaves) => leaves.map((l) => device(l, 'replica'))),
    );
  }

  /** Starts the master, then the relays, then their replicas (each waiting for READY). */
  async startAll(): Promise<void> {
    if (!this.master.running) await this.master.start();
    for (const r of this.relays) if (!r.running) await r.start();
    await Promise.all(this.leaves.filter((l) => !l.running).map((l) => l.start()));
  }

  /**
   * Waits until the master has recorded what is on its disk and every given device holds the
   * master's head; returns the head. Nothing may change on the master meanwhile.
   */
  async waitConverged(
    options: { timeoutMs?: number; devices?: readonly ClusterDevice[]; cache?: HashCache } = {},
  ): Promise<number> {
    const timeoutMs = options.timeoutMs ?? 90_000;
    const devices = options.devices ?? [...this.relays, ...this.leaves];
    const disk = await this.master.snapshot(options.cache);
    const head = await waitFor(
      () => {
        const h = this.master.head();
        return stateDifferences(disk, this.master.recorded()).length === 0 && h > 0 && h;
      },
      { timeoutMs, intervalMs: 100, what: 'the master to record its folder' },
    );
    await waitFor(() => devices.every((d) => d.head() === head), {
      timeoutMs,
      intervalMs: 100,
      what: `v${head} everywhere (${devices.map((d) => `${d.name} v${d.head()} following ${this.nameOf(d.replication()?.upstream)}`).join(', ')})`,
    });
    return head;
  }

  /** Hashes every given device's folder against the master's and against its own log. */
  async compareAll(
    devices: readonly ClusterDevice[] = [...this.relays, ...this.leaves],
  ): Promise<string[]> {
    const master = await this.master.snapshot();
    const out: string[] = [];
    for (const d of devices) {
      const disk = await d.snapshot();
      for (const x of stateDifferences(disk, master)) out.push(`${d.name} vs master: ${x}`);
      for (const x of stateDifferences(disk, d.recorded()))
        out.push(`${d.name} disk vs its log: ${x}`);
      if (d.head() !== this.master.head())
        out.push(`${d.name} records v${d.head()}, master v${this.master.head()}`);
    }
    return out;
  }

  /** The name of the device with this ID (for messages). */
  nameOf(deviceId: string | null | undefined): string {
    return this.devices.find((d) => d.deviceId === deviceId)?.name ?? String(deviceId);
  }

  /** Waits until `leaf` follows `upstream` (as its daemon.json says). */
  async waitFollowing(
    leaf: ClusterDevice,
    upstream: ClusterDevice,
    timeoutMs = 60_000,
  ): Promise<void> {
    await waitFor(() => leaf.replication()?.upstream === upstream.deviceId, {
      timeoutMs,
      intervalMs: 100,
      what: `${leaf.name} to follow ${upstream.name} (it follows ${this.nameOf(leaf.replication()?.upstream)})`,
    });
  }

  /** The daemons' stderr and their lines about links and upstreams (for failure messages). */
  describe(): string {
    const about = new Set([
      'device connected',
      'device disconnected',
      'following upstream',
      'replica subscribed',
      'replica unsubscribed',
      'upstream refused the folder',
      'refused a subscription: folder not shared with that device',
      'version held',
      'prepare sent',
      'transaction decided',
      'voted',
    ]);
    return this.devices
      .map((d) => {
        const lines = d
          .logLines()
          .filter((l) => about.has(l.msg))
          .slice(-20)
          .map((l) => {
            const { msg, peer, upstream, replica, reason } = l;
            return `  ${msg} ${this.nameOf((peer ?? upstream ?? replica) as string)} ${typeof reason === 'string' ? reason : ''}`;
          });
        const runs = d.runs.map(
          (run, i) => `run ${i + 1} (pid ${run.pid}) stderr: ${run.stderr.slice(-1500)}`,
        );
        const twoPhase = (d.replication() as { twoPhase?: unknown } | undefined)?.twoPhase;
        return [
          `--- ${d.name} two-phase ${JSON.stringify(twoPhase ?? null)}`,
          ...runs,
          ...lines,
        ].join('\n');
      })
      .join('\n');
  }

  /** Kills every daemon and closes the logs opened. */
  async close(): Promise<void> {
    await Promise.all(this.devices.map((d) => d.kill().catch(() => undefined)));
    for (const d of this.devices) d.closeLog();
  }
}
