import { describe, expect, it } from 'vitest';
import { parsePairCode, type PairCode } from '../../../main/pairing/code.js';
import { macEquals, PairProofError, Spake2 } from '../../../main/pairing/spake2.js';

const CODE = parsePairCode('7K3M-Q9RT')!;
const OTHER = parsePairCode('7K3M-Q9RV')!;
const IDS = { inviter: 'I'.repeat(52), joiner: 'J'.repeat(52) };

function run(codeJ: PairCode, codeI: PairCode, idsJ = IDS, idsI = IDS) {
  const joiner = new Spake2('joiner', codeJ, idsJ);
  const inviter = new Spake2('inviter', codeI, idsI);
  return {
    joiner,
    inviter,
    atJoiner: joiner.finish(inviter.myMessage),
    atInviter: inviter.finish(joiner.myMessage),
  };
}

describe('Spake2 pairing proof', () => {
  it('agrees on both confirmations when both know the code and see the same IDs', () => {
    const r = run(CODE, CODE);
    expect(macEquals(r.atJoiner.inviter, r.atInviter.inviter)).toBe(true);
    expect(macEquals(r.atJoiner.joiner, r.atInviter.joiner)).toBe(true);
    expect(r.atJoiner.inviter.equals(r.atJoiner.joiner)).toBe(false);
  });

  it('disagrees when the codes differ by one symbol', () => {
    const r = run(CODE, OTHER);
    expect(macEquals(r.atJoiner.inviter, r.atInviter.inviter)).toBe(false);
    expect(macEquals(r.atJoiner.joiner, r.atInviter.joiner)).toBe(false);
  });

  it('disagrees when a device in the middle relays between two TLS connections', () => {
    // The joiner sees the relay's certificate as the inviter, the inviter sees the relay's
    // other certificate as the joiner: same code, same elements relayed, different transcripts.
    const r = run(
      CODE,
      CODE,
      { inviter: 'M'.repeat(52), joiner: IDS.joiner },
      { inviter: IDS.inviter, joiner: 'N'.repeat(52) },
    );
    expect(macEquals(r.atJoiner.inviter, r.atInviter.inviter)).toBe(false);
    expect(macEquals(r.atJoiner.joiner, r.atInviter.joiner)).toBe(false);
  });

  it('gives an eavesdropper nothing to test a code against', () => {
    // A recorded exchange: the elements and the inviter's confirmation. Even with the right
    // code, a third party cannot recompute the confirmation (it lacks both secret scalars),
    // so no guess can be checked offline.
    const r = run(CODE, CODE);
    const guesser = new Spake2('joiner', CODE, IDS);
    expect(macEquals(guesser.finish(r.inviter.myMessage).inviter, r.atInviter.inviter)).toBe(false);
  });

  it('sends a fresh element every time, even for the same code', () => {
    const a = new Spake2('joiner', CODE, IDS).myMessage;
    const b = new Spake2('joiner', CODE, IDS).myMessage;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(a.length).toBe(32);
  });

  it('refuses invalid or identity elements from the peer', () => {
    const s = new Spake2('inviter', CODE, IDS);
    expect(() => s.finish(new Uint8Array(32))).toThrow(PairProofError); // the identity
    expect(() => s.finish(new Uint8Array(32).fill(0xff))).toThrow(PairProofError); // not canonical
  });
});
