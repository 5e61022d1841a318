/**
 * The control API's read views of the running daemon: the status (device, daemon, each
 * folder's state and lag, peers) and one folder's detail (settings; a master's replicas
 * with their exact lag; a replica's upstream, local changes and conflicts).
 */
import type { CoordinatorStatus } from '../../engine/twophase/coordinator.js';
import { countDeletions } from '../../engine/twophase/deletion-guard.js';
import type {
  FolderDetail,
  Held,
  FolderSummary,
  Lag,
  Peer,
  ReplicaLag,
  Status,
  SyncState,
  TwoPhaseStatus,
} from '../../api/contract.js';
import { API_VERSION } from '../../api/contract.js';
import type { MasterFolder } from '../../engine/master-folder.js';
import type { VersionLog } from '../../engine/store/version-log.js';
import { LANFOLD_VERSION } from '../../version.js';
import { splitHostPort, type FolderConfig } from '../config.js';
import type { ControlBackend } from './backend.js';
import type { ReplicaFacts } from './commit-records.js';
import type { ApiEventHub } from './event-hub.js';
import { ApiHttpError } from './http.js';
import type { Resolutions } from './resolve.js';

const MAX_LOCAL_CHANGES = 1000;
const LAG_CACHE_SIZE = 32;

export interface ViewContext {
  readonly backend: ControlBackend;
  readonly hub: ApiEventHub;
  readonly lags: LagCache;
  readonly sightings: ReplicaSightings;
  readonly resolutions: Resolutions;
  /** device.json's listen address when the API started (the one in effect, unless overridden). */
  readonly listenAtStart: string;
}

/**
 * Lag by the log's scope of (acked, head]: the paths a replica still needs and their bytes.
 * The scope is one query but may be large, so results are kept per (folder, from, to).
 */
export class LagCache {
  private readonly entries = new Map<string, Lag>();

  lag(folderId: string, log: VersionLog, from: number, to: number): Lag {
    if (from >= to) return { versions: 0, files: 0, bytes: 0 };
    const key = `${folderId}\0${from}\0${to}`;
    let lag = this.entries.get(key);
    if (!lag) {
      let files = 0;
      let bytes = 0;
      for (const e of log.scope(from, to)) {
        // Files, symlinks and deletions count (a replica at 0 has nothing to delete).
        if (e.kind === 'dir' || (e.kind === 'none' && from === 0)) continue;
        files++;
        if (e.kind === 'file') bytes += e.size;
      }
      lag = { versions: to - from, files, bytes };
      this.entries.set(key, lag);
      if (this.entries.size > LAG_CACHE_SIZE)
        this.entries.delete(this.entries.keys().next().value!);
    }
    return lag;
  }
}

/**
 * The version each replica last acknowledged, kept after it disconnects (the publisher
 * forgets it then), so an offline replica still shows how far behind it is. Since the
 * daemon started; updated whenever a view of the folder is made.
 */
export class ReplicaSightings {
  private readonly seen = new Map<string, number>();

  note(folderId: string, deviceId: string, version: number): void {
    this.seen.set(`${folderId}\0${deviceId}`, version);
  }

  last(folderId: string, deviceId: string): number | undefined {
    return this.seen.get(`${folderId}\0${deviceId}`);
  }
}

/** The log of an open folder; 404 for an unknown folder, 503 for one that is not open. */
export function openLog(backend: ControlBackend, id: string): VersionLog {
  const config = backend.state.folder(id);
  const log = backend.folder(id)?.log ?? backend.replica(id)?.log;
  if (log) return log;
  const failure = backend.failures().get(config.id);
  throw new ApiHttpError(
    'FOLDER_UNAVAILABLE',
    failure ? `Folder "${id}" is not open: ${failure}` : `Folder "${id}" is still being opened`,
    failure ? 'fix the problem; the daemon retries every few seconds' : 'try again shortly',
  );
}

function lastChange(log: VersionLog, head: number): number | null {
  return head > 0 ? (log.version(head)?.createdAt ?? null) : null;
}

