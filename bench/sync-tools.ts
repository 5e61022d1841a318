/**
 * Helpers for bench/sync.ts: a byte-counting TCP proxy, peak-RSS sampling from /proc, a
 * dataset manifest and a cheap "has the replica got everything yet" check.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** A TCP proxy on 127.0.0.1 that counts the bytes it carries in each direction. */
export interface CountingProxy {
  readonly port: number;
  /** Bytes from the connecting side (the replica) to the target (the master). */
  readonly up: () => number;
  /** Bytes from the target (the master) back to the connecting side. */
  readonly down: () => number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number): Promise<CountingProxy> {
  let up = 0;
  let down = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const target = net.connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(target);
    client.setNoDelay(true);
    target.setNoDelay(true);
    client.on('data', (d: Buffer) => {
      up += d.length;
      if (!target.write(d)) client.pause();
    });
    target.on('drain', () => client.resume());
    target.on('data', (d: Buffer) => {
      down += d.length;
      if (!client.write(d)) target.pause();
    });
    client.on('drain', () => target.resume());
    const end = (): void => {
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on('close', end);
    target.on('close', end);
    client.on('error', end);
    target.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('proxy has no port');
  return {
    port: addr.port,
    up: () => up,
    down: () => down,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** VmHWM (peak RSS) of a process in KiB, or null when it is gone. */
export function vmHwmKiB(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The process and all its descendants (from /proc/PID/task/TID/children). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  for (let i = 0; i < queue.length && i < 1000; i++) {
    const p = queue[i]!;
    out.push(p);
    try {
      for (const tid of readdirSync(`/proc/${p}/task`)) {
        const kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
        if (kids) for (const k of kids.split(/\s+/)) queue.push(Number(k));
      }
    } catch {
      // gone
    }
  }
  return out;
}

/** CPU seconds (user + system, all threads) a process has used, from /proc/PID/stat; null when gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the name.
    const ticks = Number(f[11]) + Number(f[12]);
    return Number.isFinite(ticks) ? ticks / 100 : null;
  } catch {
    return null;
  }
}

export function processName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

export interface ManifestEntry {
  readonly rel: string;
  readonly size: number;
}

/** Every regular file under `root` with its size (bounded to 100,000 entries). */
export function manifest(root: string): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (out.length >= 100_000) return;
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile()) out.push({ rel: path.relative(root, abs), size: statSync(abs).size });
    }
  };
  walk(root);
  return out;
}

/**
 * Tracks which manifest entries are present with their final size under `dest`. Each `poll()`
 * goes through the pending entries in order and stops at the first one still missing, so a
 * poll costs one failed stat plus the files that arrived since the last poll.
 */
export class ArrivalTracker {
  private next = 0;
  constructor(
    private readonly entries: readonly ManifestEntry[],
    private readonly dest: string,
  ) {}

  /** True once every entry is present with its size. */
  poll(): boolean {
    while (this.next < this.entries.length) {
      const e = this.entries[this.next]!;
      const abs = path.join(this.dest, e.rel);
      if (!existsSync(abs)) return false;
      try {
        if (statSync(abs).size !== e.size) return false;
      } catch {
        return false;
      }
      this.next++;
    }
    return true;
  }

  get arrived(): number {
    return this.next;
  }
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** Percentile (nearest rank) of a list of numbers. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
