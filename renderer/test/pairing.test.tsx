import { addressProblem } from '../src/lib/address';
import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { LanfoldApiError } from '../../main/api/client';
import type { Invite, InviteStatus } from '../../main/api/contract';
import { describeError } from '../src/lib/errors';
import { DeviceTable, deviceAddress, deviceState } from '../src/screens/devices/DeviceTable';
import { PairedWith } from '../src/screens/devices/pairing/PairedWith';
import { InvitePanel, JoinPanel } from '../src/screens/devices/pairing/PairingCard';
import {
  codeProblem,
  groupCode,
  normaliseCode,
  pairingApi,
  pairingProblem,
  timeLeft,
  type PairingApi,
  type PairingClient,
} from '../src/screens/devices/pairing/pairing-api';
import { modulesPath, qrPath } from '../src/screens/devices/pairing/qr';
import { offerPathProblem } from '../src/screens/overview/FolderOffers';

const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

const ALPHA = 'AAAAAAAABBBBBBBBCCCCCCCCDDDDDDDDEEEEEEEEFFFFFFFFGGGG';
const BETA = 'BBBBBBBBCCCCCCCCDDDDDDDDEEEEEEEEFFFFFFFFGGGGGGGGHHHH';

const INVITE: Invite = {
  code: 'ABCD-EFGH',
  createdAt: 1_000,
  expiresAt: 601_000,
  deviceId: ALPHA,
  name: 'alpha',
  qr: { text: 'lanfold:pair?code=ABCD-EFGH&id=' + ALPHA, size: 2, modules: ['10', '01'] },
};

/** A client whose pairing calls record what they were sent and answer as told. */
function fakeClient(join: () => Promise<unknown> = () => Promise.resolve({})) {
  const sent: unknown[] = [];
  const status: InviteStatus = {
    state: 'paired',
    invite: {
      code: 'ABCD-EFGH',
      createdAt: 1,
      expiresAt: 2,
      deviceId: ALPHA,
      name: 'alpha',
      qr: INVITE.qr,
    },
    recentFailures: 2,
    retryAfterMs: 0,
    paired: { deviceId: BETA, name: 'beta', address: '127.0.0.1:5' },
  };
  const client = {
    createInvite: (body?: unknown) => {
      sent.push(['createInvite', body]);
      return Promise.resolve(INVITE);
    },
    inviteStatus: () => Promise.resolve(status),
    cancelInvite: () => {
      sent.push(['cancelInvite']);
      return Promise.resolve({ cancelled: true });
    },
    joinPairing: (body: unknown) => {
      sent.push(['joinPairing', body]);
      return join();
    },
  } as unknown as PairingClient;
  return { client, sent };
}

const refused = (message: string) => new LanfoldApiError(422, 'PAIRING_REFUSED', message);

