/**
 * Joins the engine's folders to the network: the TLS transport, the dialer that keeps
 * connections to trusted devices (replicas to their upstreams, and any paired device with a
 * known address), pairing (an open invite, or joining another device's), folder offers,
 * and the routing of each incoming message to the folder it names (a master folder's
 * publisher, a relay's publisher, or a replica folder). A replica follows the first of its
 * upstreams that is connected and accepts it (upstream-choice.ts), and moves back to a
 * preferred one when it returns.
 *
 * Folders can be paused here, at the edge, without the engine knowing: each folder talks
 * through its own view of a connection (FolderLink). A paused replica's view is cut (it
 * stops fetching and applying, as after a network cut, keeping what it has) and it is
 * given a new one on resume, so it subscribes again and catches up by one delta. A paused
 * master (or relay) keeps recording its own versions but sends nothing: its views drop what
 * its publisher sends, and requests that expect an answer get an empty one (a delta that
 * brings nothing, a chunk that is not available), so no replica waits for a timeout. On
 * resume it announces its head, and its replicas catch up.
 */
import path from 'node:path';
import type { Logger } from '../engine/logger.js';
import type { MasterFolder } from '../engine/master-folder.js';
import type { ReplicaFolder } from '../engine/replica/replica-folder.js';
import { FolderPublisher, type ReplicaState } from '../engine/replication/publisher.js';
import type { CoordinatorStatus } from '../engine/twophase/coordinator.js';
import { relaySource } from '../engine/replica/relay-source.js';
import { masterHop, relayHop, type RelayHopSettings } from '../engine/replication/hop.js';
import { systemClock } from '../engine/clock.js';
import type { PeerLink } from '../protocol/link.js';
import type { Message } from '../protocol/messages.js';
import { Dialer } from '../transport/dialer.js';
import { FolderLink } from './folder-link.js';
import type { TlsLink } from '../transport/tls-link.js';
import { Transport } from '../transport/transport.js';
import type { PairCode } from '../pairing/code.js';
import {
  PairingInviter,
  type InviteStatus,
  type OpenInvite,
  type PairedDevice,
} from '../pairing/inviter.js';
import { joinPairing } from '../pairing/joiner.js';
import { splitHostPort } from './config.js';
import type { DeviceState } from './device.js';
import type { OfferStore } from './offers.js';
import { chooseUpstream } from './upstream-choice.js';

export interface PeerStatus {
  readonly deviceId: string;
  readonly name: string;
  readonly connected: boolean;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

const HEARTBEAT_MS = 10_000;
/** A relay's hop before its folder config is read: as the master chose, same policy default. */
const DEFAULT_HOP: RelayHopSettings = { commitMode: 'auto', twoPhasePolicy: 'available' };
const WINDOW_VERSIONS = 8;
/** How often a refused upstream is asked again (it may have been shared with us since). */
const REFUSAL_RETRY_MS = 30_000;
/**
 * After a replica folder opens, how long it waits for a more preferred upstream to connect
 * before it follows a less preferred one (both are dialed at once; this avoids following
 * the master for a moment only to move to the relay).
 */
const PREFERRED_GRACE_MS = 3000;

export interface HostEvents {
  /** A trusted device connected, or its connection ended. */
  readonly onPeer?: (deviceId: string, name: string, connected: boolean) => void;
  /** A device was paired (either side); peers.json already holds it. */
  readonly onPaired?: (device: PairedDevice) => void;
  /** A master offered a folder to this device. */
  readonly onOffer?: (folderId: string, from: string) => void;
}

export class ReplicationHost {
  private readonly transport: Transport;
  private readonly dialer: Dialer;
  private readonly inviter: PairingInviter;
  private readonly links = new Map<string, TlsLink>();
  private readonly inbound = new WeakSet<TlsLink>();
  private readonly publishers = new Map<string, FolderPublisher>();
  private readonly replicas = new Map<string, ReplicaFolder>();
  /** Per replica folder: its upstreams, most preferred first. */
  private readonly upstreamsOf = new Map<string, readonly string[]>();
  /** Per replica folder: the upstream it follows now. */
  private readonly upstreamOf = new Map<string, string>();
  private readonly masters = new Map<string, MasterFolder>();
  /** Folders paused on this device. */
  private readonly paused = new Set<string>();
  /** Each master folder's views, one per connection. */
  private readonly masterViews = new Map<string, WeakMap<PeerLink, FolderLink>>();
  /** Each replica folder's current view of its upstream's connection. */
  private readonly replicaViews = new Map<string, FolderLink>();
  /** Per replica folder: upstreams that refused it (until their link closes or the retry). */
  private readonly refusedBy = new Map<string, Set<string>>();
  /** Replica folders that this device relays (claims 35/36): their publishers are in `publishers`. */
  private readonly relays = new Set<string>();
  private readonly refusalTimer: ReturnType<typeof setInterval>;
  /** Per replica folder in its first PREFERRED_GRACE_MS: the timer that ends the grace. */
  private readonly graceTimers = new Map<string, ReturnType<typeof setTimeout>>();
  listenPort = 0;

