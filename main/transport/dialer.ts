/**
 * Keeps outbound connections to the devices we follow: dials each wanted device at its
 * known addresses in turn, and after a failure or a cut waits with exponential backoff
 * (0.5 s doubling to 30 s, with jitter) before the next try. Addresses are tried in the
 * order given (the most recently working first). A device that is already connected (it
 * dialed us) is not dialed.
 */
import type { Logger } from '../engine/logger.js';
import type { TlsLink } from './tls-link.js';

export interface DialTarget {
  readonly deviceId: string;
  readonly addresses: readonly { host: string; port: number }[];
}

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;
/** While the device is connected by its own dial, how often to check whether that still holds. */
const CONNECTED_CHECK_MS = 2000;

interface Want {
  target: DialTarget;
  link: TlsLink | undefined;
  timer: NodeJS.Timeout | undefined;
  backoffMs: number;
  dialing: boolean;
}

export class Dialer {
  private readonly wants = new Map<string, Want>();
  private closed = false;

  constructor(
    private readonly dial: (deviceId: string, host: string, port: number) => Promise<TlsLink>,
    private readonly logger: Logger,
    /** True when the device is already connected (it dialed us): no dial then, only a later check. */
    private readonly isConnected: (deviceId: string) => boolean = () => false,
  ) {}

  /** Keeps a connection to the device (updating its addresses if already wanted). */
  want(target: DialTarget): void {
    const w = this.wants.get(target.deviceId);
    if (w) {
      w.target = target;
      return;
    }
    const fresh: Want = {
      target,
      link: undefined,
      timer: undefined,
      backoffMs: MIN_BACKOFF_MS,
      dialing: false,
    };
    this.wants.set(target.deviceId, fresh);
    void this.attempt(fresh);
  }

  unwant(deviceId: string): void {
    const w = this.wants.get(deviceId);
    if (!w) return;
    this.wants.delete(deviceId);
    if (w.timer) clearTimeout(w.timer);
    w.link?.close('no longer wanted');
  }

  wanted(): string[] {
    return [...this.wants.keys()];
  }

  private async attempt(w: Want): Promise<void> {
    if (this.closed || w.dialing || this.wants.get(w.target.deviceId) !== w) return;
    if (this.isConnected(w.target.deviceId)) {
      w.backoffMs = MIN_BACKOFF_MS;
      if (w.timer) clearTimeout(w.timer);
      w.timer = setTimeout(() => {
        w.timer = undefined;
        void this.attempt(w);
      }, CONNECTED_CHECK_MS);
      w.timer.unref();
      return;
    }
    w.dialing = true;
    let lastError = 'no address known';
    for (const a of w.target.addresses) {
      try {
        const link = await this.dial(w.target.deviceId, a.host, a.port);
        w.dialing = false;
        if (this.closed || this.wants.get(w.target.deviceId) !== w) {
          link.close('no longer wanted');
          return;
        }
        w.link = link;
        w.backoffMs = MIN_BACKOFF_MS;
        link.onClose(() => {
          if (w.link === link) w.link = undefined;
          this.retryLater(w);
        });
        return;
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    w.dialing = false;
    this.logger.debug(
      { peer: w.target.deviceId, err: lastError, retryMs: w.backoffMs },
      'could not connect; will retry',
    );
    this.retryLater(w);
  }

  private retryLater(w: Want): void {
    if (this.closed || this.wants.get(w.target.deviceId) !== w) return;
    if (w.timer) clearTimeout(w.timer);
    const delay = w.backoffMs * (0.75 + Math.random() * 0.5);
    w.backoffMs = Math.min(w.backoffMs * 2, MAX_BACKOFF_MS);
    w.timer = setTimeout(() => {
      w.timer = undefined;
      void this.attempt(w);
    }, delay);
    w.timer.unref();
  }

  close(): void {
    this.closed = true;
    for (const w of this.wants.values()) {
      if (w.timer) clearTimeout(w.timer);
      w.link?.close('shutting down');
    }
    this.wants.clear();
  }
}
