/**
 * The control API's LAN routes against real daemons on 127.0.0.1 (discovery off): invites
 * and their status, joins and how their failures map to HTTP errors, devices and offers.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanfoldApiError, LanfoldClient } from '../../main/api/client.js';
import { lanfoldOk, startLanfold, stopAllDaemons } from '../helpers/cli.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';

let inviter: LanfoldClient;
let joiner: LanfoldClient;
let inviterAddress: string;

async function clientOf(state: string): Promise<LanfoldClient> {
  const { url } = JSON.parse(await lanfoldOk(['--state', state, 'gui-url', '--json'])) as {
    url: string;
  };
  const u = new URL(url);
  return new LanfoldClient({ baseUrl: u.origin, token: u.hash.replace('#token=', '') });
}

async function apiError(call: Promise<unknown>): Promise<LanfoldApiError> {
  try {
    await call;
  } catch (err) {
    if (err instanceof LanfoldApiError) return err;
    throw err;
  }
  throw new Error('the call succeeded');
}

beforeAll(async () => {
  const root = makeTempDir('lanfold-api-pair-');
  const states = ['a', 'b'].map((n) => path.join(root, n));
  for (const s of states) await lanfoldOk(['--state', s, 'init', '--name', path.basename(s)]);
  const daemons = states.map((s) =>
    startLanfold(['start', '--listen', '127.0.0.1:0', '--gui', '127.0.0.1:0'], { state: s }),
  );
  await Promise.all(daemons.map((d) => d.ready()));
  inviterAddress = `127.0.0.1:${/port (\d+)/.exec(daemons[0]!.stdout)![1]}`;
  inviter = await clientOf(states[0]!);
  joiner = await clientOf(states[1]!);
}, 90_000);

afterAll(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

describe('control API: pairing, devices, offers', () => {
  it('lists no devices with discovery off', async () => {
    expect(await inviter.devices()).toEqual({ discovery: false, devices: [] });
  });

  it('opens an invite with its code, expiry and QR data, and reports it open', async () => {
    const before = Date.now();
    const invite = await inviter.createInvite({ ttlSeconds: 60 });
    expect(invite.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(invite.expiresAt - invite.createdAt).toBe(60_000);
    expect(invite.createdAt).toBeGreaterThanOrEqual(before - 1000);
    expect(invite.qr.modules).toHaveLength(invite.qr.size);
    expect(invite.qr.text).toContain(invite.deviceId);
    expect(await inviter.inviteStatus()).toMatchObject({
      state: 'open',
      invite: { code: invite.code },
      recentFailures: 0,
      paired: null,
    });
  });

  it('maps join failures to clear HTTP errors', async () => {
    expect(await apiError(joiner.joinPairing({ code: 'nope' }))).toMatchObject({
      status: 400,
    });
    expect(
      await apiError(joiner.joinPairing({ code: '0000-0000', address: inviterAddress })),
    ).toMatchObject({ status: 422, code: 'PAIRING_REFUSED', message: /wrong code/ });
    expect((await inviter.inviteStatus()).recentFailures).toBe(1);
    expect(await apiError(joiner.joinPairing({ code: '0000-0000' }))).toMatchObject({
      status: 502,
      code: 'PEER_UNREACHABLE',
      message: /Discovery is off/,
    });
    expect(
      await apiError(joiner.joinPairing({ code: '0000-0000', address: '127.0.0.1:1' })),
    ).toMatchObject({ status: 502, code: 'PEER_UNREACHABLE' });
    expect(
      await apiError(joiner.joinPairing({ code: '0000-0000', address: 'not an address' })),
    ).toMatchObject({ status: 400 });
  });

  it('cancels the invite once', async () => {
    expect(await inviter.cancelInvite()).toEqual({ cancelled: true });
    expect(await inviter.cancelInvite()).toEqual({ cancelled: false });
    expect((await inviter.inviteStatus()).state).toBe('cancelled');
  });

  it('pairs through the API and lists the paired device', async () => {
    const invite = await inviter.createInvite({});
    const paired = await joiner.joinPairing({ code: invite.code, address: inviterAddress });
    expect(paired).toMatchObject({ deviceId: invite.deviceId, name: 'a', address: inviterAddress });
    const status = await inviter.inviteStatus();
    expect(status.state).toBe('paired');
    expect(status.paired?.name).toBe('b');
    const devices = await joiner.devices();
    expect(devices.devices).toEqual([
      expect.objectContaining({ deviceId: invite.deviceId, paired: true, heardAt: null }),
    ]);
  });

  it('has no offers at first, and refuses to accept an unknown one', async () => {
    expect(await joiner.offers()).toEqual({ offers: [] });
    expect(await apiError(joiner.acceptOffer('docs', '/tmp/lanfold-nowhere'))).toMatchObject({
      status: 404,
      code: 'FOLDER_UNKNOWN',
    });
    expect(await apiError(joiner.acceptOffer('docs', 'relative/path'))).toMatchObject({
      status: 400,
    });
  });
});