  constructor(
    private readonly state: DeviceState,
    private readonly logger: Logger,
    private readonly offers: OfferStore,
    private readonly events: HostEvents = {},
  ) {
    const identity = state.identity();
    this.inviter = new PairingInviter({
      ownId: state.device.deviceId,
      clock: systemClock,
      logger: logger.child({ part: 'pairing' }),
      onPaired: (device) => this.pinPaired(device),
      onClosed: () => undefined,
    });
    this.transport = new Transport({
      ...identity,
      deviceId: state.device.deviceId,
      name: state.device.name,
      isTrusted: (id) => this.state.isTrusted(id),
      onLink: (link, inbound) => this.onLink(link, inbound),
      acceptUntrusted: () => this.inviter.isOpen(),
      onPairingLink: (link, remoteHost) => this.inviter.serve(link, remoteHost),
      logger,
    });
    this.dialer = new Dialer(
      (id, host, port) => this.transport.dial(id, host, port),
      logger,
      (id) => this.isConnected(id),
    );
    this.refusalTimer = setInterval(() => {
      if (this.refusedBy.size === 0) return;
      this.refusedBy.clear();
      for (const id of this.upstreamsOf.keys()) this.selectUpstream(id);
    }, REFUSAL_RETRY_MS);
    this.refusalTimer.unref();
  }

  isConnected(deviceId: string): boolean {
    const link = this.links.get(deviceId);
    return link !== undefined && !link.closed;
  }

  // --- pairing -------------------------------------------------------------------------

  openInvite(ttlMs?: number): OpenInvite {
    return this.inviter.open(ttlMs);
  }

  inviteStatus(): InviteStatus {
    return this.inviter.status();
  }

  cancelInvite(): void {
    this.inviter.cancel();
  }

  /** Pins a paired device (newest address first) and connects to it. */
  private pinPaired(device: PairedDevice): void {
    this.state.reloadPeers();
    this.state.addPeer(device.deviceId, device.address, device.name || undefined);
    this.refreshDials();
    this.events.onPaired?.(device);
  }

  /**
   * Pairs with the device listening at HOST:PORT, which must have an invite open with this
   * code. Resolves with the paired device; rejects with a PairingRefused (wrong code, too
   * many tries, no invite) or a connection error.
   */
  async join(code: PairCode, address: string): Promise<PairedDevice> {
    const { host, port } = splitHostPort(address);
    const link = await this.transport.dialForPairing(host, port);
    if (link.deviceId === this.state.device.deviceId) {
      link.close('that is this device');
      throw new Error('that address is this device itself');
    }
    const peer = await joinPairing(link, code, this.state.device.deviceId, this.listenPort);
    const device: PairedDevice = { deviceId: peer.deviceId, name: peer.name, address };
    this.pinPaired(device);
    return device;
  }

  // --- folder offers -------------------------------------------------------------------

  /** Offers every master folder shared with the device over its link. */
  private sendOffers(link: PeerLink): void {
    for (const f of this.state.folders) {
      if (f.role === 'master' && f.sharedWith.includes(link.deviceId))
        link.send({ t: 'offer', folder: f.id, label: path.basename(f.path).slice(0, 255) });
    }
  }

  /** After folders.json changed: offer newly shared folders to connected devices. */
  offerToConnected(): void {
    for (const link of this.links.values()) if (!link.closed) this.sendOffers(link);
  }

  private receiveOffer(link: PeerLink, folderId: string, label: string): void {
    if (this.state.folders.some((f) => f.id === folderId)) return; // already here
    const isNew = this.offers.add({
      folderId,
      from: link.deviceId,
      fromName: link.name.slice(0, 64),
      label,
      offeredAt: Date.now(),
    });
    if (isNew) {
      this.logger.info({ folder: folderId, from: link.deviceId }, 'a folder was offered');
      this.events.onOffer?.(folderId, link.deviceId);
    }
  }

