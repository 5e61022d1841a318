/**
 * The inviting side of pairing: holds the one open invite (code and expiry), answers joiners
 * on connections the transport let through only because the invite is open, and pins a
 * joiner that proves the code. A connection here may speak the pairing messages and nothing
 * else; whatever else arrives closes it. A code is consumed by a success or by its expiry.
 */
import type { Clock, TimerHandle } from '../engine/clock.js';
import type { Logger } from '../engine/logger.js';
import type { PeerLink } from '../protocol/link.js';
import { formatPairCode, newPairCode, type PairCode } from './code.js';
import { AttemptLimiter, DEFAULT_PAIR_LIMIT, type AttemptTicket } from './rate-limiter.js';
import { macEquals, PairProofError, Spake2 } from './spake2.js';

export const DEFAULT_INVITE_TTL_MS = 10 * 60_000;
const STEP_TIMEOUT_MS = 15_000;

export interface OpenInvite {
  /** As shown to people: `ABCD-EFGH`. */
  readonly code: string;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export interface PairedDevice {
  readonly deviceId: string;
  readonly name: string;
  /** HOST:PORT where it listens (its address as seen here, and the port it told). */
  readonly address: string | undefined;
}

/** The state of the current or last invite, for the CLI and the UI. */
export interface InviteStatus {
  readonly state: 'none' | 'open' | 'paired' | 'expired' | 'cancelled';
  readonly invite: OpenInvite | null;
  /** Wrong tries within the last minute (all invites). */
  readonly recentFailures: number;
  /** Ms until another try is accepted (0: now). */
  readonly retryAfterMs: number;
  readonly paired: PairedDevice | null;
}

export interface InviterOptions {
  readonly ownId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Pins the joiner (peers.json); called once per success, before the joiner hears `ok`. */
  readonly onPaired: (device: PairedDevice) => void;
  /** The invite closed (paired, expired, cancelled): drop remaining pairing connections. */
  readonly onClosed: () => void;
  readonly limit?: { maxFailures: number; windowMs: number };
}

export class PairingInviter {
  private code: PairCode | undefined;
  private invite: OpenInvite | undefined;
  private state: InviteStatus['state'] = 'none';
  private paired: PairedDevice | undefined;
  private expiryTimer: TimerHandle | undefined;
  private readonly limiter: AttemptLimiter;
  private readonly links = new Set<PeerLink>();

  constructor(private readonly options: InviterOptions) {
    this.limiter = new AttemptLimiter({
      ...DEFAULT_PAIR_LIMIT,
      ...options.limit,
      clock: options.clock,
    });
  }

  /** Opens a new invite (replacing an open one) valid for `ttlMs`. */
  open(ttlMs: number = DEFAULT_INVITE_TTL_MS): OpenInvite {
    this.close('cancelled');
    const code = newPairCode();
    const now = this.options.clock.now();
    this.code = code;
    this.invite = { code: formatPairCode(code), createdAt: now, expiresAt: now + ttlMs };
    this.state = 'open';
    this.paired = undefined;
    this.expiryTimer = this.options.clock.setTimeout(() => {
      this.options.logger.info({}, 'pairing invite expired');
      this.close('expired');
    }, ttlMs);
    this.options.logger.info({ expiresAt: this.invite.expiresAt }, 'pairing invite opened');
    return this.invite;
  }

  cancel(): void {
    if (this.state === 'open') this.close('cancelled');
  }

  isOpen(): boolean {
    return (
      this.state === 'open' &&
      this.invite !== undefined &&
      this.options.clock.now() < this.invite.expiresAt
    );
  }

  status(): InviteStatus {
    if (this.state === 'open' && !this.isOpen()) this.close('expired');
    return {
      state: this.state,
      invite: this.invite ?? null,
      recentFailures: this.limiter.recentFailures(),
      retryAfterMs: this.limiter.retryAfterMs(),
      paired: this.paired ?? null,
    };
  }

