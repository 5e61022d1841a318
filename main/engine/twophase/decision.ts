/**
 * The coordinator's decision in two-phase commit (claims 21-27), as a pure function of
 * the votes received, the policy and the time: commit, abort, or wait for more votes.
 * A replica that has not voted by the deadline counts as a no.
 */

export type TwoPhasePolicy = 'all' | 'available';

export interface Vote {
  /** The replica held (or caught up to) the prior version. */
  readonly upToDate: boolean;
  /** The replica staged everything and passed every check. */
  readonly canApply: boolean;
  /** Why not, in words, when it cannot. */
  readonly reason: string;
}

export interface TxView {
  /** Replicas expected to vote (every replica the folder is shared with). */
  readonly participants: readonly string[];
  readonly votes: ReadonlyMap<string, Vote>;
  readonly deadline: number;
}

export type Outcome =
  | { readonly kind: 'wait' }
  | { readonly kind: 'commit'; readonly to: readonly string[]; readonly behind: readonly string[] }
  | { readonly kind: 'abort'; readonly blockers: readonly { replica: string; reason: string }[] };

function yes(v: Vote | undefined): boolean {
  return v !== undefined && v.upToDate && v.canApply;
}

/**
 * `all`: commit only when every participant voted yes; abort as soon as one says no or the
 * deadline passes with votes missing. `available`: commit, once everyone voted or the
 * deadline passed, on the replicas that voted yes; the others (`behind`) are brought up
 * to date afterwards by heartbeats and deltas (claims 28-30).
 */
export function decide(tx: TxView, policy: TwoPhasePolicy, now: number): Outcome {
  const missing = tx.participants.filter((p) => !tx.votes.has(p));
  const blockers = tx.participants
    .filter((p) => tx.votes.has(p) && !yes(tx.votes.get(p)))
    .map((p) => ({ replica: p, reason: tx.votes.get(p)!.reason || 'voted no' }));
  const expired = now >= tx.deadline;
  if (policy === 'all') {
    if (blockers.length > 0) return { kind: 'abort', blockers };
    if (missing.length === 0) return { kind: 'commit', to: [...tx.participants], behind: [] };
    if (expired)
      return {
        kind: 'abort',
        blockers: missing.map((replica) => ({ replica, reason: 'did not vote in time' })),
      };
    return { kind: 'wait' };
  }
  if (missing.length > 0 && !expired) return { kind: 'wait' };
  const to = tx.participants.filter((p) => yes(tx.votes.get(p)));
  return { kind: 'commit', to, behind: tx.participants.filter((p) => !to.includes(p)) };
}

/** Backoff before retrying a version aborted under `all`: 1 s doubling to 5 min. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempt - 1), 5 * 60 * 1000);
}
