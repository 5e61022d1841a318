/**
 * The daemon's LAN side as the CLI and control API see it: discovery (start, stop, the list
 * of devices heard and paired), pairing (open an invite, its status, join another device's),
 * and folder offers (list, accept). Discovered addresses of paired devices are remembered in
 * peers.json, newest first, so the dialer tries them first.
 */
import { LanfoldError } from '../engine/errors.js';
import type { Logger } from '../engine/logger.js';
import { Discovery, discoveryEnabled, type HeardDevice } from '../discovery/discovery.js';
import { parsePairCode } from '../pairing/code.js';
import type { InviteStatus, PairedDevice } from '../pairing/inviter.js';
import { PairingRefused } from '../pairing/joiner.js';
import { inviteQr, inviteUri, type InviteQr } from '../pairing/qr.js';
import type { FolderConfig } from './config.js';
import type { DeviceState } from './device.js';
import type { Offer, OfferStore } from './offers.js';
import type { ReplicationHost } from './replication-host.js';

export interface DeviceListing {
  readonly deviceId: string;
  readonly name: string;
  readonly paired: boolean;
  readonly connected: boolean;
  /** Where discovery last heard it (HOST:PORT), or null. */
  readonly heardAt: string | null;
  readonly lastSeen: number | null;
  /** Known addresses of a paired device, most recent first. */
  readonly addresses: string[];
}

export interface CreatedInvite {
  readonly code: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly deviceId: string;
  readonly name: string;
  readonly qr: InviteQr;
}

export class PairingError extends Error {
  constructor(
    readonly kind: 'refused' | 'unreachable' | 'bad-code',
    message: string,
  ) {
    super(message);
    this.name = 'PairingError';
  }
}

export interface LanControlOptions {
  readonly state: DeviceState;
  readonly offers: OfferStore;
  readonly logger: Logger;
  readonly host: () => ReplicationHost | undefined;
  readonly openNewFolders: () => Promise<void>;
}

export class LanControl {
  private discovery: Discovery | undefined;

  constructor(private readonly options: LanControlOptions) {}

  get discoveryOn(): boolean {
    return this.discovery !== undefined;
  }

  private requireHost(): ReplicationHost {
    const host = this.options.host();
    if (!host)
      throw new LanfoldError('DAEMON_UNREACHABLE', 'The network side of the daemon is not running');
    return host;
  }

  startDiscovery(): void {
    const { state, logger } = this.options;
    if (!discoveryEnabled(state.device.discovery)) {
      logger.info({}, 'LAN discovery off (device setting or LANFOLD_DISCOVERY=off)');
      return;
    }
    const host = this.requireHost();
    this.discovery = new Discovery({
      deviceId: state.device.deviceId,
      name: state.device.name,
      port: host.listenPort,
      logger: logger.child({ part: 'discovery' }),
      onHeard: (r) => this.rememberAddress(r.deviceId, r.address),
    });
    try {
      this.discovery.start();
    } catch (err) {
      logger.error({ err }, 'LAN discovery could not start');
      this.discovery = undefined;
    }
  }

  async stopDiscovery(): Promise<void> {
    const d = this.discovery;
    this.discovery = undefined;
    await d?.stop();
  }

  /** A paired device heard at a new address: remember it first and redial. */
  private rememberAddress(deviceId: string, address: string): void {
    const { state } = this.options;
    const peer = state.peers.find((p) => p.deviceId === deviceId);
    if (!peer || peer.addresses[0] === address) return;
    state.reloadPeers();
    if (!state.isTrusted(deviceId)) return;
    state.addPeer(deviceId, address);
    this.options.host()?.refreshDials();
  }

  heard(): HeardDevice[] {
    return this.discovery?.devices() ?? [];
  }

