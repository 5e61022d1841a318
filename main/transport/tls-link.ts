/**
 * A PeerLink over a TLS socket: frames out with backpressure, frames in through the
 * validating decoder. A bad frame is a protocol error: it is logged, answered with an
 * `error` message when possible, and closes this connection only.
 */
import type { TLSSocket } from 'node:tls';
import { encodeFrameParts, FrameDecoder } from '../protocol/codec.js';
import type { PeerLink } from '../protocol/link.js';
import { ProtocolError, type Message } from '../protocol/messages.js';
import type { Logger } from '../engine/logger.js';

/** Above this many queued outgoing bytes, `drained()` waits. */
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

export interface LinkCounters {
  bytesIn: number;
  bytesOut: number;
}

/** Frame bytes of every link of this process since it started (daemon.json `wire`; bench/fanout.ts). */
export const processWire: LinkCounters = { bytesIn: 0, bytesOut: 0 };

export class TlsLink implements PeerLink {
  closed = false;
  private handler: ((m: Message) => void) | undefined;
  private inbox: Message[] = [];
  private readonly closeHandlers: ((reason: string) => void)[] = [];
  private readonly decoder = new FrameDecoder();
  readonly counters: LinkCounters = { bytesIn: 0, bytesOut: 0 };

  constructor(
    private readonly socket: TLSSocket,
    readonly deviceId: string,
    public name: string,
    private readonly logger: Logger,
    initial: Buffer[] = [],
  ) {
    socket.on('data', (data: Buffer) => this.receive(data));
    socket.on('close', () => this.finish('connection closed'));
    socket.on('error', (err: Error) => this.finish(`connection error: ${err.message}`));
    for (const d of initial) this.receive(d);
  }

  private receive(data: Buffer): void {
    if (this.closed) return;
    this.counters.bytesIn += data.length;
    processWire.bytesIn += data.length;
    let messages: Message[];
    try {
      messages = this.decoder.push(data);
    } catch (err) {
      const reason = err instanceof ProtocolError ? err.message : String(err);
      this.logger.warn({ peer: this.deviceId, reason }, 'protocol error; closing the connection');
      this.send({ t: 'error', reason: reason.slice(0, 1000) });
      this.close(`protocol error: ${reason}`);
      return;
    }
    for (const m of messages) {
      if (this.closed) return;
      if (m.t === 'error') {
        this.logger.warn(
          { peer: this.deviceId, reason: m.reason },
          'peer reported a protocol error',
        );
        this.close(`peer error: ${m.reason}`);
        return;
      }
      if (this.handler) this.dispatch(m);
      else this.inbox.push(m);
    }
  }

  private dispatch(m: Message): void {
    try {
      this.handler!(m);
    } catch (err) {
      this.logger.error({ err, peer: this.deviceId, t: m.t }, 'handling a message failed');
    }
  }

  send(message: Message, written?: () => void): void {
    if (this.closed) return;
    let parts: Buffer[];
    try {
      parts = encodeFrameParts(message);
    } catch (err) {
      this.logger.error({ err, t: message.t }, 'a message could not be encoded');
      return;
    }
    const corked = parts.length > 1; // one TLS write for the pieces of a frame
    if (corked) this.socket.cork();
    for (const [i, part] of parts.entries()) {
      this.counters.bytesOut += part.length;
      processWire.bytesOut += part.length;
      // The socket is done with a chunk once its write callback runs (written or failed).
      if (written && i === parts.length - 1) this.socket.write(part, () => written());
      else this.socket.write(part);
    }
    if (corked) this.socket.uncork();
  }

  drained(): Promise<void> {
    if (this.closed || this.socket.writableLength < HIGH_WATER_BYTES) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
    const queued = this.inbox;
    this.inbox = [];
    for (const m of queued) this.dispatch(m);
  }

  /** Holds incoming messages until the next `onMessage` (hand-over between owners). */
  pause(): void {
    this.handler = undefined;
  }

  onClose(handler: (reason: string) => void): void {
    if (this.closed) handler('closed');
    else this.closeHandlers.push(handler);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const h of this.closeHandlers) h(reason);
  }
}
