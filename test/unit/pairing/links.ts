/**
 * Two PeerLinks joined in memory for pairing tests: messages and the close are delivered in
 * order on microtasks, so a `pair-result` sent just before a close still arrives (as over TLS).
 */
import type { PeerLink } from '../../../main/protocol/link.js';
import type { Message } from '../../../main/protocol/messages.js';

export class OrderedLink implements PeerLink {
  other: OrderedLink | undefined;
  closed = false;
  readonly sent: Message[] = [];
  private handler: ((m: Message) => void) | undefined;
  private inbox: Message[] = [];
  private readonly closeHandlers: ((reason: string) => void)[] = [];

  constructor(
    readonly deviceId: string,
    readonly name: string,
  ) {}

  send(message: Message): void {
    if (this.closed) return;
    this.sent.push(message);
    const other = this.other;
    queueMicrotask(() => other?.deliver(message));
  }

  private deliver(m: Message): void {
    if (this.closed) return;
    if (this.handler) this.handler(m);
    else this.inbox.push(m);
  }

  drained(): Promise<void> {
    return Promise.resolve();
  }

  onMessage(handler: (m: Message) => void): void {
    this.handler = handler;
    const queued = this.inbox;
    this.inbox = [];
    for (const m of queued) handler(m);
  }

  onClose(handler: (reason: string) => void): void {
    if (this.closed) handler('closed');
    else this.closeHandlers.push(handler);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.finish(reason);
    const other = this.other;
    queueMicrotask(() => other?.finish(`peer closed: ${reason}`));
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers) h(reason);
  }
}

/** [the inviter's link to the joiner, the joiner's link to the inviter]. */
export function linkPair(
  inviter: { id: string; name: string },
  joiner: { id: string; name: string },
): [OrderedLink, OrderedLink] {
  const atInviter = new OrderedLink(joiner.id, joiner.name);
  const atJoiner = new OrderedLink(inviter.id, inviter.name);
  atInviter.other = atJoiner;
  atJoiner.other = atInviter;
  return [atInviter, atJoiner];
}
