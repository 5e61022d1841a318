/**
 * The pairing proof: SPAKE2 over ristretto255 with key confirmation, bound to both devices'
 * IDs. Both sides know the short code; each sends one group element masked by the code, and
 * each proves it derived the same key with a MAC over a transcript that names the inviter's
 * and the joiner's certificate IDs as each side saw them in the TLS handshake.
 *
 * Why this shape (docs/security.md has the full argument):
 * - An eavesdropper (or a party that records a whole exchange) learns X and Y only; testing
 *   a guessed code needs the Diffie-Hellman value, so an offline guess is useless.
 * - An active attacker who speaks to one side gets one guess per exchange: the inviter
 *   counts every exchange that does not end in a valid joiner proof as a wrong try.
 * - A man in the middle holds its own certificate on each side, so the two transcripts name
 *   different IDs; relaying the messages makes both proofs fail.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import type { PairCode } from './code.js';

type Point = InstanceType<typeof ristretto255.Point>;

const Point = ristretto255.Point;
const ORDER = Point.Fn.ORDER;
const CONTEXT = 'lanfold-pair-v1';
const enc = new TextEncoder();

/** The two fixed elements with unknown discrete logarithm (RFC 9382's role for M and N). */
const M = ristretto255_hasher.hashToCurve(enc.encode(`${CONTEXT} M`));
const N = ristretto255_hasher.hashToCurve(enc.encode(`${CONTEXT} N`));

export type PairRole = 'inviter' | 'joiner';

/** Thrown for a peer's element that is not a valid, non-identity ristretto255 encoding. */
export class PairProofError extends Error {}

function bytesToScalar(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n % ORDER;
}

/** The code as a scalar: SHA-512 of context and code, reduced mod the group order. */
export function codeScalar(code: PairCode): bigint {
  const w = bytesToScalar(createHash('sha512').update(`${CONTEXT}|${code}`).digest());
  return w === 0n ? 1n : w;
}

function randomScalar(): bigint {
  for (;;) {
    const s = bytesToScalar(randomBytes(64));
    if (s !== 0n) return s;
  }
}

function decodePoint(bytes: Uint8Array): Point {
  let p: Point;
  try {
    p = Point.fromBytes(bytes);
  } catch {
    throw new PairProofError('the peer sent an invalid pairing element');
  }
  if (p.is0()) throw new PairProofError('the peer sent the identity element');
  return p;
}

function lengthPrefixed(parts: readonly Uint8Array[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(p.length));
    out.push(len, Buffer.from(p));
  }
  return Buffer.concat(out);
}

/** Both confirmation MACs of a finished exchange. */
export interface PairConfirmations {
  readonly inviter: Buffer;
  readonly joiner: Buffer;
}

/**
 * One side of one exchange. `myMessage` goes to the peer; `finish(peerMessage)` returns the
 * confirmation MACs both sides expect (each sends its own and checks the other's).
 */
export class Spake2 {
  private readonly secret = randomScalar();
  private readonly w: bigint;
  readonly myMessage: Uint8Array;

  constructor(
    private readonly role: PairRole,
    code: PairCode,
    /** The inviter's and the joiner's device IDs, as this side saw them. */
    private readonly ids: { readonly inviter: string; readonly joiner: string },
  ) {
    this.w = codeScalar(code);
    const mask = role === 'joiner' ? M : N;
    this.myMessage = Point.BASE.multiply(this.secret).add(mask.multiply(this.w)).toBytes();
  }

  finish(peerMessage: Uint8Array): PairConfirmations {
    const peer = decodePoint(peerMessage);
    const peerMask = this.role === 'joiner' ? N : M;
    const k = peer.subtract(peerMask.multiply(this.w)).multiply(this.secret);
    if (k.is0()) throw new PairProofError('the exchange produced the identity element');
    const x = this.role === 'joiner' ? this.myMessage : peerMessage;
    const y = this.role === 'joiner' ? peerMessage : this.myMessage;
    const wBytes = Buffer.from(this.w.toString(16).padStart(64, '0'), 'hex');
    const transcript = lengthPrefixed([
      enc.encode(CONTEXT),
      enc.encode(this.ids.inviter),
      enc.encode(this.ids.joiner),
      x,
      y,
      k.toBytes(),
      wBytes,
    ]);
    const key = createHash('sha256').update(transcript).digest();
    return {
      inviter: createHmac('sha256', key).update('inviter confirms').digest(),
      joiner: createHmac('sha256', key).update('joiner confirms').digest(),
    };
  }
}

/** Constant-time comparison of a received MAC with the expected one. */
export function macEquals(received: Uint8Array, expected: Buffer): boolean {
  return received.length === expected.length && timingSafeEqual(received, expected);
}