  /** Paired devices first (with their connection), then devices only heard. */
  devices(): DeviceListing[] {
    const { state } = this.options;
    const host = this.options.host();
    const heard = new Map(this.heard().map((h) => [h.deviceId, h]));
    const out: DeviceListing[] = state.peers.map((p) => {
      const h = heard.get(p.deviceId);
      return {
        deviceId: p.deviceId,
        name: p.name || h?.name || '',
        paired: true,
        connected: host?.isConnected(p.deviceId) ?? false,
        heardAt: h?.address ?? null,
        lastSeen: h?.lastSeen ?? null,
        addresses: [...p.addresses],
      };
    });
    for (const h of heard.values()) {
      if (state.isTrusted(h.deviceId)) continue;
      out.push({
        deviceId: h.deviceId,
        name: h.name,
        paired: false,
        connected: false,
        heardAt: h.address,
        lastSeen: h.lastSeen,
        addresses: [],
      });
    }
    return out;
  }

  openInvite(ttlMs?: number): CreatedInvite {
    const { state } = this.options;
    const invite = this.requireHost().openInvite(ttlMs);
    return {
      ...invite,
      deviceId: state.device.deviceId,
      name: state.device.name,
      qr: inviteQr(inviteUri(invite.code, state.device.deviceId)),
    };
  }

  inviteStatus(): InviteStatus {
    return this.requireHost().inviteStatus();
  }

  cancelInvite(): void {
    this.requireHost().cancelInvite();
  }

  /**
   * Joins another device's invite: at `address`, or else at each unpaired device heard on
   * the LAN in turn (one with `deviceId`'s prefix only, when given) until one accepts.
   */
  async join(rawCode: string, address?: string, devicePrefix?: string): Promise<PairedDevice> {
    const code = parsePairCode(rawCode);
    if (!code)
      throw new PairingError(
        'bad-code',
        `"${rawCode}" is not a pairing code (8 letters and digits)`,
      );
    const host = this.requireHost();
    const candidates = address
      ? [address]
      : this.devices()
          .filter((d) => !d.paired && d.heardAt !== null)
          .filter((d) => !devicePrefix || d.deviceId.startsWith(devicePrefix.toUpperCase()))
          .map((d) => d.heardAt!);
    if (candidates.length === 0)
      throw new PairingError(
        'unreachable',
        this.discovery
          ? 'No unpaired device heard on the LAN yet'
          : 'Discovery is off: give the address with --address HOST:PORT',
      );
    let last: Error | undefined;
    for (const where of candidates) {
      try {
        return await host.join(code, where);
      } catch (err) {
        if (err instanceof PairingRefused) {
          last = new PairingError('refused', err.reason);
          // The device answered and refused: a wrong code stays wrong elsewhere.
          if (/wrong code|too many/.test(err.reason)) break;
        } else last = new PairingError('unreachable', `${where}: ${(err as Error).message}`);
      }
    }
    throw last ?? new PairingError('unreachable', 'no device answered');
  }

  offers(): Offer[] {
    const { state } = this.options;
    return this.options.offers
      .list()
      .filter((o) => state.isTrusted(o.from) && !state.folders.some((f) => f.id === o.folderId));
  }

  /** Accepts an offer: the folder becomes a replica at `path`, following the offering master. */
  async accept(folderId: string, path: string): Promise<FolderConfig> {
    const { state, offers } = this.options;
    state.reloadPeers();
    state.reloadFolders();
    const offer = this.offers().find((o) => o.folderId === folderId);
    if (!offer)
      throw new LanfoldError(
        'FOLDER_UNKNOWN',
        `No offer of a folder "${folderId}"`,
        'see `lanfold folder offers`; a master offers a folder once it shares it with this device',
      );
    const folder = state.addFolder({
      path,
      role: 'replica',
      id: folderId,
      upstreams: [offer.from],
    });
    offers.remove({ folderId });
    await this.options.openNewFolders();
    return folder;
  }

  /** After peers changed: offers from devices no longer trusted are dropped. */
  forgetRemoved(): void {
    const { state, offers } = this.options;
    for (const o of offers.list()) if (!state.isTrusted(o.from)) offers.remove({ from: o.from });
  }
}
