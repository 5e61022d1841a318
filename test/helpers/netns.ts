/**
 * A private LAN for tests: network namespaces joined by veth pairs to a bridge that lives
 * in a namespace of its own, so nothing touches the host's interfaces and multicast (mDNS)
 * stays inside. Each device namespace gets 10.N.0.i/24 and a multicast route on its veth.
 * Needs root and `ip` (iproute2); `NetLab.create` fails with a clear message otherwise.
 * Always call `destroy()` (afterAll): it deletes every namespace it made.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CLI_PATH, DaemonProcess, REPO_ROOT, type CliResult } from './cli.js';

function ip(args: readonly string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface LabDevice {
  readonly ns: string;
  readonly address: string;
}

export class NetLab {
  private readonly namespaces: string[] = [];
  readonly devices: LabDevice[] = [];
  private readonly daemons: DaemonProcess[] = [];

  private constructor(private readonly tag: string) {}

  /** Creates a bridge namespace and `count` device namespaces on it. */
  static create(count: number): NetLab {
    try {
      ip(['netns', 'list']);
    } catch (err) {
      throw new Error(
        `these tests need network namespaces (root and iproute2's \`ip netns\`): ${(err as Error).message}`,
        { cause: err },
      );
    }
    const lab = new NetLab(randomBytes(3).toString('hex'));
    try {
      lab.build(count);
    } catch (err) {
      lab.destroy();
      throw new Error(`could not build the test network: ${(err as Error).message}`, {
        cause: err,
      });
    }
    return lab;
  }

  private build(count: number): void {
    const subnet = 100 + (Number.parseInt(this.tag, 16) % 150);
    const bridge = `lfb-${this.tag}`;
    ip(['netns', 'add', bridge]);
    this.namespaces.push(bridge);
    ip(['-n', bridge, 'link', 'add', 'br0', 'type', 'bridge']);
    ip(['-n', bridge, 'link', 'set', 'br0', 'up']);
    for (let i = 1; i <= count; i++) {
      const ns = `lfd${i}-${this.tag}`;
      ip(['netns', 'add', ns]);
      this.namespaces.push(ns);
      ip([
        '-n',
        ns,
        'link',
        'add',
        'eth0',
        'type',
        'veth',
        'peer',
        'name',
        `p${i}`,
        'netns',
        bridge,
      ]);
      ip(['-n', bridge, 'link', 'set', `p${i}`, 'master', 'br0']);
      ip(['-n', bridge, 'link', 'set', `p${i}`, 'up']);
      const address = `10.${subnet}.0.${i}`;
      ip(['-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
      ip(['-n', ns, 'link', 'set', 'eth0', 'up']);
      ip(['-n', ns, 'link', 'set', 'lo', 'up']);
      ip(['-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0']);
      this.devices.push({ ns, address });
    }
  }

  private env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.LANFOLD_STATE;
    delete env.NODE_OPTIONS;
    // Inside these namespaces multicast reaches only the other test devices.
    return { ...env, LANFOLD_DISCOVERY: 'on' };
  }

  private spawnIn(ns: string, args: readonly string[]) {
    return spawn('ip', ['netns', 'exec', ns, process.execPath, CLI_PATH, ...args], {
      cwd: REPO_ROOT,
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  /** Runs a CLI command inside a device's namespace (killed after `timeoutMs`). */
  run(device: LabDevice, args: readonly string[], timeoutMs = 60_000): Promise<CliResult> {
    const child = this.spawnIn(device.ns, args);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code, signal, stdout, stderr });
      });
    });
  }

  /** Like run, but throws with the output unless it exits 0. */
  async ok(device: LabDevice, args: readonly string[]): Promise<string> {
    const r = await this.run(device, args);
    if (r.code !== 0)
      throw new Error(
        `lanfold ${args.join(' ')} exited ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`,
      );
    return r.stdout;
  }

  /** A long-running command (a daemon, or `pair invite` waiting) inside the namespace. */
  start(device: LabDevice, args: readonly string[]): DaemonProcess {
    const d = new DaemonProcess(this.spawnIn(device.ns, args));
    this.daemons.push(d);
    return d;
  }

  /** Stops every process started here, then deletes the namespaces (veths and bridge go with them). */
  async stopAll(): Promise<void> {
    await Promise.all(this.daemons.map((d) => d.stop(10_000)));
  }

  destroy(): void {
    for (const d of this.daemons) if (d.running) d.child.kill('SIGKILL');
    for (const ns of this.namespaces.reverse()) {
      try {
        ip(['netns', 'del', ns]);
      } catch {
        // Already gone.
      }
    }
    this.namespaces.length = 0;
  }
}
