import { describe, expect, it } from 'vitest';
import { inviteQr, inviteUri, renderQrForTerminal } from '../../../main/pairing/qr.js';

describe('invite QR code', () => {
  it('carries the code, the inviter ID and the address in a lanfold:pair URI', () => {
    const uri = inviteUri('ABCD-EFGH', 'A'.repeat(52), '10.0.0.2:47210');
    const q = new URL(uri).searchParams;
    expect(uri.startsWith('lanfold:pair?')).toBe(true);
    expect([q.get('code'), q.get('id'), q.get('addr')]).toEqual([
      'ABCD-EFGH',
      'A'.repeat(52),
      '10.0.0.2:47210',
    ]);
  });

  it('gives square modules with the three finder patterns, and a terminal drawing', () => {
    const qr = inviteQr(inviteUri('ABCD-EFGH', 'A'.repeat(52)));
    expect(qr.modules).toHaveLength(qr.size);
    for (const row of qr.modules) expect(row).toMatch(new RegExp(`^[01]{${qr.size}}$`));
    // Finder patterns: a dark 7-module border at three corners.
    expect(qr.modules[0]!.slice(0, 7)).toBe('1111111');
    expect(qr.modules[0]!.slice(-7)).toBe('1111111');
    expect(qr.modules[qr.size - 1]!.slice(0, 7)).toBe('1111111');
    const text = renderQrForTerminal(qr);
    const lines = text.split('\n');
    expect(lines).toHaveLength(Math.ceil((qr.size + 4) / 2));
    for (const l of lines) expect(Array.from(l)).toHaveLength(qr.size + 4);
  });
});
