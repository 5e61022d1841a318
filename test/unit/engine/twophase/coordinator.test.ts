import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../main/engine/clock.js';
import type { NewEntry, NewVersion, VersionInfo } from '../../../../main/engine/entry.js';
import { silentLogger } from '../../../../main/engine/logger.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import { VersionLog } from '../../../../main/engine/store/version-log.js';
import { Coordinator } from '../../../../main/engine/twophase/coordinator.js';
import type { TwoPhasePolicy } from '../../../../main/engine/twophase/decision.js';
import { countDeletions, massDeletion } from '../../../../main/engine/twophase/deletion-guard.js';
import { TxStore } from '../../../../main/engine/twophase/tx-store.js';
import type { Message } from '../../../../main/protocol/messages.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

function header(method: '1pc' | '2pc'): NewVersion {
  return { epoch: 1, createdAt: 1_700_000_000_000, method, reason: 'test', origin: 'watch' };
}

function file(p: string, op: NewEntry['op'] = 'add'): NewEntry {
  return {
    path: toRelPath(p),
    op,
    kind: 'file',
    size: 1,
    mtimeMs: 1,
    mode: 0o644,
    ino: 1,
    hash: 'a'.repeat(64),
    target: null,
    chunks: null,
    movedFrom: null,
  };
}

function del(p: string): NewEntry {
  return { ...file(p, 'delete'), kind: 'none', hash: null };
}

interface Harness {
  readonly log: VersionLog;
  readonly store: TxStore;
  readonly clock: ManualClock;
  readonly sent: { to: string; m: Message }[];
  readonly released: { seq: number; via1pc: boolean }[];
  readonly decided: string[];
  connected: string[];
  policy: TwoPhasePolicy;
  /** The hop's method (undefined: as recorded). */
  twoPhase: ((info: VersionInfo) => boolean) | undefined;
  coordinator(): Coordinator;
}

