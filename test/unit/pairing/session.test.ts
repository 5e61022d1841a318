import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../main/engine/clock.js';
import { parsePairCode } from '../../../main/pairing/code.js';
import { PairingInviter, type PairedDevice } from '../../../main/pairing/inviter.js';
import { joinPairing, PairingRefused } from '../../../main/pairing/joiner.js';
import { Spake2 } from '../../../main/pairing/spake2.js';
import { linkPair } from './links.js';

const INVITER = { id: 'I'.repeat(52), name: 'desk' };
const JOINER = { id: 'J'.repeat(52), name: 'laptop' };

function setup() {
  const clock = new ManualClock(1_000_000);
  const paired: PairedDevice[] = [];
  let closed = 0;
  const inviter = new PairingInviter({
    ownId: INVITER.id,
    clock,
    logger: pino({ level: 'silent' }),
    onPaired: (d) => paired.push(d),
    onClosed: () => closed++,
  });
  const invite = inviter.open(60_000);
  return { clock, inviter, invite, paired, closed: () => closed };
}

function tryJoin(inviter: PairingInviter, code: string, joiner = JOINER) {
  const [atInviter, atJoiner] = linkPair(INVITER, joiner);
  inviter.serve(atInviter, '10.0.0.7');
  return { atInviter, result: joinPairing(atJoiner, parsePairCode(code)!, joiner.id, 47210) };
}

function otherCode(code: string): string {
  return code.startsWith('0') ? '1111-1111' : '0000-0000';
}

describe('pairing exchange (inviter and joiner)', () => {
  it('pairs with the right code: both learn the other, the inviter pins the joiner', async () => {
    const s = setup();
    const { result } = tryJoin(s.inviter, s.invite.code);
    await expect(result).resolves.toEqual({ deviceId: INVITER.id, name: INVITER.name });
    expect(s.paired).toEqual([{ deviceId: JOINER.id, name: 'laptop', address: '10.0.0.7:47210' }]);
    expect(s.inviter.status()).toMatchObject({ state: 'paired', recentFailures: 0 });
    expect(s.closed()).toBe(1);
  });

  it('consumes the code: a second join with it is refused', async () => {
    const s = setup();
    await tryJoin(s.inviter, s.invite.code).result;
    const again = tryJoin(s.inviter, s.invite.code, { id: 'K'.repeat(52), name: 'x' });
    await expect(again.result).rejects.toBeInstanceOf(PairingRefused);
    expect(s.paired).toHaveLength(1);
  });

  it('refuses a wrong code on both sides and counts it', async () => {
    const s = setup();
    const { result } = tryJoin(s.inviter, otherCode(s.invite.code));
    await expect(result).rejects.toThrow(/wrong code/);
    expect(s.paired).toEqual([]);
    expect(s.inviter.status()).toMatchObject({ state: 'open', recentFailures: 1 });
  });

  it('refuses the fifth try within a minute without checking, even with the right code', async () => {
    const s = setup();
    for (let i = 0; i < 4; i++)
      await expect(tryJoin(s.inviter, otherCode(s.invite.code)).result).rejects.toThrow(
        /wrong code/,
      );
    const fifth = tryJoin(s.inviter, s.invite.code);
    await expect(fifth.result).rejects.toThrow(/too many wrong codes: refused without checking/);
    // It was refused before any proof was computed: no pair-reply was sent.
    expect(fifth.atInviter.sent.map((m) => m.t)).toEqual(['pair-result']);
    s.clock.advance(59_000); // the invite lives 60 s; the first failure leaves the window now
    s.clock.advance(500);
    expect(s.inviter.status().retryAfterMs).toBe(500);
  });

  it('counts a joiner that gives up after the inviter answered as a wrong try', async () => {
    const s = setup();
    const [atInviter, atJoiner] = linkPair(INVITER, JOINER);
    s.inviter.serve(atInviter, undefined);
    const spake = new Spake2('joiner', parsePairCode(s.invite.code)!, {
      inviter: INVITER.id,
      joiner: JOINER.id,
    });
    atJoiner.onMessage(() => atJoiner.close('guessing elsewhere'));
    atJoiner.send({ t: 'pair-start', x: spake.myMessage, listenPort: 1 });
    await new Promise((r) => setTimeout(r, 10));
    expect(s.inviter.status().recentFailures).toBe(1);
    expect(s.paired).toEqual([]);
  });

  it('lets an untrusted link speak pairing only: a folder request closes it unanswered', async () => {
    const s = setup();
    const [atInviter, atJoiner] = linkPair(INVITER, JOINER);
    s.inviter.serve(atInviter, undefined);
    const got: string[] = [];
    atJoiner.onMessage((m) => got.push(m.t));
    atJoiner.send({ t: 'subscribe', folder: 'docs', have: 0 });
    await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual(['error']);
    expect(atInviter.closed).toBe(true);
  });

  it('closes the invite when it expires; a join after that is refused', async () => {
    const s = setup();
    s.clock.advance(60_000);
    expect(s.inviter.status().state).toBe('expired');
    expect(s.inviter.isOpen()).toBe(false);
    const late = tryJoin(s.inviter, s.invite.code);
    await expect(late.result).rejects.toBeInstanceOf(PairingRefused);
    expect(s.paired).toEqual([]);
  });

  it('times out a joiner that never confirms', async () => {
    const s = setup();
    const [atInviter, atJoiner] = linkPair(INVITER, JOINER);
    s.inviter.serve(atInviter, undefined);
    const spake = new Spake2('joiner', parsePairCode(s.invite.code)!, {
      inviter: INVITER.id,
      joiner: JOINER.id,
    });
    atJoiner.send({ t: 'pair-start', x: spake.myMessage, listenPort: 1 });
    await new Promise((r) => setTimeout(r, 10));
    s.clock.advance(15_000);
    expect(atInviter.closed).toBe(true);
    expect(s.inviter.status()).toMatchObject({ state: 'open', recentFailures: 1 });
  });
});
