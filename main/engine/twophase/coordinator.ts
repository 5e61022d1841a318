/**
 * The master's side of two-phase commit for one folder (claims 21-30), independent of the
 * transport: it is given who participates and how to send, so a relay can coordinate its
 * own replicas with it. Versions are released to replicas strictly in order: a one-phase
 * version at once, a two-phase one after a prepare round whose decision is written durably
 * (TxStore) before it is sent. Under `all` an abort holds the folder's later versions back
 * and the attempt is retried with backoff; under `available` the version commits on the
 * replicas that voted yes and the others are brought up by heartbeat and delta.
 */
import type { Message } from '../../protocol/messages.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { VersionInfo } from '../entry.js';
import { failpoint } from '../failpoints.js';
import type { Logger } from '../logger.js';
import type { VersionLog } from '../store/version-log.js';
import { decide, retryDelayMs, type TwoPhasePolicy, type Vote } from './decision.js';
import type { TxStore, TxVote } from './tx-store.js';

export interface CoordinatorOptions {
  readonly folderId: string;
  readonly log: VersionLog;
  readonly store: TxStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly policy: () => TwoPhasePolicy;
  /** How long votes are awaited; a replica silent that long votes no. */
  readonly voteTimeoutMs: number;
  /** The replicas connected now (they take part in a new attempt). */
  readonly participants: () => readonly string[];
  /** Sends to a replica if it is connected (else drops). */
  readonly send: (replica: string, message: Message) => void;
  /** The prepare message of attempt `tx`, delivering (prior, to.seq] as one change. */
  readonly prepareOf: (prior: number, to: VersionInfo, tx: string) => Message;
  /**
   * A version was released: `behind` are replicas that did not take part in its commit and
   * must be told (heartbeat); for a one-phase version everyone is, `via1pc` true.
   */
  readonly onRelease: (info: VersionInfo, via1pc: boolean) => void;
  /** Does this version go two-phase on this hop (default: as recorded in the log)? */
  readonly twoPhase?: (info: VersionInfo) => boolean;
  /** An attempt was decided and its decision sent (a relay reports it upstream). */
  readonly onDecided?: (
    attempt: { prior: number; version: number; outcome: 'commit' | 'abort' },
    votes: readonly TxVote[],
  ) => void;
  /** Must this one-phase version go two-phase all the same (a mass deletion)? */
  readonly guarded?: (prior: number, version: number) => boolean;
  /** May (prior, to] be prepared now? A held range (the deletion guard) says why not. */
  readonly hold?: (prior: number, to: VersionInfo) => string | undefined;
}

/** What status shows about two-phase commit on a master folder. */
export interface CoordinatorStatus {
  readonly released: number;
  readonly policy: TwoPhasePolicy;
  readonly preparing: {
    readonly tx: string;
    readonly version: number;
    readonly participants: readonly string[];
    readonly voted: readonly string[];
  } | null;
  /** The version that cannot be delivered now, and what blocks it. */
  readonly blocked: {
    readonly version: number;
    readonly attempt: number;
    readonly blockers: readonly { replica: string; reason: string }[];
    readonly retryAt: number;
  } | null;
  readonly held: { readonly version: number; readonly reason: string } | null;
}

/** The longest a participant that keeps saying it is staging may take to vote. */
const MAX_STAGING_MS = 2 * 60 * 60 * 1000;
/** How often a held range looks for a verdict (written by the CLI or the API), ms. */
const HOLD_POLL_MS = 1000;

interface Active {
  readonly tx: string;
  readonly prior: number;
  readonly info: VersionInfo;
  readonly participants: readonly string[];
  readonly votes: Map<string, Vote>;
  readonly startedAt: number;
  /** When missing votes count as no: moved on by participants still staging. */
  deadline: number;
  timer: TimerHandle | undefined;
}

export class Coordinator {
  private active: Active | undefined;
  private retryTimer: TimerHandle | undefined;
  /** While a range is held: looks again for a person's verdict. */
  private holdTimer: TimerHandle | undefined;
  private blocked: CoordinatorStatus['blocked'] = null;
  /** Aborts in a row (the backoff before the next attempt grows with them). */
  private aborts = 0;
  private held: CoordinatorStatus['held'] = null;
  /** Decisions to send again to their voters as they come back (after a master restart). */
  private readonly redeliver = new Map<string, Set<string>>();
  /**
   * Replicas that let an attempt time out and have been silent since: under `available`
   * they are left out of new attempts (they catch up by delta) until they speak again.
   */
  private readonly silent = new Set<string>();
  private closed = false;

  constructor(private readonly options: CoordinatorOptions) {
    this.recover();
  }

  released(): number {
    return this.options.store.released();
  }

  status(): CoordinatorStatus {
    const a = this.active;
    return {
      released: this.released(),
      policy: this.options.policy(),
      preparing: a
        ? {
            tx: a.tx,
            version: a.info.seq,
            participants: a.participants,
            voted: [...a.votes.keys()],
          }
        : null,
      blocked: this.blocked,
      held: this.held,
    };
  }