  async listen(address: string): Promise<number> {
    const { host, port } = splitHostPort(address);
    this.listenPort = await this.transport.listen(host, port);
    this.logger.info({ host, port: this.listenPort }, 'listening for devices');
    return this.listenPort;
  }

  addMaster(folder: MasterFolder): FolderPublisher {
    const publisher = new FolderPublisher({
      folder,
      hop: masterHop(folder),
      isShared: (id) =>
        this.state.folders.find((f) => f.id === folder.id)?.sharedWith.includes(id) ?? false,
      clock: systemClock,
      logger: this.logger.child({ folder: folder.id }),
      heartbeatMs: HEARTBEAT_MS,
      windowVersions: WINDOW_VERSIONS,
    });
    this.publishers.set(folder.id, publisher);
    this.masters.set(folder.id, folder);
    this.masterViews.set(folder.id, new WeakMap());
    return publisher;
  }

  addReplica(folder: ReplicaFolder, upstreams: readonly string[]): void {
    this.replicas.set(folder.id, folder);
    this.upstreamsOf.set(folder.id, [...upstreams]);
    if (upstreams.length > 1) {
      const timer = setTimeout(() => {
        this.graceTimers.delete(folder.id);
        this.selectUpstream(folder.id);
      }, PREFERRED_GRACE_MS);
      timer.unref();
      this.graceTimers.set(folder.id, timer);
    }
    this.selectUpstream(folder.id);
    this.refreshDials();
  }

  /**
   * Serves a replica folder to the replicas below it (a relay, claims 35/36): from its own
   * log and files, only versions it has committed, under the master's version numbers.
   * Subscriptions are accepted while the folder's `relay` setting is on and it is shared
   * with the device asking.
   */
  addRelay(folder: ReplicaFolder): FolderPublisher {
    const publisher = new FolderPublisher({
      folder: relaySource(folder),
      hop: relayHop(
        () => this.relaying(folder.id),
        () => this.state.folders.find((f) => f.id === folder.id)?.settings ?? DEFAULT_HOP,
      ),
      isShared: (id) => {
        const config = this.state.folders.find((f) => f.id === folder.id);
        return (config?.relay ?? false) && config!.sharedWith.includes(id);
      },
      clock: systemClock,
      logger: this.logger.child({ folder: folder.id, relay: true }),
      heartbeatMs: HEARTBEAT_MS,
      windowVersions: WINDOW_VERSIONS,
      reportUpstream: {
        selfId: this.state.device.deviceId,
        // Best effort: a report made while no upstream is connected is not kept for later.
        send: (report) => {
          const view = this.replicaViews.get(folder.id);
          if (view && !view.closed) view.send(report);
        },
      },
    });
    this.publishers.set(folder.id, publisher);
    this.relays.add(folder.id);
    return publisher;
  }

  /** A relay's replica folder committed a version: pass it on to the replicas below. */
  onRelayVersion(folderId: string, ...args: Parameters<FolderPublisher['onVersion']>): void {
    if (this.relays.has(folderId)) this.publishers.get(folderId)?.onVersion(...args);
  }

  /** The upstream a replica folder follows now (undefined while none is connected). */
  currentUpstream(folderId: string): string | undefined {
    return this.replicas.get(folderId)?.upstream();
  }

  /**
   * Points a replica folder at the first of its upstreams that is connected and has not
   * refused it; tells the one it leaves to stop serving it.
   */
  private selectUpstream(folderId: string): void {
    const replica = this.replicas.get(folderId);
    const upstreams = this.upstreamsOf.get(folderId);
    if (!replica || !upstreams) return;
    const chosen = chooseUpstream({
      upstreams,
      isConnected: (id) => this.isConnected(id),
      refused: this.refusedBy.get(folderId) ?? new Set(),
    });
    const current = this.upstreamOf.get(folderId);
    const currentLink = current === undefined ? undefined : this.links.get(current);
    // Just opened: give the preferred upstream a moment to connect (the timer chooses again).
    if (chosen !== upstreams[0] && this.graceTimers.has(folderId)) return;
    if (chosen === undefined) {
      if (current !== undefined && (!currentLink || currentLink.closed))
        this.upstreamOf.delete(folderId);
      return;
    }
    const link = this.links.get(chosen)!;
    if (chosen === current && replica.upstream() === chosen) return;
    if (current !== undefined && current !== chosen && currentLink && !currentLink.closed)
      currentLink.send({ t: 'unsubscribe', folder: folderId });
    this.upstreamOf.set(folderId, chosen);
    this.logger.info(
      {
        folder: folderId,
        upstream: chosen,
        previous: current ?? null,
        preference: upstreams.indexOf(chosen),
      },
      'following upstream',
    );
    this.attachReplica(replica, link);
  }

