import { describe, expect, it } from 'vitest';
import { formatPairCode, newPairCode, parsePairCode } from '../../../main/pairing/code.js';

describe('pairing codes', () => {
  it('makes 8-symbol codes without look-alike letters, shown as XXXX-XXXX', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const code = newPairCode();
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
      expect(formatPairCode(code)).toMatch(/^.{4}-.{4}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(200);
  });

  it('reads codes as people type them', () => {
    expect(parsePairCode('abcd-efgh')).toBe('ABCDEFGH');
    expect(parsePairCode(' AB CD EF GH ')).toBe('ABCDEFGH');
    // O, I and L are read as the digits they look like.
    expect(parsePairCode('O1IL-0000')).toBe('01110000');
  });

  it('refuses what cannot be a code', () => {
    for (const bad of ['', 'ABCDEFG', 'ABCDEFGHJ', 'ABCD-EFGU', 'ABCD_EFGH', 'ÄBCD-EFGH'])
      expect(parsePairCode(bad), bad).toBeUndefined();
  });
});