  /** Presumed abort for attempts a crash left undecided; decisions not delivered go out again. */
  private recover(): void {
    const { store, clock, logger } = this.options;
    for (const t of store.undecided()) {
      store.decide(
        t.tx,
        'abort',
        'the master restarted before deciding (presumed abort)',
        [],
        clock.now(),
      );
      logger.warn({ tx: t.tx, version: t.version }, 'presumed abort of an undecided transaction');
      this.redeliver.set(t.tx, new Set(['*']));
    }
    for (const t of store.undelivered()) {
      if (this.redeliver.has(t.tx)) continue;
      if (t.votes.length === 0) {
        store.markDelivered(t.tx);
        continue;
      }
      this.redeliver.set(t.tx, new Set(t.votes.map((v) => v.replica)));
      logger.info({ tx: t.tx, outcome: t.state }, 'decision to deliver again');
    }
  }

  /** Any message from a replica: it is responsive again. */
  onActivity(replica: string): void {
    this.silent.delete(replica);
  }

  /** A replica (re)subscribed: send it any decision it may have missed, or the prepare it awaits. */
  onSubscribe(replica: string): void {
    this.silent.delete(replica);
    const a = this.active;
    if (a && a.participants.includes(replica) && !a.votes.has(replica))
      this.options.send(replica, this.options.prepareOf(a.prior, a.info, a.tx));
    for (const [tx, to] of this.redeliver) {
      if (!to.has(replica) && !to.has('*')) continue;
      this.send(replica, tx, this.outcomeFor(tx, replica));
      to.delete(replica);
      if (to.size === 0) {
        this.redeliver.delete(tx);
        this.options.store.markDelivered(tx);
      }
    }
    this.pump();
  }

  /** A replica's connection ended: it cannot vote any more in the current attempt. */
  onDetach(replica: string): void {
    const a = this.active;
    if (a && a.participants.includes(replica) && !a.votes.has(replica)) {
      a.votes.set(replica, { upToDate: false, canApply: false, reason: 'disconnected' });
      this.evaluate();
    }
  }

  /**
   * A participant is still staging the current attempt: its vote may take longer than the
   * vote timeout, so the deadline moves to a timeout from now (at most MAX_STAGING_MS after
   * the prepare). A replica that stops sending this is silent again after one timeout.
   */
  onStaging(replica: string, tx: string): void {
    const a = this.active;
    if (!a || a.tx !== tx || !a.participants.includes(replica) || a.votes.has(replica)) return;
    const { clock, voteTimeoutMs } = this.options;
    const deadline = Math.min(clock.now() + voteTimeoutMs, a.startedAt + MAX_STAGING_MS);
    if (deadline <= a.deadline) return;
    a.deadline = deadline;
    a.timer?.cancel();
    a.timer = clock.setTimeout(() => this.evaluate(true), deadline - clock.now());
  }

  onVote(replica: string, m: Extract<Message, { t: 'vote' }>): void {
    const a = this.active;
    if (!a || a.tx !== m.tx || !a.participants.includes(replica) || a.votes.has(replica)) {
      this.options.logger.debug({ replica, tx: m.tx }, 'vote for no current transaction');
      return;
    }
    a.votes.set(replica, { upToDate: m.upToDate, canApply: m.canApply, reason: m.reason });
    this.options.logger.info(
      { replica, tx: m.tx, upToDate: m.upToDate, canApply: m.canApply, reason: m.reason },
      'vote received',
    );
    this.evaluate();
  }

  /** A prepared replica asks how `tx` ended: answer from the durable record (unknown: abort). */
  onOutcomeRequest(replica: string, tx: string): void {
    if (this.active?.tx === tx) return; // still collecting votes: the decision comes when made
    const outcome = this.outcomeFor(tx, replica);
    this.options.logger.info({ replica, tx, outcome }, 'outcome requested');
    this.send(replica, tx, outcome);
  }

  /**
   * What `tx` decided for one replica: commit only if the attempt committed with it among
   * the yes voters (under `available` the others catch up by delta); unknown or undecided
   * attempts are aborted (presumed abort).
   */
  private outcomeFor(tx: string, replica: string): 'commit' | 'abort' {
    const t = this.options.store.get(tx);
    return t?.state === 'commit' &&
      t.votes.some((v) => v.replica === replica && v.outcome === 'commit')
      ? 'commit'
      : 'abort';
  }