  isPaused(folderId: string): boolean {
    return this.paused.has(folderId);
  }

  /**
   * Pauses or resumes a folder (open or not yet open: the state is kept for when it opens).
   * Returns true when that changed its state.
   */
  setPaused(folderId: string, paused: boolean): boolean {
    if (this.paused.has(folderId) === paused) return false;
    if (paused) this.paused.add(folderId);
    else this.paused.delete(folderId);
    this.logger.info({ folder: folderId }, paused ? 'folder paused' : 'folder resumed');
    const replica = this.replicas.get(folderId);
    if (replica) {
      if (paused) {
        this.replicaViews.get(folderId)?.cut('the folder was paused on this device');
        this.replicaViews.delete(folderId);
      } else {
        const upstream = this.upstreamOf.get(folderId);
        const link = upstream === undefined ? undefined : this.links.get(upstream);
        if (link && !link.closed) this.attachReplica(replica, link);
      }
    }
    const master = this.masters.get(folderId);
    if (master && !paused) {
      // Announce what was recorded meanwhile: a change packet, then heartbeats until acked.
      const head = master.head();
      const info = head > 0 ? master.log.version(head) : undefined;
      if (info) this.publishers.get(folderId)?.onVersion(info);
    }
    return true;
  }

  /** Gives a replica folder a new view of its upstream's connection; it subscribes on it. */
  private attachReplica(folder: ReplicaFolder, link: PeerLink): void {
    if (this.paused.has(folder.id)) return;
    this.replicaViews.get(folder.id)?.cut('replaced by a newer connection');
    const view = new FolderLink(link);
    this.replicaViews.set(folder.id, view);
    folder.attach(view);
  }

  /** The master folder's view of a connection (the same one for every message on it). */
  private masterView(folderId: string, link: PeerLink): FolderLink {
    let views = this.masterViews.get(folderId);
    if (!views) {
      views = new WeakMap();
      this.masterViews.set(folderId, views);
    }
    let view = views.get(link);
    if (!view) {
      view = new FolderLink(link, () => this.paused.has(folderId));
      views.set(link, view);
    }
    return view;
  }

  /** Re-reads peers' addresses and dials every upstream some replica follows. */
  refreshDials(): void {
    const wanted = new Set(
      [
        ...[...this.upstreamsOf.values()].flat(),
        ...this.state.peers.filter((p) => p.addresses.length > 0).map((p) => p.deviceId),
      ].filter((id) => this.state.isTrusted(id)),
    );
    for (const id of this.dialer.wanted()) if (!wanted.has(id)) this.dialer.unwant(id);
    for (const id of wanted) {
      const peer = this.state.peers.find((p) => p.deviceId === id);
      this.dialer.want({ deviceId: id, addresses: (peer?.addresses ?? []).map(splitHostPort) });
    }
  }

  /** Drops connections to devices that are no longer trusted. */
  enforceTrust(): void {
    for (const [id, link] of this.links)
      if (!this.state.isTrusted(id)) {
        this.logger.info({ peer: id }, 'disconnecting a device that is no longer trusted');
        link.close('device removed');
      }
    this.refreshDials();
  }

  /**
   * When both devices dial each other, both sides keep the same connection: the one dialed
   * by the device with the smaller ID. A new connection in the same direction as the old one
   * replaces it (the peer reconnected).
   */
  private keepsOld(old: TlsLink, fresh: TlsLink, freshInbound: boolean): boolean {
    const oldInbound = this.inbound.has(old);
    if (old.closed || oldInbound === freshInbound) return false;
    const weDialPreferred = this.state.device.deviceId < fresh.deviceId;
    // The preferred link is the one we dialed (outbound) when our ID is smaller.
    return weDialPreferred ? !oldInbound : oldInbound;
  }

  private onLink(link: TlsLink, inbound: boolean): void {
    if (inbound) this.inbound.add(link);
    const old = this.links.get(link.deviceId);
    if (old && old !== link && this.keepsOld(old, link, inbound)) {
      link.close('duplicate connection');
      return;
    }
    this.links.set(link.deviceId, link);
    if (old && old !== link) old.close('replaced by a newer connection');
    this.logger.info({ peer: link.deviceId, name: link.name }, 'device connected');
    this.events.onPeer?.(link.deviceId, link.name, true);
    link.onClose((reason) => {
      const current = this.links.get(link.deviceId) === link; // else replaced: still connected
      if (current) this.links.delete(link.deviceId);
      this.logger.info({ peer: link.deviceId, reason }, 'device disconnected');
      if (current) this.events.onPeer?.(link.deviceId, link.name, false);
      // Replaced or gone: replica folders that followed this link choose again.
      this.reselectFor(link.deviceId);
    });
    link.onMessage((m) => this.route(link, m));
    this.reselectFor(link.deviceId);
    this.sendOffers(link);
  }

