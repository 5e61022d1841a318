/**
 * Joins the engine's folders to the network: the TLS transport, the dialer that keeps
 * replicas connected to their upstreams, and the routing of each incoming message to the
 * folder it names (a master folder's publisher, or a replica folder).
 */
import type { Logger } from '../engine/logger.js';
import type { MasterFolder } from '../engine/master-folder.js';
import type { ReplicaFolder } from '../engine/replica/replica-folder.js';
import { FolderPublisher, type ReplicaState } from '../engine/replication/publisher.js';
import type { CoordinatorStatus } from '../engine/twophase/coordinator.js';
import { systemClock } from '../engine/clock.js';
import type { PeerLink } from '../protocol/link.js';
import type { Message } from '../protocol/messages.js';
import { Dialer } from '../transport/dialer.js';
import type { TlsLink } from '../transport/tls-link.js';
import { Transport } from '../transport/transport.js';
import { splitHostPort } from './config.js';
import type { DeviceState } from './device.js';

export interface PeerStatus {
  readonly deviceId: string;
  readonly name: string;
  readonly connected: boolean;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

const HEARTBEAT_MS = 10_000;
const WINDOW_VERSIONS = 8;

export class ReplicationHost {
  private readonly transport: Transport;
  private readonly dialer: Dialer;
  private readonly links = new Map<string, TlsLink>();
  private readonly publishers = new Map<string, FolderPublisher>();
  private readonly replicas = new Map<string, ReplicaFolder>();
  private readonly upstreamOf = new Map<string, string>();
  listenPort = 0;

  constructor(
    private readonly state: DeviceState,
    private readonly logger: Logger,
    /** Told when a trusted device connects or its connection ends. */
    private readonly onPeer?: (deviceId: string, name: string, connected: boolean) => void,
  ) {
    const identity = state.identity();
    this.transport = new Transport({
      ...identity,
      deviceId: state.device.deviceId,
      name: state.device.name,
      isTrusted: (id) => this.state.isTrusted(id),
      onLink: (link) => this.onLink(link),
      logger,
    });
    this.dialer = new Dialer((id, host, port) => this.transport.dial(id, host, port), logger);
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
      isShared: (id) =>
        this.state.folders.find((f) => f.id === folder.id)?.sharedWith.includes(id) ?? false,
      clock: systemClock,
      logger: this.logger.child({ folder: folder.id }),
      heartbeatMs: HEARTBEAT_MS,
      windowVersions: WINDOW_VERSIONS,
    });
    this.publishers.set(folder.id, publisher);
    return publisher;
  }

  addReplica(folder: ReplicaFolder, upstreams: readonly string[]): void {
    this.replicas.set(folder.id, folder);
    const upstream = upstreams[0];
    if (!upstream) return;
    this.upstreamOf.set(folder.id, upstream);
    const existing = this.links.get(upstream);
    if (existing && !existing.closed) folder.attach(existing);
    this.refreshDials();
  }

  /** Re-reads peers' addresses and dials every upstream some replica follows. */
  refreshDials(): void {
    const wanted = new Set(this.upstreamOf.values());
    for (const id of this.dialer.wanted()) if (!wanted.has(id)) this.dialer.unwant(id);
    for (const id of wanted) {
      const peer = this.state.peers.find((p) => p.deviceId === id);
      this.dialer.want({ deviceId: id, addresses: (peer?.addresses ?? []).map(splitHostPort) });
    }
  }

  /** Drops connections to devices that are no longer trusted. */
  enforceTrust(): void {
    for (const [id, link] of this.links)
      if (!this.state.isTrusted(id)) link.close('device removed');
    this.refreshDials();
  }

  private onLink(link: TlsLink): void {
    const old = this.links.get(link.deviceId);
    this.links.set(link.deviceId, link);
    if (old && old !== link) old.close('replaced by a newer connection');
    this.logger.info({ peer: link.deviceId, name: link.name }, 'device connected');
    this.onPeer?.(link.deviceId, link.name, true);
    link.onClose((reason) => {
      const current = this.links.get(link.deviceId) === link; // else replaced: still connected
      if (current) this.links.delete(link.deviceId);
      this.logger.info({ peer: link.deviceId, reason }, 'device disconnected');
      if (current) this.onPeer?.(link.deviceId, link.name, false);
    });
    link.onMessage((m) => this.route(link, m));
    for (const [folderId, upstream] of this.upstreamOf) {
      if (upstream === link.deviceId) this.replicas.get(folderId)?.attach(link);
    }
  }

  private route(link: PeerLink, m: Message): void {
    if (!('folder' in m)) return;
    switch (m.t) {
      case 'subscribe':
      case 'ack':
      case 'delta-req':
      case 'get':
      case 'vote':
      case 'outcome-req': {
        const publisher = this.publishers.get(m.folder);
        if (publisher) publisher.handle(link, m);
        else if (m.t === 'subscribe')
          link.send({ t: 'refuse', folder: m.folder, reason: 'no such folder on this device' });
        return;
      }
      default: {
        const replica = this.replicas.get(m.folder);
        if (replica && this.upstreamOf.get(m.folder) === link.deviceId) replica.handle(link, m);
      }
    }
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
    this.dialer.close();
    for (const p of this.publishers.values()) p.close();
    for (const link of this.links.values()) link.close('shutting down');
    await this.transport.close();
  }
}
