/**
 * How each version of a master folder reached its replicas, for the history views: read
 * from the coordinator's durable record of two-phase commit (TxStore: every attempt, every
 * replica's vote and outcome, the released version) and put in words the UI shows —
 * committed, aborted or pending, and per replica yes/no/timeout and what became of it.
 */
import type { CommitAttempt, CommitInfo, CommitVote } from '../../api/contract.js';
import type { VersionInfo } from '../../engine/entry.js';
import {
  TxStore,
  type DownstreamReport,
  type TxRecord,
  type TxVote,
} from '../../engine/twophase/tx-store.js';
import type { VersionLog } from '../../engine/store/version-log.js';

/** What the views know about replicas: their names and the version each has now. */
export interface ReplicaFacts {
  readonly name: (deviceId: string) => string;
  /** The version a replica last acknowledged (undefined when unknown since the daemon started). */
  readonly acked: (deviceId: string) => number | undefined;
}

/** The coordinator's reasons for a vote it counted as missing (coordinator.ts). */
const TIMED_OUT = 'did not vote in time';
const NOT_COUNTED = 'no vote before the decision';

export function voteOf(v: TxVote, version: number, facts: ReplicaFacts): CommitVote {
  const vote: CommitVote['vote'] =
    v.upToDate && v.canApply
      ? 'yes'
      : v.reason === TIMED_OUT
        ? 'timeout'
        : v.reason === NOT_COUNTED
          ? 'none'
          : 'no';
  const acked = facts.acked(v.replica);
  const outcome: CommitVote['outcome'] =
    v.outcome === 'commit'
      ? 'committed'
      : v.outcome === 'abort'
        ? 'aborted'
        : acked !== undefined && acked >= version
          ? 'caught-up'
          : 'behind';
  return {
    replica: v.replica,
    name: facts.name(v.replica),
    vote,
    reason: vote === 'yes' || vote === 'none' ? '' : v.reason,
    outcome,
  };
}

/** The coordinator's reason with each replica's device ID put as its name ("replica2: …"). */
export function namedReason(reason: string, t: TxRecord, facts: ReplicaFacts): string {
  let out = reason;
  for (const v of t.votes) {
    const name = facts.name(v.replica);
    if (name !== '') out = out.split(v.replica).join(name);
  }
  return out;
}

export function attemptOf(t: TxRecord, facts: ReplicaFacts): CommitAttempt {
  return {
    tx: t.tx,
    prior: t.prior,
    version: t.version,
    attempt: t.attempt,
    policy: t.policy,
    state: t.state === 'commit' ? 'committed' : t.state === 'abort' ? 'aborted' : 'preparing',
    reason: namedReason(t.reason, t, facts),
    startedAt: t.startedAt,
    decidedAt: t.decidedAt,
    votes: t.votes.map((v) => voteOf(v, t.version, facts)),
  };
}

/**
 * A version's delivery: committed once it is at or below the released version; else
 * aborted when its last attempt was, else pending (being prepared, held, or waiting behind
 * an earlier version).
 */
export function commitInfo(
  seq: number,
  attempts: readonly TxRecord[],
  released: number,
  facts: ReplicaFacts,
  reports: readonly DownstreamReport[] = [],
): CommitInfo {
  const last = attempts[attempts.length - 1];
  const outcome: CommitInfo['outcome'] =
    seq <= released ? 'committed' : last?.state === 'abort' ? 'aborted' : 'pending';
  return {
    outcome,
    attempts: attempts.map((t) => attemptOf(t, facts)),
    downstream: reports.map((r) => ({
      replica: r.replica,
      name: r.name || facts.name(r.replica),
      via: r.via,
      viaName: facts.name(r.via),
      outcome: r.outcome === 'commit' ? 'committed' : r.outcome === 'abort' ? 'aborted' : 'behind',
      reason: r.reason,
    })),
  };
}

/**
 * Adds `commit` to each version of a master's log (read from its transaction record,
 * opened read-only for the call); null for each when `master` is false (a replica keeps
 * no such record).
 */
export function withCommits<V extends VersionInfo>(
  log: VersionLog,
  versions: readonly V[],
  master: boolean,
  facts: ReplicaFacts,
): (V & { commit: CommitInfo | null })[] {
  if (!master || versions.length === 0) return versions.map((v) => ({ ...v, commit: null }));
  const txs = new TxStore(log.file, { readonly: true });
  try {
    const released = txs.released();
    return versions.map((v) => ({
      ...v,
      commit: commitInfo(v.seq, txs.covering(v.seq), released, facts, txs.reportsCovering(v.seq)),
    }));
  } finally {
    txs.close();
  }
}