  private close(state: 'paired' | 'expired' | 'cancelled'): void {
    this.expiryTimer?.cancel();
    this.expiryTimer = undefined;
    const wasOpen = this.state === 'open';
    this.code = undefined;
    if (wasOpen) this.state = state;
    for (const link of this.links) link.close(`pairing invite ${state}`);
    this.links.clear();
    if (wasOpen) this.options.onClosed();
  }

  /**
   * Serves one untrusted connection: only `pair-start`, then `pair-confirm`, are accepted.
   * `remoteHost` is the address the connection came from.
   */
  serve(link: PeerLink, remoteHost: string | undefined): void {
    const log = this.options.logger.child({ peer: link.deviceId, address: remoteHost });
    if (!this.isOpen()) {
      link.close('no pairing invite is open');
      return;
    }
    this.links.add(link);
    link.onClose(() => this.links.delete(link));
    let step: 'start' | 'confirm' | 'done' = 'start';
    let ticket: AttemptTicket | undefined;
    let expected: Buffer | undefined;
    let listenPort = 0;
    const fail = (reason: string) => {
      step = 'done';
      link.send({ t: 'pair-result', ok: false, reason });
      link.close(reason);
    };
    let timer = this.options.clock.setTimeout(() => fail('pairing timed out'), STEP_TIMEOUT_MS);
    link.onClose(() => timer.cancel());
    link.onMessage((m) => {
      if (step === 'start' && m.t === 'pair-start') {
        const code = this.code;
        if (!code || !this.isOpen()) return fail('no pairing invite is open');
        ticket = this.limiter.begin();
        if (!ticket) {
          const waitS = Math.ceil(this.limiter.retryAfterMs() / 1000);
          log.warn({}, 'pairing try refused: too many wrong codes');
          return fail(`too many wrong codes: refused without checking; try again in ${waitS} s`);
        }
        const spake = new Spake2('inviter', code, {
          inviter: this.options.ownId,
          joiner: link.deviceId,
        });
        try {
          const confirmations = spake.finish(m.x);
          expected = confirmations.joiner;
          listenPort = m.listenPort;
          link.send({ t: 'pair-reply', y: spake.myMessage, confirm: confirmations.inviter });
        } catch (err) {
          return fail(err instanceof PairProofError ? err.message : 'pairing failed');
        }
        step = 'confirm';
        timer.cancel();
        timer = this.options.clock.setTimeout(() => fail('pairing timed out'), STEP_TIMEOUT_MS);
        return;
      }
      if (step === 'confirm' && m.t === 'pair-confirm' && expected) {
        if (!macEquals(m.confirm, expected) || !this.isOpen()) {
          log.warn({ failures: this.limiter.recentFailures() }, 'pairing try failed: wrong code');
          return fail('wrong code');
        }
        ticket?.succeeded();
        step = 'done';
        const device: PairedDevice = {
          deviceId: link.deviceId,
          name: link.name,
          address:
            remoteHost && listenPort > 0
              ? `${remoteHost.includes(':') ? `[${remoteHost}]` : remoteHost}:${listenPort}`
              : undefined,
        };
        this.paired = device;
        this.links.delete(link);
        this.options.onPaired(device);
        log.info({ name: link.name }, 'paired with a device');
        link.send({ t: 'pair-result', ok: true, reason: '' });
        link.close('paired');
        this.close('paired');
        return;
      }
      if (m.t === 'pair-result') {
        log.warn({ reason: m.reason }, 'the joiner ended pairing');
        step = 'done';
        link.close(`joiner: ${m.reason}`);
        return;
      }
      // Anything else from a device that is not trusted: no folder data, ever.
      log.warn({ t: m.t }, 'an unpaired device sent a message other than pairing; closing');
      link.send({ t: 'error', reason: 'this device does not trust you: only pairing is allowed' });
      link.close('not trusted');
    });
  }
}
