/**
 * Pairing codes: eight symbols of a 32-letter alphabet without look-alikes (40 bits), shown
 * as `ABCD-EFGH` and accepted in any case with or without the dash. The code only has to
 * resist online guessing: the pairing exchange (spake2.ts) gives an attacker one guess per
 * connection, and the inviter allows four wrong tries a minute (rate-limiter.ts).
 */
import { randomInt } from 'node:crypto';

/** Crockford's base32: no I, L, O or U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_SYMBOLS = 8;

export type PairCode = string & { readonly __brand: 'PairCode' };

export function newPairCode(): PairCode {
  let out = '';
  for (let i = 0; i < CODE_SYMBOLS; i++) out += ALPHABET.charAt(randomInt(ALPHABET.length));
  return out as PairCode;
}

/** `ABCDEFGH` -> `ABCD-EFGH`. */
export function formatPairCode(code: PairCode): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * A code as typed by a person: upper or lower case, dashes and spaces ignored, and the letters people
 * confuse with digits (O, I, L) read as the digits. Undefined when it cannot be a code.
 */
export function parsePairCode(raw: string): PairCode | undefined {
  const compact = raw.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  if (compact.length !== CODE_SYMBOLS) return undefined;
  for (const c of compact) if (!ALPHABET.includes(c)) return undefined;
  return compact as PairCode;
}
