/**
 * A connection to one authenticated peer, as the engine sees it: messages in and out,
 * nothing about sockets or TLS. The transport implements it over TLS; tests join two
 * links in memory.
 */
import type { Message } from './messages.js';

export interface PeerLink {
  /** The peer's device ID (the SHA-256 of its certificate, base32). */
  readonly deviceId: string;
  readonly name: string;
  readonly closed: boolean;
  /**
   * Queues a message; never throws (a closed link drops it). `written` runs once the
   * message's bytes are encoded and handed on, so that a buffer it carries may be reused;
   * it never runs when the link drops the message or hands the message object itself to
   * the peer (links joined in memory).
   */
  send(message: Message, written?: () => void): void;
  /** Resolves when the outgoing buffer is below its high-water mark (or the link closed). */
  drained(): Promise<void>;
  /** Registers the handler of incoming messages (one per link). */
  onMessage(handler: (message: Message) => void): void;
  onClose(handler: (reason: string) => void): void;
  close(reason: string): void;
}

/** Two links joined in memory, delivering on a microtask (as automerge-repo's test network does). */
export function memoryLinkPair(
  a: { deviceId: string; name: string },
  b: { deviceId: string; name: string },
): [PeerLink, PeerLink] {
  const left = new MemoryLink(b.deviceId, b.name);
  const right = new MemoryLink(a.deviceId, a.name);
  left.other = right;
  right.other = left;
  return [left, right];
}

class MemoryLink implements PeerLink {
  other: MemoryLink | undefined;
  closed = false;
  private handler: ((m: Message) => void) | undefined;
  private closeHandlers: ((reason: string) => void)[] = [];
  private inbox: Message[] = [];

  constructor(
    readonly deviceId: string,
    readonly name: string,
  ) {}

  send(message: Message): void {
    const other = this.other;
    if (this.closed || !other) return;
    queueMicrotask(() => other.deliver(message));
  }

  private deliver(message: Message): void {
    if (this.closed) return;
    if (this.handler) this.handler(message);
    else this.inbox.push(message);
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  onMessage(handler: (message: Message) => void): void {
    this.handler = handler;
    const queued = this.inbox;
    this.inbox = [];
    for (const m of queued) handler(m);
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.push(handler);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers) h(reason);
    this.other?.close(reason);
  }
}
