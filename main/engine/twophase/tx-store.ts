/**
 * The master's durable record of two-phase commit, kept in the folder's log database: one
 * row per attempt (`twophase_tx`), the votes of each attempt, and the released frontier
 * (the newest version replicas may receive). A decision and the frontier it moves are
 * written in one SQLite transaction, before the decision is sent to anyone.
 */
import { LOG_SCHEMA } from '../store/log-schema.js';
import { openDatabase, type Db, type OpenOptions } from '../store/sqlite.js';
import type { TwoPhasePolicy } from './decision.js';

export type TxState = 'preparing' | 'commit' | 'abort';
export type VoteOutcome = 'commit' | 'abort' | 'behind';

export interface TxVote {
  readonly replica: string;
  readonly upToDate: boolean;
  readonly canApply: boolean;
  readonly reason: string;
  readonly outcome: VoteOutcome;
}

export interface TxRecord {
  readonly tx: string;
  /** The attempt delivers the versions in (prior, version] as one change. */
  readonly prior: number;
  readonly version: number;
  readonly attempt: number;
  readonly policy: TwoPhasePolicy;
  readonly state: TxState;
  readonly reason: string;
  readonly startedAt: number;
  readonly decidedAt: number | null;
  readonly delivered: boolean;
  readonly votes: readonly TxVote[];
}

interface TxRow {
  tx: string;
  prior: number;
  version: number;
  attempt: number;
  policy: string;
  state: string;
  reason: string;
  started_at: number;
  decided_at: number | null;
  delivered: number;
}

interface VoteRow {
  replica: string;
  up_to_date: number;
  can_apply: number;
  reason: string;
  outcome: string;
}

/** One replica's outcome on the hop below a relay, as the relay reports it. */
export interface DownstreamResult {
  readonly replica: string;
  readonly name: string;
  /** The relay that coordinated the replica's hop. */
  readonly via: string;
  readonly outcome: VoteOutcome;
  readonly reason: string;
}

/** A stored report: the result, the relay attempt's version and when it arrived. */
export interface DownstreamReport extends DownstreamResult {
  readonly version: number;
  readonly reportedAt: number;
}

interface ReportRow {
  version: number;
  prior: number;
  replica: string;
  name: string;
  via: string;
  outcome: string;
  reason: string;
  reported_at: number;
}

interface VerdictRow {
  version: number;
  verdict: string;
  done: number;
}

export interface Verdict {
  readonly version: number;
  readonly verdict: 'approve' | 'reject';
  readonly done: boolean;
}

export function txId(version: number, attempt: number): string {
  return `${version}.${attempt}`;
}

export class TxStore {
  private readonly db: Db;
  private readonly stmts: ReturnType<TxStore['prepare']>;

  constructor(file: string, options: OpenOptions = {}) {
    this.db = openDatabase(file, LOG_SCHEMA, options);
    this.stmts = this.prepare();
  }

  private prepare() {
    const db = this.db;
    return {
      released: db.prepare<[], { released: number }>(
        'SELECT released FROM twophase_release WHERE id = 1',
      ),
      setReleased: db.prepare<[number]>(
        'UPDATE twophase_release SET released = MAX(released, ?) WHERE id = 1',
      ),
      begin: db.prepare(
        `INSERT INTO twophase_tx (tx, prior, version, attempt, policy, state, reason, started_at)
         VALUES (@tx, @prior, @version, @attempt, @policy, 'preparing', '', @startedAt)`,
      ),
      decide: db.prepare(
        `UPDATE twophase_tx SET state = @state, reason = @reason, decided_at = @decidedAt
          WHERE tx = @tx AND state = 'preparing'`,
      ),
      vote: db.prepare(
        `INSERT OR REPLACE INTO twophase_votes (tx, replica, up_to_date, can_apply, reason, outcome)
         VALUES (@tx, @replica, @upToDate, @canApply, @reason, @outcome)`,
      ),
      delivered: db.prepare<[string]>('UPDATE twophase_tx SET delivered = 1 WHERE tx = ?'),
      get: db.prepare<[string], TxRow>('SELECT * FROM twophase_tx WHERE tx = ?'),
      votesOf: db.prepare<[string], VoteRow>(
        'SELECT * FROM twophase_votes WHERE tx = ? ORDER BY replica',
      ),
      byState: db.prepare<[string], TxRow>(
        'SELECT * FROM twophase_tx WHERE state = ? ORDER BY version, attempt',
      ),
      undelivered: db.prepare<[], TxRow>(
        `SELECT * FROM twophase_tx WHERE state != 'preparing' AND delivered = 0
          ORDER BY version DESC, attempt DESC LIMIT 16`,
      ),
      setVerdict: db.prepare(
        `INSERT INTO twophase_verdicts (version, verdict, decided_at) VALUES (@version, @verdict, @at)
         ON CONFLICT(version) DO UPDATE SET verdict = excluded.verdict, done = 0, decided_at = excluded.decided_at`,
      ),
      latestVerdict: db.prepare<[number, number], VerdictRow>(
        `SELECT * FROM twophase_verdicts WHERE version > ? AND version <= ?
          ORDER BY version DESC LIMIT 1`,
      ),
      verdictDone: db.prepare<[number]>('UPDATE twophase_verdicts SET done = 1 WHERE version = ?'),
      lastAttempt: db.prepare<[number], { attempt: number | null }>(
        'SELECT MAX(attempt) AS attempt FROM twophase_tx WHERE version = ?',
      ),
      report: db.prepare(
        `INSERT INTO twophase_reports (version, prior, replica, name, via, outcome, reason, reported_at)
         VALUES (@version, @prior, @replica, @name, @via, @outcome, @reason, @at)
         ON CONFLICT(version, replica) DO UPDATE SET prior = excluded.prior, name = excluded.name,
           via = excluded.via, outcome = excluded.outcome, reason = excluded.reason,
           reported_at = excluded.reported_at`,
      ),
      reportsCovering: db.prepare<[number, number], ReportRow>(
        `SELECT * FROM twophase_reports WHERE prior < ? AND version >= ?
          ORDER BY via, replica, reported_at DESC, version DESC`,
      ),
      covering: db.prepare<[number, number], TxRow>(
        'SELECT * FROM twophase_tx WHERE prior < ? AND version >= ? ORDER BY version, attempt',
      ),
    };
  }

