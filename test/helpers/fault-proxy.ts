/**
 * A TCP proxy on 127.0.0.1 that sits between a replica and its master and misbehaves on
 * request. Point the replica at it (`peer add MASTER_ID@127.0.0.1:PROXY_PORT`); TLS passes
 * through untouched, so the proxy sees only ciphertext and counts bytes each way.
 *
 * Faults (each applies to every open connection, and to new ones while it lasts):
 * - `cut()`: destroys both sides of every connection now;
 * - `cutAfter(n, dir)`: lets `n` more bytes through in `dir`, then cuts (resolves then);
 * - `stall(ms)`: forwards nothing, either way, for `ms`;
 * - `slow(bytesPerSecond)`: rate-limits each direction (undefined lifts it);
 * - `refuse(true)`: new connections are closed at once (the master looks down).
 * `heal()` lifts every fault. Directions: `down` is target -> client (master -> replica),
 * `up` is client -> target. Counters include only bytes actually handed to a socket.
 */
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type Direction = 'up' | 'down';

export interface ProxyTarget {
  readonly host?: string;
  readonly port: number;
}

interface Trigger {
  readonly direction: Direction;
  /** Cut when the direction's counter reaches this. */
  readonly at: number;
  readonly fire: () => void;
}

interface Connection {
  readonly id: number;
  readonly client: net.Socket;
  readonly upstream: net.Socket;
  dead: boolean;
}

/** How long a connection may linger once one side closed, before both are destroyed. */
const LINGER_MS = 5000;
/** With a rate limit, data goes out in slices of this share of a second. */
const SLICE_SECONDS = 0.05;

export class FaultProxy {
  readonly bytes: Record<Direction, number> = { up: 0, down: 0 };
  /** Connections accepted so far. */
  accepted = 0;
  /** Connections cut by a fault so far. */
  cuts = 0;
  /** What happened, in order (for failure messages). */
  readonly events: string[] = [];
  private readonly open = new Set<Connection>();
  private stalledUntil = 0;
  private rate: number | undefined;
  private refusing = false;
  private triggers: Trigger[] = [];
  private closed = false;

  private readonly server: net.Server;
  /** The port the proxy listens on (127.0.0.1). */
  port = 0;

  private constructor(target: ProxyTarget) {
    this.server = net.createServer((client) => this.accept(client, target));
  }

  /** Starts a proxy to `target` on a free port of 127.0.0.1. */
  static async start(target: ProxyTarget): Promise<FaultProxy> {
    const proxy = new FaultProxy(target);
    const server = proxy.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    proxy.port = (server.address() as net.AddressInfo).port;
    return proxy;
  }

  /** The number of connections open now. */
  get active(): number {
    return this.open.size;
  }

  private log(event: string): void {
    this.events.push(
      `${new Date().toISOString().slice(11, 23)} ${event} (up ${this.bytes.up}, down ${this.bytes.down})`,
    );
    if (this.events.length > 500) this.events.splice(0, this.events.length - 500);
  }

  private accept(client: net.Socket, target: ProxyTarget): void {
    if (this.closed || this.refusing) {
      client.destroy();
      this.log('refused a connection');
      return;
    }
    const upstream = net.connect({ host: target.host ?? '127.0.0.1', port: target.port });
    const conn: Connection = { id: ++this.accepted, client, upstream, dead: false };
    this.open.add(conn);
    this.log(`connection ${conn.id} opened`);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    const onGone = () => {
      // One side closed: the other gets what is queued, then an end; destroy both if it lingers.
      setTimeout(() => this.kill(conn, undefined), LINGER_MS).unref();
    };
    for (const s of [client, upstream]) {
      s.on('error', () => undefined);
      s.once('close', onGone);
    }
    this.pipe(conn, client, upstream, 'up');
    this.pipe(conn, upstream, client, 'down');
  }

