import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LanfoldClient } from '../../main/api/client';
import { ConnectionProvider, type Connection } from '../src/api/connection';
import type { CommitAttempt, FolderSettings, HistoryVersion } from '../src/api/types';
import { listenProblem } from '../src/lib/address';
import { shortDeviceId } from '../src/lib/format';
import { attemptSentence, methodReason, voteSentence } from '../src/model/commits';
import { draftOf, parseDraft, patchOf } from '../src/screens/folder/settings-form';
import { CommitRecord } from '../src/screens/history/CommitRecord';
import { BlockedVersion, blockerLines } from '../src/screens/overview/BlockedVersion';
import { HeldDeletion, heldSentence, verdictWords } from '../src/screens/overview/HeldDeletion';

const text = (html: string) =>
  html
    .replace(/<!-- -->/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ')
    .replace(/ ([.,)])/g, '$1')
    .replace(/\( /g, '(')
    .trim();

const R1 = 'A'.repeat(52);
const R2 = 'B'.repeat(52);

/** A connection whose client is never called (the components only render here). */
const connection: Connection = {
  client: new LanfoldClient({ baseUrl: 'http://127.0.0.1:9', token: 'unused' }),
  listen: () => () => undefined,
  alive: () => true,
  watchAlive: () => () => undefined,
  close: () => undefined,
};

const aborted: CommitAttempt = {
  tx: '7.1',
  prior: 6,
  version: 7,
  attempt: 1,
  policy: 'all',
  state: 'aborted',
  reason: 'desk: notes.txt has a local edit not synced',
  startedAt: 1,
  decidedAt: 2,
  votes: [
    {
      replica: R1,
      name: 'desk',
      vote: 'no',
      reason: 'notes.txt has a local edit not synced',
      outcome: 'aborted',
    },
    { replica: R2, name: '', vote: 'none', reason: '', outcome: 'aborted' },
  ],
};

const committed: CommitAttempt = {
  ...aborted,
  tx: '7.2',
  attempt: 2,
  policy: 'available',
  state: 'committed',
  reason: 'committed on 1 of 2 replica(s); 1 to catch up',
  votes: [
    { ...aborted.votes[0]!, outcome: 'caught-up' },
    { replica: R2, name: '', vote: 'yes', reason: '', outcome: 'committed' },
  ],
};

const v7: HistoryVersion = {
  seq: 7,
  epoch: 1,
  createdAt: 1,
  method: '2pc',
  reason: '2 paths changed together',
  origin: 'watch',
  changes: 2,
  bytes: 10,
  commit: { outcome: 'committed', attempts: [aborted, committed], downstream: [] },
};

describe('commit words', () => {
  it('says why a version went one- or two-phase', () => {
    expect(methodReason(v7)).toBe('Two-phase because 2 paths changed together.');
    expect(methodReason({ method: '1pc', reason: 'one file changed', commit: null })).toBe(
      'One-phase because one file changed.',
    );
    expect(
      methodReason({
        method: '1pc',
        reason: 'one file changed',
        commit: { outcome: 'committed', attempts: [committed], downstream: [] },
      }),
    ).toMatch(/^One-phase because one file changed\. It reached the replicas in a two-phase round/);
  });

  it('describes an attempt and each vote', () => {
    expect(attemptSentence(aborted)).toBe(
      'Attempt 1 for v7 (policy “all”): 0 of 2 replicas voted yes',
    );
    expect(attemptSentence({ ...committed, prior: 4 })).toBe(
      'Attempt 2 for v5–v7 (policy “available”): 1 of 2 replicas voted yes',
    );
    expect(attemptSentence({ ...committed, votes: [] })).toMatch(/no replica was connected$/);
    expect(voteSentence(committed.votes[0]!)).toBe(
      'Voted no (notes.txt has a local edit not synced); brought up to date later',
    );
    expect(voteSentence(aborted.votes[1]!)).toBe('Vote not needed; kept the version before');
  });
});

describe('CommitRecord', () => {
  it('shows the delivery, each attempt folded but the last, and a labelled row per replica', () => {
    const html = renderToString(<CommitRecord version={v7} />);
    const t = text(html);
    expect(t).toMatch(/^Delivery to replicas Committed/);
    expect(t).toContain('Aborted Attempt 1 for v7 (policy “all”): 0 of 2 replicas voted yes');
    expect(t).toContain('desk: notes.txt has a local edit not synced');
    expect(t).toContain(
      'desk Voted no notes.txt has a local edit not synced. Brought up to date later',
    );
    expect(t).toContain(`${shortDeviceId(R2)} Voted yes Switched with the others`);
    expect(html.match(/<details/g)).toHaveLength(2);
    expect(html.match(/<details open=""/g)).toHaveLength(1);
    expect(html).toContain('aria-label="Votes in attempt 2"');
  });

  it('lists the replicas below relays as the relays reported them', () => {
    const t = text(
      renderToString(
        <CommitRecord
          version={{
            ...v7,
            commit: {
              outcome: 'committed',
              attempts: [committed],
              downstream: [
                {
                  replica: 'A'.repeat(52),
                  name: 'attic',
                  via: 'B'.repeat(52),
                  viaName: 'office-relay',
                  outcome: 'aborted',
                  reason: 'plan.txt has a local edit',
                },
                {
                  replica: 'C'.repeat(52),
                  name: '',
                  via: 'B'.repeat(52),
                  viaName: '',
                  outcome: 'committed',
                  reason: '',
                },
              ],
            },
          }}
        />,
      ),
    );
    expect(t).toContain('Below relays');
    expect(t).toContain('attic');
    expect(t).toContain('Aborted');
    expect(t).toContain('plan.txt has a local edit. via office-relay');
    expect(t).toContain('Committed');
  });

  it('shows at most five attempts, and what a one-phase version did', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({
      ...aborted,
      tx: `7.${i}`,
      attempt: i + 1,
    }));
    const t = text(
      renderToString(
        <CommitRecord
          version={{ ...v7, commit: { outcome: 'aborted', attempts: many, downstream: [] } }}
        />,
      ),
    );
    expect(t).toContain('3 earlier attempts, all aborted');
    expect(t).not.toContain('Attempt 3 ');
    expect(t).toContain('Attempt 8 ');
    const one = text(
      renderToString(
        <CommitRecord
          version={{
            ...v7,
            method: '1pc',
            commit: { outcome: 'committed', attempts: [], downstream: [] },
          }}
        />,
      ),
    );
    expect(one).toMatch(/Sent to the replicas as soon as it was recorded/);
    expect(renderToString(<CommitRecord version={{ ...v7, commit: null }} />)).toBe('');
  });
});