  close(): void {
    this.db.close();
  }

  /** The newest version replicas may receive. */
  released(): number {
    return this.stmts.released.get()?.released ?? 0;
  }

  /** Moves the frontier to `version` (never back). */
  release(version: number): void {
    this.stmts.setReleased.run(version);
  }

  lastAttempt(version: number): number {
    return this.stmts.lastAttempt.get(version)?.attempt ?? 0;
  }

  /** Records a new attempt at delivering (prior, version] as undecided, before any prepare is sent. */
  begin(prior: number, version: number, policy: TwoPhasePolicy, now: number): string {
    const attempt = this.lastAttempt(version) + 1;
    const tx = txId(version, attempt);
    this.stmts.begin.run({ tx, prior, version, attempt, policy, startedAt: now });
    return tx;
  }

  /**
   * Writes the decision with every participant's vote, and on commit moves the released
   * frontier to the version, in one durable transaction. False when already decided.
   */
  decide(
    tx: string,
    state: Exclude<TxState, 'preparing'>,
    reason: string,
    votes: readonly TxVote[],
    now: number,
  ): boolean {
    const run = this.db.transaction((): boolean => {
      const row = this.stmts.get.get(tx);
      if (!row || row.state !== 'preparing') return false;
      this.stmts.decide.run({ tx, state, reason, decidedAt: now });
      for (const v of votes)
        this.stmts.vote.run({
          tx,
          replica: v.replica,
          upToDate: v.upToDate ? 1 : 0,
          canApply: v.canApply ? 1 : 0,
          reason: v.reason,
          outcome: v.outcome,
        });
      if (state === 'commit') this.stmts.setReleased.run(row.version);
      return true;
    });
    return run.immediate();
  }

  /** Records a person's verdict on the mass deletion in the versions up to `version`. */
  setVerdict(version: number, verdict: 'approve' | 'reject', now: number): void {
    this.stmts.setVerdict.run({ version, verdict, at: now });
  }

  /** The newest verdict on a version in (after, upTo]. */
  verdict(after: number, upTo: number): Verdict | undefined {
    const row = this.stmts.latestVerdict.get(after, upTo);
    return row
      ? { version: row.version, verdict: row.verdict as Verdict['verdict'], done: row.done === 1 }
      : undefined;
  }

  /** A rejection was carried out (its restore recorded). */
  verdictDone(version: number): void {
    this.stmts.verdictDone.run(version);
  }

  markDelivered(tx: string): void {
    this.stmts.delivered.run(tx);
  }

  get(tx: string): TxRecord | undefined {
    const row = this.stmts.get.get(tx);
    return row ? this.toRecord(row) : undefined;
  }

  /** Attempts without a decision (after a crash of the master). */
  undecided(): TxRecord[] {
    return this.stmts.byState.all('preparing').map((r) => this.toRecord(r));
  }

  /** Recent decisions not known to have reached every voter. */
  undelivered(): TxRecord[] {
    return this.stmts.undelivered.all().map((r) => this.toRecord(r));
  }

  /** Records a relay's report of its hop's outcome (a newer report replaces an older one). */
  report(prior: number, version: number, results: readonly DownstreamResult[], now: number): void {
    this.db.transaction(() => {
      for (const r of results) this.stmts.report.run({ version, prior, ...r, at: now });
    })();
  }

  /**
   * What relays reported of the replicas below them for the change including `version`: per
   * replica the report of the relay attempt that covered it last.
   */
  reportsCovering(version: number): DownstreamReport[] {
    const seen = new Set<string>();
    const out: DownstreamReport[] = [];
    for (const r of this.stmts.reportsCovering.all(version, version)) {
      if (seen.has(r.replica)) continue;
      seen.add(r.replica);
      out.push({
        replica: r.replica,
        name: r.name,
        via: r.via,
        outcome: r.outcome as VoteOutcome,
        reason: r.reason,
        version: r.version,
        reportedAt: r.reported_at,
      });
    }
    return out;
  }

  /** Every attempt whose range includes `version`, oldest first. */
  covering(version: number): TxRecord[] {
    return this.stmts.covering.all(version, version).map((r) => this.toRecord(r));
  }

  private toRecord(row: TxRow): TxRecord {
    return {
      tx: row.tx,
      prior: row.prior,
      version: row.version,
      attempt: row.attempt,
      policy: row.policy as TwoPhasePolicy,
      state: row.state as TxState,
      reason: row.reason,
      startedAt: row.started_at,
      decidedAt: row.decided_at,
      delivered: row.delivered === 1,
      votes: this.stmts.votesOf.all(row.tx).map((v) => ({
        replica: v.replica,
        upToDate: v.up_to_date === 1,
        canApply: v.can_apply === 1,
        reason: v.reason,
        outcome: v.outcome as VoteOutcome,
      })),
    };
  }
}