  /**
   * Releases what can be released, in order: one-phase versions at once; from the first
   * two-phase version on, everything up to the head goes as one prepared change (its
   * content is what the master's disk holds now, so nothing it needs is superseded).
   */
  pump(): void {
    if (this.closed || this.active || this.retryTimer) return;
    const { log, store } = this.options;
    const head = log.head();
    const twoPhase = this.options.twoPhase ?? ((info: VersionInfo) => info.method === '2pc');
    // Walk the recorded versions: a relay's log may skip numbers it took as one change.
    for (let prior = store.released(), info = log.next(prior); info; info = log.next(prior)) {
      if (twoPhase(info) || this.options.guarded?.(prior, info.seq)) {
        const to = log.version(head)!;
        const why = this.options.hold?.(prior, to);
        if (why !== undefined) {
          if (this.held?.version !== head)
            this.options.logger.warn({ from: prior, to: head, reason: why }, 'version held');
          this.held = { version: head, reason: why };
          this.holdTimer?.cancel();
          this.holdTimer = this.options.clock.setTimeout(() => this.pump(), HOLD_POLL_MS);
          return;
        }
        this.held = null;
        this.begin(prior, to);
        return;
      }
      store.release(info.seq);
      this.options.onRelease(info, true);
      prior = info.seq;
    }
    this.held = null;
  }

  private begin(prior: number, info: VersionInfo): void {
    const { store, clock, logger } = this.options;
    const policy = this.options.policy();
    const tx = store.begin(prior, info.seq, policy, clock.now());
    failpoint('2pc:began');
    const participants = this.options
      .participants()
      .filter((p) => policy === 'all' || !this.silent.has(p));
    const active: Active = {
      tx,
      prior,
      info,
      participants,
      votes: new Map(),
      startedAt: clock.now(),
      deadline: clock.now() + this.options.voteTimeoutMs,
      timer: undefined,
    };
    this.active = active;
    logger.info(
      { tx, prior, version: info.seq, policy, participants: participants.length },
      'prepare sent',
    );
    if (participants.length > 0) {
      const prepare = this.options.prepareOf(prior, info, tx);
      for (const p of participants) this.options.send(p, prepare);
    }
    failpoint('2pc:prepare-sent');
    active.timer = clock.setTimeout(() => this.evaluate(true), this.options.voteTimeoutMs);
    this.evaluate();
  }

  private evaluate(deadlineReached = false): void {
    const a = this.active;
    if (!a || this.closed) return;
    // A timer may fire a millisecond before the clock shows its deadline.
    const now = Math.max(this.options.clock.now(), deadlineReached ? a.deadline : 0);
    const outcome = decide(
      { participants: a.participants, votes: a.votes, deadline: a.deadline },
      this.options.policy(),
      now,
    );
    if (outcome.kind === 'wait') return;
    a.timer?.cancel();
    this.active = undefined;
    const { store, clock, logger } = this.options;
    const committed = outcome.kind === 'commit' ? new Set(outcome.to) : new Set<string>();
    const votes: TxVote[] = a.participants.map((p) => {
      const v = a.votes.get(p);
      return {
        replica: p,
        upToDate: v?.upToDate ?? false,
        canApply: v?.canApply ?? false,
        reason: v
          ? v.reason
          : now >= a.deadline
            ? 'did not vote in time'
            : 'no vote before the decision',
        outcome: outcome.kind === 'abort' ? 'abort' : committed.has(p) ? 'commit' : 'behind',
      };
    });
    const reason =
      outcome.kind === 'commit'
        ? a.participants.length === 0
          ? 'no replica connected'
          : `committed on ${outcome.to.length} of ${a.participants.length} replica(s)` +
            (outcome.behind.length > 0 ? `; ${outcome.behind.length} to catch up` : '')
        : outcome.blockers.map((b) => `${b.replica}: ${b.reason}`).join('; ');
    if (now >= a.deadline) for (const p of a.participants) if (!a.votes.has(p)) this.silent.add(p);
    store.decide(a.tx, outcome.kind, reason, votes, clock.now());
    failpoint('2pc:decided');
    for (const p of a.participants) this.send(p, a.tx, committed.has(p) ? 'commit' : 'abort');
    failpoint('2pc:delivered');
    store.markDelivered(a.tx);
    logger.info(
      { tx: a.tx, version: a.info.seq, outcome: outcome.kind, reason },
      'transaction decided',
    );
    this.options.onDecided?.({ prior: a.prior, version: a.info.seq, outcome: outcome.kind }, votes);
    if (outcome.kind === 'commit') {
      this.blocked = null;
      this.aborts = 0;
      this.options.onRelease(a.info, false);
      this.pump();
      return;
    }
    this.aborts++;
    const delay = retryDelayMs(this.aborts);
    this.blocked = {
      version: a.info.seq,
      attempt: this.aborts,
      blockers: outcome.blockers,
      retryAt: clock.now() + delay,
    };
    this.retryTimer = clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.pump();
    }, delay);
  }

  private send(replica: string, tx: string, outcome: 'commit' | 'abort'): void {
    this.options.send(replica, { t: 'decision', folder: this.options.folderId, tx, outcome });
  }

  /** Retries a blocked version now (a person cleared its cause, or a setting changed). */
  retryNow(): void {
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.pump();
  }

  close(): void {
    this.closed = true;
    this.active?.timer?.cancel();
    this.retryTimer?.cancel();
    this.holdTimer?.cancel();
  }
}
