import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { InvitePanel, PairingCard } from '../src/screens/devices/pairing/PairingCard';
import {
  codeProblem,
  groupCode,
  NO_PAIRING,
  normaliseCode,
  timeLeft,
  type PairingApi,
} from '../src/screens/devices/pairing/pairing-api';
import { qrPath } from '../src/screens/devices/pairing/qr';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

describe('pairing codes', () => {
  it('reads a code as typed, in any case, with dashes or spaces', () => {
    expect(normaliseCode(' abcd-efgh 1234 ')).toBe('ABCDEFGH1234');
    expect(groupCode('abcdefgh12')).toBe('ABCD-EFGH-12');
  });

  it.each([
    ['', /Type the code/],
    ['abc', /too short/],
    ['abcd_efgh', /only letters and digits/],
    ['ABCD-EFGH', undefined],
  ])('checks %j', (raw, problem) => {
    const found = codeProblem(raw);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('counts down the time left', () => {
    expect(timeLeft(10_000 + 9 * 60_000 + 1000, 10_000)).toBe('9:01 left');
    expect(timeLeft(10_000, 10_000)).toBe('expired');
  });
});

describe('qrPath', () => {
  it('draws the finder patterns inside a four-module quiet zone', () => {
    const { size, d } = qrPath('lanfold://pair?code=ABCDEFGH');
    expect(size).toBeGreaterThanOrEqual(21 + 8);
    expect((size - 8 - 17) % 4).toBe(0); // 17 + 4 x version modules
    expect(d).toContain('M4 4h1v1h-1z'); // the top-left finder's corner is dark
    expect(d).not.toContain('M5 5h1v1h-1z'); // ...its inner ring is light
    expect(d).not.toContain('M0 0h1'); // the quiet zone is empty
  });

  it('grows with what it holds', () => {
    expect(qrPath('x'.repeat(200)).size).toBeGreaterThan(qrPath('x').size);
  });
});

describe('pairing components', () => {
  it('hides pairing while the daemon does not offer it', () => {
    expect(renderToString(<PairingCard api={NO_PAIRING} />)).toBe('');
  });

  it('shows an invitation as a grouped code, a labelled QR code and its time left', () => {
    const api: PairingApi = { ...NO_PAIRING, available: true };
    const html = renderToString(
      <InvitePanel
        api={api}
        initial={{ code: 'abcdefgh', link: 'lanfold://pair?code=ABCDEFGH', expiresAt: 8.64e15 }}
      />,
    );
    expect(html).toMatch(
      /<svg[^>]*role="img"[^>]*aria-label="QR code of the invitation ABCD-EFGH"/,
    );
    expect(text(html)).toMatch(/Code ABCD-EFGH \d+:\d\d left Cancel invitation/);
  });
});