describe('Coordinator', () => {
  const tempDir = useTempDirs();
  const open: { close(): void }[] = [];
  afterEach(() => {
    for (const o of open.splice(0)) o.close();
  });

  function harness(file_ = path.join(tempDir('coord'), 'log.db')): Harness {
    const log = new VersionLog(file_);
    const store = new TxStore(file_);
    open.push(store, log);
    const h: Harness = {
      log,
      store,
      clock: new ManualClock(1000),
      sent: [],
      released: [],
      decided: [],
      connected: ['r1', 'r2'],
      policy: 'all',
      twoPhase: undefined,
      coordinator: () => {
        const c = new Coordinator({
          folderId: 'f',
          log,
          store,
          clock: h.clock,
          logger: silentLogger,
          policy: () => h.policy,
          voteTimeoutMs: 5000,
          participants: () => h.connected,
          send: (to, m) => h.sent.push({ to, m }),
          prepareOf: (prior, to, tx) => ({
            t: 'prepare',
            folder: 'f',
            tx,
            prior,
            version: { prior, version: to.seq, createdAt: 0, method: '2pc', entries: [] },
            inline: [],
          }),
          onRelease: (info: VersionInfo, via1pc: boolean) =>
            h.released.push({ seq: info.seq, via1pc }),
          hold: (prior, to) => massDeletion(log, prior, to.seq, 0.5),
          twoPhase: h.twoPhase,
          onDecided: (a, votes) =>
            h.decided.push(
              `(${a.prior},${a.version}]:${a.outcome}:${votes.map((v) => `${v.replica}=${v.outcome}`).join(',')}`,
            ),
        });
        open.push(c);
        return c;
      },
    };
    return h;
  }

  const vote = (tx: string, yes: boolean, reason = ''): Extract<Message, { t: 'vote' }> => ({
    t: 'vote',
    folder: 'f',
    tx,
    upToDate: true,
    canApply: yes,
    reason,
  });
  const decisions = (h: Harness) =>
    h.sent.flatMap(({ to, m }) => (m.t === 'decision' ? [`${to}:${m.tx}:${m.outcome}`] : []));

  it('releases one-phase versions at once and prepares a two-phase one', () => {
    const h = harness();
    h.log.commit(header('1pc'), [file('a')]);
    h.log.commit(header('2pc'), [file('b'), file('c')]);
    const c = h.coordinator();
    c.pump();
    expect(h.released).toEqual([{ seq: 1, via1pc: true }]);
    expect(h.sent.map(({ to, m }) => `${to}:${m.t}`)).toEqual(['r1:prepare', 'r2:prepare']);
    expect(c.status().preparing).toMatchObject({ tx: '2.1', version: 2 });
    expect(h.store.released()).toBe(1);
  });

  it("walks a relay's log that skips numbers, with the hop's method, and tells each decision", () => {
    const h = harness();
    h.log.commit(header('1pc'), [file('a')], 3);
    h.log.commit(header('2pc'), [file('b'), file('c')], 7);
    h.log.commit(header('1pc'), [file('d')], 9);
    h.twoPhase = (info) => info.seq === 9; // this hop forces 9 two-phase, passes 7 as one-phase
    const c = h.coordinator();
    c.pump();
    expect(h.released).toEqual([
      { seq: 3, via1pc: true },
      { seq: 7, via1pc: true },
    ]);
    expect(c.status().preparing).toMatchObject({ tx: '9.1', version: 9 });
    const prepare = h.sent.find(({ m }) => m.t === 'prepare')!.m;
    expect(prepare).toMatchObject({ prior: 7 });
    c.onVote('r1', vote('9.1', true));
    c.onVote('r2', vote('9.1', false, 'no room'));
    expect(h.decided).toEqual(['(7,9]:abort:r1=abort,r2=abort']);
    expect(h.store.released()).toBe(7);
  });

  it('under `all`, aborts on a no, keeps the version back, and commits on a later attempt', () => {
    const h = harness();
    h.log.commit(header('2pc'), [file('b'), file('c')]);
    const c = h.coordinator();
    c.pump();
    c.onVote('r1', vote('1.1', true));
    c.onVote('r2', vote('1.1', false, 'b has a local edit'));
    expect(decisions(h)).toEqual(['r1:1.1:abort', 'r2:1.1:abort']);
    expect(h.store.released()).toBe(0);
    expect(c.status().blocked).toMatchObject({
      version: 1,
      attempt: 1,
      blockers: [{ replica: 'r2', reason: 'b has a local edit' }],
    });
    expect(h.store.get('1.1')?.votes.map((v) => [v.replica, v.outcome])).toEqual([
      ['r1', 'abort'],
      ['r2', 'abort'],
    ]);
    h.clock.advance(999);
    expect(c.status().preparing).toBeNull();
    h.clock.advance(1); // backoff 1 s
    expect(c.status().preparing?.tx).toBe('1.2');
    c.onVote('r1', vote('1.2', true));
    c.onVote('r2', vote('1.2', true));
    expect(decisions(h).slice(2)).toEqual(['r1:1.2:commit', 'r2:1.2:commit']);
    expect(h.store.released()).toBe(1);
    expect(c.status().blocked).toBeNull();
    expect(h.released).toEqual([{ seq: 1, via1pc: false }]);
  });

  it('under `available`, commits on the yes voters once the silent one times out', () => {
    const h = harness();
    h.policy = 'available';
    h.log.commit(header('2pc'), [file('b'), file('c')]);
    const c = h.coordinator();
    c.pump();
    c.onVote('r1', vote('1.1', true));
    h.clock.advance(4999);
    expect(decisions(h)).toEqual([]);
    h.clock.advance(1);
    expect(decisions(h)).toEqual(['r1:1.1:commit', 'r2:1.1:abort']);
    const tx = h.store.get('1.1')!;
    expect(tx.votes.find((v) => v.replica === 'r2')).toMatchObject({
      outcome: 'behind',
      reason: 'did not vote in time',
    });
    // The silent replica sits out the next attempt until it speaks again.
    h.log.commit(header('2pc'), [file('d'), file('e')]);
    c.pump();
    expect(c.status().preparing?.participants).toEqual(['r1']);
  });

  it('waits past the vote timeout for a replica that keeps saying it is staging, not longer', () => {
    const h = harness();
    h.policy = 'available';
    h.log.commit(header('2pc'), [file('b'), file('c')]);
    const c = h.coordinator();
    c.pump();
    c.onVote('r1', vote('1.1', true));
    h.clock.advance(4000);
    c.onStaging('r2', '1.1'); // deadline: 5 s from now
    c.onStaging('r2', '9.1'); // another attempt: ignored
    h.clock.advance(4000);
    expect(decisions(h)).toEqual([]); // past the first deadline, still waiting
    c.onStaging('r2', '1.1');
    h.clock.advance(3000);
    c.onVote('r2', vote('1.1', true));
    expect(decisions(h)).toEqual(['r1:1.1:commit', 'r2:1.1:commit']);

    // The next attempt: r2 says it is staging once, then nothing: one timeout later it is out.
    h.log.commit(header('2pc'), [file('d'), file('e')]);
    c.pump();
    c.onVote('r1', vote('2.1', true));
    h.clock.advance(3000);
    c.onStaging('r2', '2.1');
    h.clock.advance(4999);
    expect(decisions(h)).toEqual(['r1:1.1:commit', 'r2:1.1:commit']);
    h.clock.advance(1);
    expect(decisions(h).slice(2)).toEqual(['r1:2.1:commit', 'r2:2.1:abort']);
  });

  it('answers outcome requests from the durable record, per replica (unknown: abort)', () => {
    const h = harness();
    h.policy = 'available';
    h.log.commit(header('2pc'), [file('b'), file('c')]);
    const c = h.coordinator();
    c.pump();
    c.onVote('r1', vote('1.1', true));
    c.onVote('r2', vote('1.1', false, 'disk full'));
    h.sent.length = 0;
    c.onOutcomeRequest('r1', '1.1');
    c.onOutcomeRequest('r2', '1.1');
    c.onOutcomeRequest('r1', '9.9');
    expect(decisions(h)).toEqual(['r1:1.1:commit', 'r2:1.1:abort', 'r1:9.9:abort']);
  });

  it('after a restart, aborts an undecided attempt (presumed abort) and tries again', () => {
    const file_ = path.join(tempDir('coord'), 'log.db');
    const h = harness(file_);
    h.log.commit(header('2pc'), [file('b'), file('c')]);
    h.coordinator().pump();
    expect(h.store.get('1.1')?.state).toBe('preparing');
    const again = harness(file_); // a new process on the same database
    const c = again.coordinator();
    expect(again.store.get('1.1')).toMatchObject({ state: 'abort' });
    expect(again.store.get('1.1')?.reason).toMatch(/presumed abort/);
    c.pump();
    expect(c.status().preparing?.tx).toBe('1.2');
    c.onSubscribe('r1');
    expect(decisions(again)).toContain('r1:1.1:abort');
  });

  it('holds a range that deletes more than half of the files', () => {
    const h = harness();
    h.log.commit(
      header('1pc'),
      ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((p) => file(p)),
    );
    h.log.commit(header('2pc'), [del('a'), del('b'), del('c'), del('d'), del('e')]);
    const c = h.coordinator();
    c.pump();
    expect(h.released.map((r) => r.seq)).toEqual([1]);
    expect(c.status().held).toMatchObject({ version: 2 });
    expect(c.status().held?.reason).toMatch(/5 of 8 files/);
    expect(h.sent).toEqual([]);
  });

  it('counts no deletions in a first version (nothing exists at version 0)', () => {
    const log = harness().log;
    log.commit(
      header('1pc'),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => file(p)),
    );
    expect(countDeletions(log, 0, 1)).toEqual({ before: 0, deleted: 0 });
    expect(massDeletion(log, 0, 1, 0.5)).toBeUndefined();
  });

  it('never holds fewer than five deletions, nor anything when the guard is off', () => {
    const log = harness().log;
    log.commit(
      header('1pc'),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => file(p)),
    );
    log.commit(header('2pc'), [del('a'), del('b'), del('c'), del('d')]);
    expect(massDeletion(log, 1, 2, 0.5)).toBeUndefined(); // 4 of 6: too few to hold
    log.commit(header('2pc'), [del('e'), del('f')]);
    expect(massDeletion(log, 1, 3, 0.5)).toMatch(/6 of 6 files/);
    expect(massDeletion(log, 1, 3, 1)).toBeUndefined(); // off
  });

  it('does not count renamed files, nor files below a renamed directory, as deleted', () => {
    const h = harness();
    h.log.commit(header('1pc'), [
      { ...file('docs'), kind: 'dir', hash: null },
      ...['docs/a', 'docs/b', 'c', 'd'].map((p) => file(p)),
    ]);
    h.log.commit(header('2pc'), [
      del('docs/a'),
      del('docs/b'),
      del('docs'),
      { ...file('documents'), kind: 'dir', hash: null, op: 'move', movedFrom: toRelPath('docs') },
      file('documents/a'),
      file('documents/b'),
      del('c'),
      { ...file('e', 'move'), movedFrom: toRelPath('c') },
    ]);
    const c = h.coordinator();
    c.pump();
    expect(c.status().held).toBeNull();
    expect(c.status().preparing?.version).toBe(2);
  });
});
