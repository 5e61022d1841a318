/**
 * The control API's LAN endpoints: devices (paired and heard), pairing invites and joins,
 * and folder offers. Each maps the daemon's LanControl errors to API errors.
 */
import type { Invite, InviteStatus, LanDevice, Offer, PairedDevice } from '../../api/contract.js';
import type { ControlBackend } from './backend.js';
import type { ApiEventHub } from './event-hub.js';
import { ApiHttpError } from './http.js';
import { folderConfigJson } from './mutations.js';
import { PairingError, type LanControl } from '../lan-control.js';
import { inviteQr, inviteUri } from '../../pairing/qr.js';
import type { FolderConfig as ApiFolderConfig } from '../../api/contract.js';

function lanOf(backend: ControlBackend): LanControl {
  if (!backend.lan)
    throw new ApiHttpError('DAEMON_UNREACHABLE', 'This daemon has no network side running');
  return backend.lan;
}

export function devices(backend: ControlBackend): { discovery: boolean; devices: LanDevice[] } {
  const lan = lanOf(backend);
  return { discovery: lan.discoveryOn, devices: lan.devices() };
}

export function createInvite(backend: ControlBackend, ttlSeconds: number | undefined): Invite {
  return lanOf(backend).openInvite(ttlSeconds === undefined ? undefined : ttlSeconds * 1000);
}

/** The invite's state; an invite comes with its QR code again, so a reloaded page can show it. */
export function inviteStatus(backend: ControlBackend): InviteStatus {
  const s = lanOf(backend).inviteStatus();
  const { deviceId, name } = backend.state.device;
  return {
    ...s,
    invite: s.invite
      ? { ...s.invite, deviceId, name, qr: inviteQr(inviteUri(s.invite.code, deviceId)) }
      : null,
    paired: s.paired ? { ...s.paired, address: s.paired.address ?? null } : null,
  };
}

export function cancelInvite(backend: ControlBackend): { cancelled: boolean } {
  const lan = lanOf(backend);
  const open = lan.inviteStatus().state === 'open';
  lan.cancelInvite();
  return { cancelled: open };
}

export async function joinPairing(
  backend: ControlBackend,
  hub: ApiEventHub,
  body: { code: string; address?: string | undefined; devicePrefix?: string | undefined },
): Promise<PairedDevice> {
  try {
    const d = await lanOf(backend).join(body.code, body.address, body.devicePrefix);
    hub.publish({ type: 'config', what: 'peers' });
    return { deviceId: d.deviceId, name: d.name, address: d.address ?? null };
  } catch (err) {
    if (err instanceof PairingError) {
      if (err.kind === 'bad-code') throw new ApiHttpError('BAD_REQUEST', err.message);
      if (err.kind === 'refused')
        throw new ApiHttpError('PAIRING_REFUSED', `Pairing refused: ${err.message}`);
      throw new ApiHttpError(
        'PEER_UNREACHABLE',
        `Could not reach a device to pair with: ${err.message}`,
        'check the address, and that the other device has an invite open',
      );
    }
    throw err;
  }
}

export function offers(backend: ControlBackend): { offers: Offer[] } {
  return { offers: lanOf(backend).offers() };
}

export async function acceptOffer(
  backend: ControlBackend,
  hub: ApiEventHub,
  folderId: string,
  path: string,
): Promise<ApiFolderConfig> {
  const folder = await lanOf(backend).accept(folderId, path);
  hub.publish({ type: 'config', what: 'folders' });
  return folderConfigJson(folder);
}
