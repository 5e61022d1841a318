import { describe, expect, it } from 'vitest';
import {
  attemptOf,
  commitInfo,
  namedReason,
  voteOf,
  type ReplicaFacts,
} from '../../../main/daemon/api/commit-records.js';
import type { TxRecord, TxVote } from '../../../main/engine/twophase/tx-store.js';

const R1 = 'A'.repeat(52);
const R2 = 'B'.repeat(52);

const facts: ReplicaFacts = {
  name: (id) => (id === R1 ? 'desk' : ''),
  acked: (id) => (id === R1 ? 9 : undefined),
};

function vote(change: Partial<TxVote>): TxVote {
  return { replica: R1, upToDate: true, canApply: true, reason: '', outcome: 'commit', ...change };
}

function tx(change: Partial<TxRecord>): TxRecord {
  return {
    tx: '7.1',
    prior: 6,
    version: 7,
    attempt: 1,
    policy: 'all',
    state: 'commit',
    reason: '',
    startedAt: 1,
    decidedAt: 2,
    delivered: true,
    votes: [],
    ...change,
  };
}

describe('commit records', () => {
  it.each<[string, Partial<TxVote>, string, string]>([
    ['a yes that committed', {}, 'yes', 'committed'],
    ['a no, aborted', { canApply: false, reason: 'disk full', outcome: 'abort' }, 'no', 'aborted'],
    ['not up to date', { upToDate: false, reason: 'at v5', outcome: 'abort' }, 'no', 'aborted'],
    [
      'a silence',
      { canApply: false, reason: 'did not vote in time', outcome: 'abort' },
      'timeout',
      'aborted',
    ],
    [
      'a vote the decision did not wait for',
      { canApply: false, reason: 'no vote before the decision', outcome: 'abort' },
      'none',
      'aborted',
    ],
    [
      'a behind replica now past it',
      { canApply: false, reason: 'x', outcome: 'behind' },
      'no',
      'caught-up',
    ],
    [
      'a behind replica not seen since',
      { replica: R2, canApply: false, reason: 'x', outcome: 'behind' },
      'no',
      'behind',
    ],
  ])('reads %s', (_name, change, expectedVote, expectedOutcome) => {
    const v = voteOf(vote(change), 7, facts);
    expect([v.vote, v.outcome]).toEqual([expectedVote, expectedOutcome]);
    if (v.vote === 'yes' || v.vote === 'none') expect(v.reason).toBe('');
  });

  it('names replicas in the coordinator reason and maps the states', () => {
    const t = tx({
      state: 'abort',
      reason: `${R1}: disk full; ${R2}: did not vote in time`,
      votes: [vote({ canApply: false, reason: 'disk full', outcome: 'abort' })],
    });
    expect(namedReason(t.reason, t, facts)).toBe(`desk: disk full; ${R2}: did not vote in time`);
    const a = attemptOf(t, facts);
    expect(a).toMatchObject({ state: 'aborted', policy: 'all', attempt: 1 });
    expect(a.votes[0]).toMatchObject({ name: 'desk', vote: 'no', reason: 'disk full' });
    expect(attemptOf(tx({ state: 'preparing' }), facts).state).toBe('preparing');
  });

  it('calls a version committed once released, else aborted or pending by its last attempt', () => {
    expect(commitInfo(7, [], 7, facts)).toEqual({
      outcome: 'committed',
      attempts: [],
      downstream: [],
    });
    expect(commitInfo(8, [], 7, facts).outcome).toBe('pending');
    const aborted = tx({ version: 8, state: 'abort' });
    expect(commitInfo(8, [aborted], 7, facts).outcome).toBe('aborted');
    expect(commitInfo(8, [aborted, tx({ version: 8, state: 'preparing' })], 7, facts).outcome).toBe(
      'pending',
    );
    expect(commitInfo(8, [aborted, tx({ version: 8 })], 8, facts).attempts).toHaveLength(2);
  });

  it("names the replicas below a relay and the relay, from the relay's reports", () => {
    const info = commitInfo(7, [], 7, facts, [
      {
        replica: R2,
        name: 'attic',
        via: R1,
        outcome: 'abort',
        reason: 'plan.txt has a local edit',
        version: 7,
        reportedAt: 1,
      },
      { replica: R1, name: '', via: R2, outcome: 'behind', reason: '', version: 9, reportedAt: 2 },
    ]);
    expect(info.downstream).toEqual([
      {
        replica: R2,
        name: 'attic',
        via: R1,
        viaName: 'desk',
        outcome: 'aborted',
        reason: 'plan.txt has a local edit',
      },
      { replica: R1, name: 'desk', via: R2, viaName: '', outcome: 'behind', reason: '' },
    ]);
  });
});