/** The summary of a folder as configured, whether it is open or not. */
export function folderSummary(ctx: ViewContext, config: FolderConfig): FolderSummary {
  const { backend, hub } = ctx;
  const failure = backend.failures().get(config.id) ?? null;
  const progress = hub.progressOf(config.id);
  const paused = backend.isPaused(config.id);
  const base = { id: config.id, role: config.role, path: config.path, progress, paused };
  const master = backend.folder(config.id);
  const replica = backend.replica(config.id);
  if (master) {
    const head = master.head();
    const behind = backend
      .replicaStates(config.id)
      .reduce<number | undefined>(
        (min, r) => (min === undefined ? r.acked : Math.min(min, r.acked)),
        undefined,
      );
    const lag = behind === undefined ? null : ctx.lags.lag(config.id, master.log, behind, head);
    const error = master.lastError ?? null;
    const connected = new Set(backend.replicaStates(config.id).map((r) => r.deviceId));
    const replicasOffline = config.sharedWith.filter((d) => !connected.has(d)).length;
    const state: SyncState = error
      ? 'error'
      : paused
        ? 'paused'
        : progress
          ? 'syncing'
          : lag && lag.versions > 0
            ? 'behind'
            : connected.size === 0 && replicasOffline > 0
              ? 'offline'
              : 'in-sync';
    return {
      ...base,
      head,
      lastChange: lastChange(master.log, head),
      state,
      lag,
      error,
      replicasOffline,
    };
  }
  if (replica) {
    const s = replica.status();
    const lag: Lag | null =
      s.connected || s.upstreamVersion > 0
        ? { versions: Math.max(0, s.upstreamVersion - s.head), files: null, bytes: null }
        : null;
    const state: SyncState = s.lastError
      ? 'error'
      : paused
        ? 'paused'
        : !s.connected
          ? 'offline'
          : s.syncing || progress
            ? 'syncing'
            : s.head < s.upstreamVersion
              ? 'behind'
              : 'in-sync';
    return {
      ...base,
      head: s.head,
      lastChange: lastChange(replica.log, s.head),
      state,
      lag,
      error: s.lastError ?? null,
      replicasOffline: 0,
    };
  }
  return {
    ...base,
    head: 0,
    lastChange: null,
    state: failure ? 'error' : 'syncing',
    lag: null,
    error: failure,
    replicasOffline: 0,
  };
}

export function peerList(backend: ControlBackend): Peer[] {
  const live = new Map(backend.peerStatus().map((p) => [p.deviceId, p]));
  return backend.state.peers.map((p) => {
    const s = live.get(p.deviceId);
    return {
      deviceId: p.deviceId,
      name: s?.name || p.name,
      addresses: [...p.addresses],
      addedAt: p.addedAt,
      connected: s?.connected ?? false,
      bytesIn: s?.bytesIn ?? 0,
      bytesOut: s?.bytesOut ?? 0,
    };
  });
}

