/**
 * One folder's view of a connection to a peer, so that a folder can be paused without
 * touching the connection the other folders share. A view passes messages out unless its
 * folder is paused (`muted`), and can be cut on its own: its close handlers run (the folder
 * sees the link go, as after a network cut) while the connection itself stays open.
 */
import type { PeerLink } from '../protocol/link.js';
import type { Message } from '../protocol/messages.js';

export class FolderLink implements PeerLink {
  private cutReason: string | undefined;
  private readonly closeHandlers: ((reason: string) => void)[] = [];

  constructor(
    /** The connection this view belongs to. */
    readonly inner: PeerLink,
    /** True while the folder is paused: messages it sends are dropped. */
    private readonly muted: () => boolean = () => false,
  ) {
    inner.onClose((reason) => this.fireClose(reason));
  }

  get deviceId(): string {
    return this.inner.deviceId;
  }

  get name(): string {
    return this.inner.name;
  }

  get closed(): boolean {
    return this.cutReason !== undefined || this.inner.closed;
  }

  send(message: Message, written?: () => void): void {
    if (this.closed || this.muted()) return;
    this.inner.send(message, written);
  }

  drained(): Promise<void> {
    return this.closed ? Promise.resolve() : this.inner.drained();
  }

  /** Messages reach a folder through the daemon's router, never through its view. */
  onMessage(): void {
    throw new Error('a folder view receives messages from the router');
  }

  onClose(handler: (reason: string) => void): void {
    this.closeHandlers.push(handler);
  }

  /** Ends this view only (the folder was paused); the connection stays open. */
  cut(reason: string): void {
    if (this.closed) return;
    this.cutReason = reason;
    this.fireClose(reason);
  }

  /** Closing a view closes the connection, as a folder closing its link means to. */
  close(reason: string): void {
    this.inner.close(reason);
  }

  private fireClose(reason: string): void {
    // Each handler runs once: at the cut, or when the connection closes, whichever is first.
    for (const h of this.closeHandlers.splice(0)) h(reason);
  }
}
