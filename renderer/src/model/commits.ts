/**
 * How a version reached the replicas, in words: its delivery (committed, aborted,
 * pending), each two-phase attempt's decision, and each replica's vote and what became of
 * it. Pure, so the wording is tested without a browser.
 */
import type { Tone } from '../components/Pill';
import type { CommitAttempt, CommitInfo, CommitVote, HistoryVersion } from '../api/types';
import { formatVersion, plural } from '../lib/format';

export const outcomeWords: Record<CommitInfo['outcome'], { label: string; tone: Tone }> = {
  committed: { label: 'Committed', tone: 'ok' },
  aborted: { label: 'Aborted, will retry', tone: 'bad' },
  pending: { label: 'Pending', tone: 'busy' },
};

export const attemptWords: Record<CommitAttempt['state'], { label: string; tone: Tone }> = {
  committed: { label: 'Committed', tone: 'ok' },
  aborted: { label: 'Aborted', tone: 'bad' },
  preparing: { label: 'Collecting votes', tone: 'busy' },
};

export const voteWords: Record<CommitVote['vote'], { label: string; tone: Tone }> = {
  yes: { label: 'Voted yes', tone: 'ok' },
  no: { label: 'Voted no', tone: 'bad' },
  timeout: { label: 'No answer in time', tone: 'warn' },
  none: { label: 'Vote not needed', tone: 'idle' },
};

export const voteOutcomeWords: Record<CommitVote['outcome'], string> = {
  committed: 'switched with the others',
  aborted: 'kept the version before',
  'caught-up': 'brought up to date later',
  behind: 'not up to date yet',
};

/** Why this version went one-phase or two-phase, from its method and the master's reason. */
export function methodReason(v: Pick<HistoryVersion, 'method' | 'reason' | 'commit'>): string {
  if (v.method === 'scan')
    return `Recorded by a scan (${v.reason}); replicas fetch it as one change.`;
  const because = `${v.method === '2pc' ? 'Two-phase' : 'One-phase'} because ${v.reason}.`;
  return v.method === '1pc' && (v.commit?.attempts.length ?? 0) > 0
    ? `${because} It reached the replicas in a two-phase round, together with the versions around it.`
    : because;
}

/** One line on an attempt (its decision is shown beside it): "Attempt 2 for v7 (policy “all”): 1 of 2 replicas voted yes". */
export function attemptSentence(a: CommitAttempt): string {
  const range =
    a.version - a.prior > 1
      ? `${formatVersion(a.prior + 1)}–${formatVersion(a.version)}`
      : formatVersion(a.version);
  const yes = a.votes.filter((v) => v.vote === 'yes').length;
  // Under `all` the first no decides: votes still on their way were not needed.
  const votes =
    a.votes.length === 0
      ? 'no replica was connected'
      : `${yes} of ${plural(a.votes.length, 'replica')} voted yes`;
  return `Attempt ${a.attempt} for ${range} (policy “${a.policy}”): ${votes}`;
}

/** A replica's row: its name, vote, reason and outcome. */
export function voteSentence(v: CommitVote): string {
  const reason = v.vote === 'yes' || v.reason === '' ? '' : ` (${v.reason})`;
  return `${voteWords[v.vote].label}${reason}; ${voteOutcomeWords[v.outcome]}`;
}