describe('Held deletion and blocked version on the Overview', () => {
  const held = { version: 123, reason: 'deletes 2400 of 3000 files', deleted: 2400, before: 3000 };

  it('says what is held, with Reject and Approve, and what each verdict does', () => {
    expect(heldSentence(held)).toBe('v123 deletes 2,400 of 3,000 files');
    const html = renderToString(
      <ConnectionProvider connection={connection}>
        <HeldDeletion folderId="docs" held={held} />
      </ConnectionProvider>,
    );
    expect(html).toContain('aria-label="Held deletion in docs"');
    expect(text(html)).toMatch(/v123 deletes 2,400 of 3,000 files \(80%\) — held until you decide/);
    expect(text(html)).toMatch(/Reject Approve/);
    const w = verdictWords(held, 'docs');
    expect(w.approve.confirm).toBe('Approve deleting 2,400 files');
    expect(w.approve.body).toMatch(/every replica, which then deletes the same 2,400 files/);
    expect(w.reject.confirm).toBe('Reject and restore 2,400 files');
    expect(w.reject.body).toMatch(/writes the deleted files back from its history/);
  });

  it('names each replica that blocks a version, and why', () => {
    const blocked = {
      version: 9,
      attempt: 3,
      blockers: [
        { replica: R1, reason: 'disk full' },
        { replica: R2, reason: '' },
      ],
      retryAt: 0,
    };
    const replicas = [
      { deviceId: R1, name: 'desk', connected: true, version: 8, connectedAt: 1, lag: null },
    ];
    expect(blockerLines(blocked, replicas)).toEqual([
      'desk: disk full',
      `${shortDeviceId(R2)}: voted no`,
    ]);
    const t = text(renderToString(<BlockedVersion blocked={blocked} replicas={replicas} />));
    expect(t).toMatch(/^v9 is waiting: every replica must agree desk: disk full/);
    expect(t).toMatch(/Tried 3 times; next try at/);
  });
});

describe('settings form: two-phase policy and deletion guard', () => {
  const settings: FolderSettings = {
    commitMode: 'auto',
    twoPhasePolicy: 'available',
    deletionGuardRatio: 0.5,
    atomicPatterns: [],
    historyCapBytes: 1024 ** 3,
    retainMaxFileBytes: 16 * 1024 ** 2,
    batchQuietMs: 30,
    batchMaxDelayMs: 2000,
  };

  it('reads the guard as a percentage, or off at a ratio of 1', () => {
    expect(draftOf(settings)).toMatchObject({ deletionGuardOn: true, deletionGuardPercent: '50' });
    expect(draftOf({ ...settings, deletionGuardRatio: 1 })).toMatchObject({
      deletionGuardOn: false,
    });
    expect(draftOf({ ...settings, deletionGuardRatio: 0.125 }).deletionGuardPercent).toBe('12.5');
  });

  it('patches the policy and the guard, and off as 1', () => {
    const d = draftOf(settings);
    const next = parseDraft({ ...d, twoPhasePolicy: 'all', deletionGuardPercent: '40' }).settings!;
    expect(patchOf(settings, next)).toEqual({ twoPhasePolicy: 'all', deletionGuardRatio: 0.4 });
    const off = parseDraft({ ...d, deletionGuardOn: false, deletionGuardPercent: 'x' }).settings!;
    expect(patchOf(settings, off)).toEqual({ deletionGuardRatio: 1 });
  });

  it.each(['', '100', '150', '-5', 'half'])('refuses a guard of "%s" while it is on', (pct) => {
    const r = parseDraft({ ...draftOf(settings), deletionGuardPercent: pct });
    expect(r.settings).toBeUndefined();
    expect(r.errors.deletionGuardPercent).toMatch(/from 0 to 99.*turn the guard off/);
  });
});

describe('listenProblem', () => {
  it.each([
    ['0.0.0.0:47210', undefined],
    ['[::]:47210', undefined],
    ['192.168.1.20:0', undefined],
    ['', /Type the address/],
    ['no-port', /host:port/],
    ['1.2.3.4:99999', /from 0 to 65535/],
  ])('%s', (raw, problem) => {
    const p = listenProblem(raw);
    if (problem === undefined) expect(p).toBeUndefined();
    else expect(p).toMatch(problem);
  });
});