/** The address in use: the host it started with and the port it got. */
export function listening(ctx: ViewContext): string {
  const port = ctx.backend.listenPort;
  if (port === 0) return ctx.listenAtStart;
  const { host } = splitHostPort(ctx.listenAtStart);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function status(ctx: ViewContext): Status {
  const { state, startedAt } = ctx.backend;
  return {
    apiVersion: API_VERSION,
    device: {
      id: state.device.deviceId,
      name: state.device.name,
      listen: state.device.listen,
      listening: listening(ctx),
      restartNeeded: state.device.listen !== ctx.listenAtStart,
    },
    daemon: { pid: process.pid, version: LANFOLD_VERSION, startedAt },
    folders: state.folders.map((f) => folderSummary(ctx, f)),
    peers: peerList(ctx.backend),
  };
}

function replicaLags(
  ctx: ViewContext,
  config: FolderConfig,
  master: MasterFolder | undefined,
): ReplicaLag[] {
  const peers = new Map(ctx.backend.state.peers.map((p) => [p.deviceId, p]));
  const head = master?.head() ?? 0;
  const out: ReplicaLag[] = [];
  const connected = master ? ctx.backend.replicaStates(config.id) : [];
  for (const r of connected) {
    ctx.sightings.note(config.id, r.deviceId, r.acked);
    out.push({
      deviceId: r.deviceId,
      name: r.name || peers.get(r.deviceId)?.name || '',
      connected: true,
      version: r.acked,
      connectedAt: r.connectedAt,
      lag: ctx.lags.lag(config.id, master!.log, r.acked, head),
    });
  }
  for (const id of config.sharedWith) {
    if (connected.some((r) => r.deviceId === id)) continue;
    const seen = ctx.sightings.last(config.id, id);
    out.push({
      deviceId: id,
      name: peers.get(id)?.name ?? '',
      connected: false,
      version: seen ?? null,
      connectedAt: null,
      lag: seen !== undefined && master ? ctx.lags.lag(config.id, master.log, seen, head) : null,
    });
  }
  return out;
}

/** A held deletion with its counts: the files at the released version, and how many go. */
export function heldView(log: VersionLog, t: CoordinatorStatus): Held | null {
  if (!t.held) return null;
  const { before, deleted } = countDeletions(log, t.released, t.held.version);
  return { version: t.held.version, reason: t.held.reason, deleted, before };
}

/** The names and versions of a master's replicas, for the commit records of its history. */
export function replicaFacts(ctx: ViewContext, folderId: string): ReplicaFacts {
  const peers = new Map(ctx.backend.state.peers.map((p) => [p.deviceId, p.name]));
  const live = new Map(ctx.backend.replicaStates(folderId).map((r) => [r.deviceId, r]));
  return {
    name: (id) => live.get(id)?.name || peers.get(id) || '',
    acked: (id) => live.get(id)?.acked ?? ctx.sightings.last(folderId, id),
  };
}

function twoPhaseView(
  t: CoordinatorStatus | undefined,
  log: VersionLog | undefined,
): TwoPhaseStatus | null {
  if (!t || !log) return null;
  return {
    released: t.released,
    policy: t.policy,
    preparing: t.preparing
      ? {
          ...t.preparing,
          participants: [...t.preparing.participants],
          voted: [...t.preparing.voted],
        }
      : null,
    blocked: t.blocked
      ? { ...t.blocked, blockers: t.blocked.blockers.map((b) => ({ ...b })) }
      : null,
    held: heldView(log, t),
  };
}

export function folderDetail(ctx: ViewContext, id: string): FolderDetail {
  const config = ctx.backend.state.folder(id);
  const summary = folderSummary(ctx, config);
  const master = ctx.backend.folder(id);
  const replica = ctx.backend.replica(id);
  const s = replica?.status();
  const upstreamId = config.upstreams[0];
  const upstreamPeer = peerList(ctx.backend).find((p) => p.deviceId === upstreamId);
  return {
    ...summary,
    createdAt: config.createdAt,
    settings: config.settings,
    sharedWith: [...config.sharedWith],
    upstreams: [...config.upstreams],
    totals: master ? master.totals() : null,
    replicas: config.role === 'master' ? replicaLags(ctx, config, master) : [],
    twoPhase: twoPhaseView(ctx.backend.twoPhaseStatus(id), master?.log),
    upstream:
      config.role === 'replica' && upstreamId
        ? {
            deviceId: upstreamId,
            name: upstreamPeer?.name ?? '',
            connected: s?.connected ?? false,
            version: s?.upstreamVersion ?? 0,
          }
        : null,
    syncing: s?.syncing ?? false,
    bytesFetched: s?.bytesFetched ?? 0,
    localChanges: (s?.localChanges ?? []).slice(0, MAX_LOCAL_CHANGES).map((c) => ({
      path: c.path,
      kind: c.kind,
      kept: ctx.resolutions.isKept(id, c.path, c.kind),
    })),
    localChangesTotal: s?.localChanges.length ?? 0,
    conflicts: (s?.conflicts ?? [])
      .filter((c) => !ctx.resolutions.isSettled(id, c))
      .map((c) => ({ path: c.path, keptAs: c.keptAs, at: c.at })),
  };
}