describe('pairingApi, the adapter from the API client', () => {
  it('opens an invite for ten minutes and hands over its code, expiry, device and QR grid', async () => {
    const { client, sent } = fakeClient();
    const invite = await pairingApi(client).invite();
    expect(sent).toEqual([['createInvite', { ttlSeconds: 600 }]]);
    expect(invite).toEqual({
      code: 'ABCD-EFGH',
      expiresAt: 601_000,
      deviceId: ALPHA,
      name: 'alpha',
      qr: { text: INVITE.qr.text, modules: ['10', '01'] },
    });
  });

  it('reports how an invite ended, with the device that joined', async () => {
    const { client } = fakeClient();
    expect(await pairingApi(client).progress()).toEqual({
      state: 'paired',
      code: 'ABCD-EFGH',
      recentFailures: 2,
      paired: { deviceId: BETA, name: 'beta', address: '127.0.0.1:5' },
    });
  });

  it('hands over the invitation the daemon has open, and nothing when none is open', async () => {
    const { client } = fakeClient();
    const opened = {
      ...client,
      inviteStatus: async () => ({ ...(await client.inviteStatus()), state: 'open' as const }),
    };
    expect(await pairingApi(opened).current()).toEqual({
      code: 'ABCD-EFGH',
      expiresAt: 2,
      deviceId: ALPHA,
      name: 'alpha',
      qr: { text: INVITE.qr.text, modules: ['10', '01'] },
    });
    expect(await pairingApi(client).current()).toBeUndefined(); // paired: no longer open
  });

  it('joins with the code as the daemon takes it, and the address only when one was typed', async () => {
    const { client, sent } = fakeClient(() =>
      Promise.resolve({ deviceId: ALPHA, name: 'alpha', address: null }),
    );
    const api = pairingApi(client);
    await api.join({ code: ' abcd efgh ', address: '127.0.0.1:4000' });
    await api.join({ code: 'abcd-efgh', address: '', devicePrefix: 'AAAA' });
    expect(sent).toEqual([
      ['joinPairing', { code: 'ABCDEFGH', address: '127.0.0.1:4000' }],
      ['joinPairing', { code: 'ABCDEFGH', devicePrefix: 'AAAA' }],
    ]);
  });

  it.each([
    [refused('Pairing refused: wrong code'), true, /That code is not right/, /type it again/],
    [
      refused('Pairing refused: too many wrong codes: refused without checking; try again in 42 s'),
      true,
      /Too many wrong codes/,
      /Wait 42 seconds/,
    ],
    [
      refused('Pairing refused: connection closed: no pairing invite is open'),
      true,
      /no invitation open/,
      /expired or been used/,
    ],
    [
      new LanfoldApiError(502, 'PEER_UNREACHABLE', 'Could not reach a device to pair with: x'),
      true,
      /Could not reach the other device/,
      /Check the address/,
    ],
    [
      new LanfoldApiError(502, 'PEER_UNREACHABLE', 'Discovery is off'),
      false,
      /Could not reach the other device/,
      /Type the other device’s address/,
    ],
    [
      new LanfoldApiError(400, 'BAD_REQUEST', '"X" is not a pairing code'),
      true,
      /not a pairing code/,
      /8 letters and digits/,
    ],
  ])('words a refused join for a person (%#)', async (err, hadAddress, title, detail) => {
    const { client } = fakeClient(() => Promise.reject(err));
    const thrown = await pairingApi(client)
      .join({ code: 'ABCD-EFGH', ...(hadAddress ? { address: '127.0.0.1:1' } : {}) })
      .catch((e: unknown) => e);
    const words = describeError(thrown);
    expect(words.title).toMatch(title);
    expect(words.detail).toMatch(detail);
    expect(words.detail).toMatch(/\.$/);
  });

  it('leaves other failures (the daemon not answering) to the general wording', () => {
    const offline = new LanfoldApiError(0, 'DAEMON_UNREACHABLE', 'fetch failed');
    expect(pairingProblem(offline, true)).toBe(offline);
    expect(describeError(pairingProblem(offline, true)).offline).toBe(true);
  });
});

describe('pairing codes and addresses', () => {
  it('reads a code as typed, in any case, with dashes or spaces', () => {
    expect(normaliseCode(' abcd-efgh ')).toBe('ABCDEFGH');
    expect(groupCode('abcdefgh')).toBe('ABCD-EFGH');
  });

  it.each([
    ['', /Type the code/],
    ['abc', /8 letters and digits/],
    ['abcd-efgh-1', /8 letters and digits/],
    ['abcd_efgh', /only letters and digits/],
    ['abcd-efgh', undefined],
  ])('checks the code %j', (raw, problem) => {
    const found = codeProblem(raw);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toMatch(problem);
  });

  it('takes an empty address (optional) or host:port, and nothing else', () => {
    expect(addressProblem('')).toBeUndefined();
    expect(addressProblem(' 127.0.0.1:47210 ')).toBeUndefined();
    expect(addressProblem('[::1]:47210')).toBeUndefined();
    expect(addressProblem('192.168.1.20')).toMatch(/host:port/);
  });

  it('counts down the time left', () => {
    expect(timeLeft(10_000 + 9 * 60_000 + 1000, 10_000)).toBe('9:01 left');
    expect(timeLeft(10_000, 10_000)).toBe('expired');
  });
});

describe('QR codes', () => {
  it("draws the daemon's module grid inside a four-module quiet zone", () => {
    expect(modulesPath(['10', '01'])).toEqual({ size: 10, d: 'M4 4h1v1h-1zM5 5h1v1h-1z' });
  });

  it('draws one from text with the finder pattern where scanners look for it', () => {
    const { size, d } = qrPath('lanfold:pair?code=ABCDEFGH');
    expect((size - 8 - 17) % 4).toBe(0); // 17 + 4 x version modules
    expect(d).toContain('M4 4h1v1h-1z'); // the top-left finder's corner is dark
    expect(d).not.toContain('M5 5h1v1h-1z'); // ...its inner ring is light
    expect(d).not.toContain('M0 0h1'); // the quiet zone is empty
  });
});