  /** Forwards `src` to `dst`, one received chunk at a time, applying the faults. */
  private pipe(conn: Connection, src: net.Socket, dst: net.Socket, direction: Direction): void {
    const queue: Buffer[] = [];
    let busy = false;
    let ended = false;
    const run = async () => {
      if (busy) return;
      busy = true;
      try {
        while (queue.length > 0 && !conn.dead) {
          await this.forward(conn, queue.shift()!, dst, direction);
        }
        if (ended && !conn.dead && queue.length === 0) dst.end();
      } finally {
        busy = false;
      }
      if (!conn.dead && queue.length > 0) void run();
      else if (!conn.dead) src.resume();
    };
    src.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      src.pause();
      void run();
    });
    src.once('end', () => {
      ended = true;
      void run();
    });
  }

  private async forward(
    conn: Connection,
    chunk: Buffer,
    dst: net.Socket,
    direction: Direction,
  ): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      while (Date.now() < this.stalledUntil && !conn.dead)
        await sleep(Math.min(20, this.stalledUntil - Date.now()));
      if (conn.dead || dst.destroyed) return;
      let n = chunk.length - offset;
      const rate = this.rate;
      if (rate !== undefined) n = Math.min(n, Math.max(1, Math.floor(rate * SLICE_SECONDS)));
      const trigger = this.triggers.find((t) => t.direction === direction);
      if (trigger && this.bytes[direction] + n >= trigger.at) {
        const rest = trigger.at - this.bytes[direction];
        if (rest > 0) {
          dst.write(chunk.subarray(offset, offset + rest));
          this.bytes[direction] += rest;
        }
        this.triggers = this.triggers.filter((t) => t !== trigger);
        this.cut(`cut after bytes ${direction}`);
        trigger.fire();
        return;
      }
      const ok = dst.write(chunk.subarray(offset, offset + n));
      this.bytes[direction] += n;
      offset += n;
      if (rate !== undefined) await sleep((n / rate) * 1000);
      if (!ok && !dst.destroyed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            dst.off('drain', done);
            dst.off('close', done);
            resolve();
          };
          dst.on('drain', done);
          dst.on('close', done);
        });
      }
    }
  }

  private kill(conn: Connection, why: string | undefined): boolean {
    if (!this.open.delete(conn)) return false;
    conn.dead = true;
    conn.client.destroy();
    conn.upstream.destroy();
    this.log(`connection ${conn.id} ${why ?? 'closed'}`);
    return true;
  }

  /** Destroys both sides of every open connection now; returns how many were cut. */
  cut(why = 'cut'): number {
    let n = 0;
    for (const conn of [...this.open]) if (this.kill(conn, why)) n++;
    this.cuts += n;
    return n;
  }

  /** Lets `bytes` more bytes through in `direction` (across connections), then cuts every connection. */
  cutAfter(bytes: number, direction: Direction = 'down'): Promise<void> {
    return new Promise<void>((resolve) => {
      this.triggers.push({
        direction,
        at: this.bytes[direction] + Math.max(0, bytes),
        fire: resolve,
      });
      this.log(`armed a cut after ${bytes} bytes ${direction}`);
    });
  }

  /** Forwards nothing, either way, for `ms` (resolves when the stall is over, or lifted). */
  async stall(ms: number): Promise<void> {
    this.stalledUntil = Math.max(this.stalledUntil, Date.now() + ms);
    this.log(`stall ${ms} ms`);
    while (Date.now() < this.stalledUntil)
      await sleep(Math.min(20, this.stalledUntil - Date.now()));
  }

  /** Limits each direction to `bytesPerSecond` (undefined: no limit). */
  slow(bytesPerSecond: number | undefined): void {
    this.rate = bytesPerSecond === undefined ? undefined : Math.max(1, bytesPerSecond);
    this.log(bytesPerSecond === undefined ? 'full speed' : `slow to ${bytesPerSecond} B/s`);
  }

  /** While on, new connections are closed as soon as they are accepted. */
  refuse(on: boolean): void {
    this.refusing = on;
    this.log(on ? 'refusing connections' : 'accepting connections');
  }

  /** Lifts every fault: stall, slowness, refusal and armed cuts (their promises stay pending). */
  heal(): void {
    this.stalledUntil = 0;
    this.rate = undefined;
    this.refusing = false;
    this.triggers = [];
    this.log('healed');
  }

  /** Cuts every connection and stops listening. */
  async close(): Promise<void> {
    this.closed = true;
    this.heal();
    this.cut('closed with the proxy');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