  /** A device connected or went away: every replica folder that lists it chooses again. */
  private reselectFor(deviceId: string): void {
    for (const [folderId, upstreams] of this.upstreamsOf) {
      if (!upstreams.includes(deviceId)) continue;
      this.refusedBy.get(folderId)?.delete(deviceId); // a new connection may be accepted
      this.selectUpstream(folderId);
    }
  }

  private route(link: PeerLink, m: Message): void {
    if (m.t === 'offer') return this.receiveOffer(link, m.folder, m.label);
    if (!('folder' in m)) return;
    switch (m.t) {
      case 'subscribe':
      case 'unsubscribe':
      case 'ack':
      case 'delta-req':
      case 'get':
      case 'vote':
      case 'outcome-req':
      case 'staging':
      case 'report': {
        const publisher = this.publishers.get(m.folder);
        if (!publisher) {
          if (m.t === 'subscribe')
            link.send({ t: 'refuse', folder: m.folder, reason: 'no such folder on this device' });
          return;
        }
        if (m.t === 'subscribe' && this.relays.has(m.folder) && !this.relaying(m.folder)) {
          link.send({
            t: 'refuse',
            folder: m.folder,
            reason: 'this device does not relay the folder',
          });
          return;
        }
        if (this.paused.has(m.folder)) {
          // Paused: answer what a replica waits for with nothing; it catches up on resume.
          if (m.t === 'delta-req') {
            link.send({
              t: 'delta-end',
              folder: m.folder,
              id: m.id,
              from: m.have,
              to: m.have,
              createdAt: publisher.createdAtOf(m.have),
            });
            return;
          }
          if (m.t === 'get') {
            link.send({
              t: 'nodata',
              folder: m.folder,
              id: m.id,
              reason: 'the folder is paused on the device that serves it',
            });
            return;
          }
        }
        publisher.handle(this.masterView(m.folder, link), m);
        return;
      }
      default: {
        if (this.paused.has(m.folder)) return;
        const view = this.replicaViews.get(m.folder);
        const replica = this.replicas.get(m.folder);
        if (
          !replica ||
          !view ||
          view.inner !== link ||
          this.upstreamOf.get(m.folder) !== link.deviceId
        )
          return;
        replica.handle(view, m);
        if (m.t === 'refuse') {
          // Try the next upstream; this one is asked again on its next connection or the retry.
          let refused = this.refusedBy.get(m.folder);
          if (!refused) this.refusedBy.set(m.folder, (refused = new Set()));
          refused.add(link.deviceId);
          this.selectUpstream(m.folder);
        }
      }
    }
  }

  private relaying(folderId: string): boolean {
    return this.state.folders.find((f) => f.id === folderId)?.relay ?? false;
  }

  replicaStates(folderId: string): ReplicaState[] {
    return this.publishers.get(folderId)?.replicas() ?? [];
  }

  /** A master folder's settings changed: a version blocked under the old ones is retried now. */
  settingsChanged(folderId: string): void {
    this.publishers.get(folderId)?.retryBlocked();
  }

  /** Two-phase commit's state of a master folder (released version, what blocks it). */
  twoPhaseStatus(folderId: string): CoordinatorStatus | undefined {
    return this.publishers.get(folderId)?.twoPhase();
  }

  peerStatus(): PeerStatus[] {
    return this.state.peers.map((p) => {
      const link = this.links.get(p.deviceId);
      return {
        deviceId: p.deviceId,
        name: link?.name || p.name,
        connected: link !== undefined && !link.closed,
        bytesIn: link?.counters.bytesIn ?? 0,
        bytesOut: link?.counters.bytesOut ?? 0,
      };
    });
  }

  onMasterVersion(folderId: string, ...args: Parameters<FolderPublisher['onVersion']>): void {
    this.publishers.get(folderId)?.onVersion(...args);
  }

  async close(): Promise<void> {
    clearInterval(this.refusalTimer);
    for (const timer of this.graceTimers.values()) clearTimeout(timer);
    this.inviter.cancel();
    this.dialer.close();
    for (const p of this.publishers.values()) p.close();
    for (const link of this.links.values()) link.close('shutting down');
    await this.transport.close();
  }
}