describe('pairing components', () => {
  const api: PairingApi = {
    invite: () => Promise.reject(new Error('not in this test')),
    progress: () => new Promise(() => undefined),
    current: () => Promise.resolve(undefined),
    cancel: () => Promise.resolve(),
    join: () => Promise.reject(new Error('not in this test')),
  };

  it('shows an invitation as a grouped code, a labelled QR code, its time left and this device', () => {
    const html = renderToString(
      <InvitePanel api={api} initial={{ ...INVITE, qr: INVITE.qr, expiresAt: 8.64e15 }} />,
    );
    expect(html).toMatch(
      /<svg[^>]*role="img"[^>]*aria-label="QR code of the invitation ABCD-EFGH"/,
    );
    expect(html).toContain('d="M4 4h1v1h-1zM5 5h1v1h-1z"');
    expect(text(html)).toMatch(
      /Invitation code ABCD-EFGH Waiting for the other device · \d+:\d\d left This device: alpha AAAA-AAAA-BBBB/,
    );
    expect(text(html)).toContain('Cancel invitation');
  });

  it('offers to make a code when there is no invitation', () => {
    expect(text(renderToString(<InvitePanel api={api} />))).toMatch(
      /Invite a device .* Make an invitation code/,
    );
  });

  it('asks for the code and, optionally, the address, both labelled', () => {
    const html = renderToString(
      <JoinPanel api={api} target={{ deviceId: BETA, name: 'beta', address: '10.0.0.2:47210' }} />,
    );
    expect(text(html)).toMatch(/Pairing with beta/);
    expect(html).toMatch(/<label[^>]*for="([^"]+)"[^>]*>Code from the other device/);
    expect(html).toMatch(/Other device’s address/);
    expect(html).toContain('value="10.0.0.2:47210"');
  });

  it('shows both devices, names and full IDs, after a pairing, as the CLI does', () => {
    const t = text(
      renderToString(
        <PairedWith
          device={{ deviceId: BETA, name: 'beta', address: null }}
          me={{ id: ALPHA, name: 'alpha' }}
        />,
      ),
    );
    expect(t).toContain('Paired with beta');
    expect(t).toContain(`Paired with beta ${groupCode(BETA)}`);
    expect(t).toContain(`This device alpha ${groupCode(ALPHA)}`);
  });
});

describe('devices and offers in words', () => {
  const base = {
    deviceId: BETA,
    name: 'beta',
    heardAt: null,
    lastSeen: null,
    addresses: [],
  };

  it('says where a device is and whether it is online', () => {
    const now = 1_000_000;
    expect(deviceState({ ...base, paired: true, connected: true }, now).text).toBe('Online');
    expect(
      deviceState({ ...base, paired: true, connected: false, lastSeen: now - 300_000 }, now).text,
    ).toBe('Offline · seen 5 min ago');
    expect(deviceState({ ...base, paired: false, connected: false, lastSeen: now }, now).text).toBe(
      'Heard just now',
    );
    expect(
      deviceAddress({ ...base, paired: true, connected: false, addresses: ['a:1', 'b:2'] }),
    ).toBe('a:1, b:2');
    expect(
      deviceAddress({ ...base, paired: false, connected: false, heardAt: '10.0.0.2:47210' }),
    ).toBe('10.0.0.2:47210');
  });

  it('offers to pair with a device heard on the network, and to remove a paired one', () => {
    const heard = renderToString(
      <DeviceTable
        title="On this network"
        devices={[{ ...base, paired: false, connected: false, heardAt: '10.0.0.2:47210' }]}
        onPair={() => undefined}
      />,
    );
    expect(heard).toContain('aria-label="Pair with beta"');
    expect(heard).not.toContain('Remove');
    expect(text(heard)).toMatch(/On this network 1 .* beta BBBBBBB 10\.0\.0\.2:47210 Nearby Pair/);
    const paired = renderToString(
      <DeviceTable
        title="Paired devices"
        devices={[{ ...base, paired: true, connected: true }]}
        onRemove={() => undefined}
      />,
    );
    expect(paired).toContain('aria-label="Remove beta"');
    expect(text(paired)).toMatch(/beta BBBBBBB Found when it connects Online Remove/);
  });

  it('asks for a full path to accept an offered folder into', () => {
    expect(offerPathProblem('')).toMatch(/Choose where/);
    expect(offerPathProblem('Shared')).toMatch(/full path/);
    expect(offerPathProblem('/home/ana/Shared')).toBeUndefined();
  });
});
