/**
 * The serving side of replication for one folder (a master's, or a relay's replica folder):
 * it serves the folder to the replicas it is shared with, sends each new version as a change packet (small files inline, plus a
 * window of recent versions), heartbeats the current version until each replica
 * acknowledges it, and answers delta and chunk requests.
 */
import { readFileSync } from 'node:fs';
import type { MessageOf, WireVersion } from '../../protocol/messages.js';
import {
  INLINE_FILE_BYTES,
  MAX_CHUNK_BYTES,
  runsOf,
  type Message,
} from '../../protocol/messages.js';
import type { PeerLink } from '../../protocol/link.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Entry, VersionInfo } from '../entry.js';
import type { Logger } from '../logger.js';
import { resolveIn, type RelPath } from '../relpath.js';
import { bulkBuffers } from '../buffer-pool.js';
import { matchesChunks } from '../chunk-list.js';
import { ChunkServer } from './chunk-server.js';
import { buildDelta } from './delta-builder.js';
import type { DeletionGuardHost, HopControl } from './hop.js';
import { priorOf, type ServedFolder } from './served-folder.js';
import { toWire } from './wire-entries.js';
import { Coordinator, type CoordinatorStatus } from '../twophase/coordinator.js';
import { TxStore, type TxVote } from '../twophase/tx-store.js';
import { deletedPaths, massDeletion } from '../twophase/deletion-guard.js';

export interface PublisherOptions {
  /** A master's folder, or a relay's replica folder (see served-folder.ts). */
  readonly folder: ServedFolder;
  /** This hop's two-phase settings (a master's folder settings, or a relay's own). */
  readonly hop: HopControl;
  readonly isShared: (deviceId: string) => boolean;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Period of the steady heartbeat (claim 9), ms. */
  readonly heartbeatMs: number;
  /** How many earlier versions ride along in a change packet (claim 14). */
  readonly windowVersions: number;
  /**
   * A relay's way to its upstream: reports of two-phase changes on the hops below go up
   * (claim 35), so the master's history shows every level. Absent on a master.
   */
  readonly reportUpstream?: {
    readonly selfId: string;
    send(report: MessageOf<'report'>): void;
  };
  /** How long a two-phase prepare waits for votes, ms (a silent replica votes no). */
  readonly voteTimeoutMs?: number;
}

/** What the master knows of one connected replica. */
export interface ReplicaState {
  readonly deviceId: string;
  readonly name: string;
  readonly acked: number;
  readonly connectedAt: number;
}

interface Subscriber {
  readonly link: PeerLink;
  acked: number;
  readonly connectedAt: number;
  timer: TimerHandle | undefined;
  backoffMs: number;
}

/** Replicas one report names at most (the message's limit). */
const MAX_REPORT_RESULTS = 1000;
const INLINE_BUDGET_BYTES = 4 * 1024 * 1024;
const WINDOW_MAX_ENTRIES = 5000;
/** Chunk-list bytes a change packet's window may carry (a first scan of a big file is not resent with every edit). */
const WINDOW_MAX_CHUNK_BYTES = 64 * 1024;
/** Versions with more entries than this are announced by heartbeat and fetched as a delta. */
const CHANGE_MAX_ENTRIES = 1000;
/** How long after serving a chunk the folder counts as busy (background work waits). */
const SERVING_QUIET_MS = 1000;

export class FolderPublisher {
  private readonly subs = new Map<string, Subscriber>();
  private readonly chunks: ChunkServer;
  private readonly txs: TxStore;
  private readonly coordinator: Coordinator;
  private closed = false;
  private restoring: Promise<void> | undefined;

  constructor(private readonly options: PublisherOptions) {
    const f = options.folder;
    const guard = options.hop.guard;
    this.chunks = new ChunkServer(f.root, f.log, f.content, f.fetchMissing?.bind(f));
    this.txs = new TxStore(f.log.file);
    this.coordinator = new Coordinator({
      folderId: f.id,
      log: f.log,
      store: this.txs,
      clock: options.clock,
      logger: options.logger,
      policy: () => options.hop.policy(),
      twoPhase: (info) => options.hop.twoPhase(info),
      voteTimeoutMs: options.voteTimeoutMs ?? 10_000,
      participants: () =>
        [...this.subs.values()].filter((s) => !s.link.closed).map((s) => s.link.deviceId),
      send: (replica, message) => {
        const sub = this.subs.get(replica);
        if (sub && !sub.link.closed) sub.link.send(message);
      },
      prepareOf: (prior, to, tx) => this.prepareOf(prior, to, tx),
      onRelease: (info, via1pc) => this.onRelease(info, via1pc),
      guarded: guard
        ? (prior, version) => massDeletion(f.log, prior, version, guard.ratio()) !== undefined
        : undefined,
      hold: guard ? (prior, to) => this.holdReason(guard, prior, to.seq) : undefined,
      onDecided: (attempt, votes) => this.reportDecision(attempt, votes),
    });
  }

  /**
   * Why (prior, to] is held by the deletion guard, or undefined. An approval covers the
   * deletions up to its version; a rejection restores the deleted files on the master (a
   * new version), after which the range is judged again.
   */
  private holdReason(guard: DeletionGuardHost, prior: number, to: number): string | undefined {
    const { folder, logger } = this.options;
    const verdict = this.txs.verdict(prior, to);
    if (verdict?.verdict === 'reject' && !verdict.done) {
      if (!this.restoring) {
        const paths = deletedPaths(folder.log, prior, verdict.version);
        logger.warn(
          { prior, version: verdict.version, paths: paths.length },
          'deletion rejected; restoring',
        );
        this.restoring = guard
          .restorePaths(paths as RelPath[], prior)
          .then((r) =>
            logger.info(
              { written: r.written, skipped: r.skipped.length, version: r.version?.seq },
              'deleted files restored',
            ),
          )
          .catch((err: unknown) => logger.error({ err }, 'restoring rejected deletions failed'))
          .finally(() => {
            this.txs.verdictDone(verdict.version);
            this.restoring = undefined;
            this.coordinator.pump();
          });
      }
      return 'rejected: restoring the deleted files on the master';
    }
    const from = verdict?.verdict === 'approve' ? verdict.version : prior;
    const why = massDeletion(folder.log, from, to, guard.ratio());
    return why === undefined ? undefined : `held deletion: ${why}`;
  }

  /** A relay's coordinator decided an attempt: tell the upstream how the hop below went. */
  private reportDecision(
    attempt: { prior: number; version: number },
    votes: readonly TxVote[],
  ): void {
    const up = this.options.reportUpstream;
    if (!up || votes.length === 0) return;
    up.send({
      t: 'report',
      folder: this.folderId,
      prior: attempt.prior,
      version: attempt.version,
      results: votes.slice(0, MAX_REPORT_RESULTS).map((v) => ({
        replica: v.replica,
        name: (this.subs.get(v.replica)?.link.name ?? '').slice(0, 64),
        via: up.selfId,
        outcome: v.outcome,
        reason: v.reason.slice(0, 500),
      })),
    });
  }

  /** A relay below reported its hop: keep it for the history, and pass it on upward. */
  private receiveReport(link: PeerLink, report: MessageOf<'report'>): void {
    if (this.subs.get(link.deviceId)?.link !== link) return;
    this.txs.report(report.prior, report.version, report.results, this.options.clock.now());
    this.options.reportUpstream?.send(report);
  }

  /** Retries a version blocked by an abort now (its cause may be gone: a setting changed). */
  retryBlocked(): void {
    this.coordinator.retryNow();
  }

  /** Two-phase commit's state, for status. */
  twoPhase(): CoordinatorStatus {
    return this.coordinator.status();
  }

  /** When version `seq` was created (0 when unknown): a paused folder's empty delta says it. */
  createdAtOf(seq: number): number {
    return this.options.folder.log.version(seq)?.createdAt ?? 0;
  }

  get folderId(): string {
    return this.options.folder.id;
  }

  replicas(): ReplicaState[] {
    return [...this.subs.values()].map((s) => ({
      deviceId: s.link.deviceId,
      name: s.link.name,
      acked: s.acked,
      connectedAt: s.connectedAt,
    }));
  }

  /** Handles a message from a replica for this folder. */
  handle(link: PeerLink, message: Message): void {
    if (message.t !== 'subscribe' && this.authorized(link))
      this.coordinator.onActivity(link.deviceId);
    switch (message.t) {
      case 'subscribe':
        return this.subscribe(link, message);
      case 'ack': {
        const sub = this.subs.get(link.deviceId);
        if (sub && sub.link === link) {
          sub.acked = Math.max(sub.acked, Math.min(message.version, this.head()));
          this.options.logger.debug(
            { replica: link.deviceId, version: message.version, head: this.head() },
            'ack received',
          );
          if (sub.acked >= this.head()) this.scheduleHeartbeat(sub, this.options.heartbeatMs, true);
        }
        return;
      }
      case 'delta-req':
        if (this.authorized(link)) void this.sendDelta(link, message);
        return;
      case 'get':
        if (this.authorized(link)) void this.serveChunk(link, message);
        return;
      case 'vote':
        if (this.authorized(link)) this.coordinator.onVote(link.deviceId, message);
        return;
      case 'staging':
        if (this.authorized(link)) this.coordinator.onStaging(link.deviceId, message.tx);
        return;
      case 'outcome-req':
        if (this.authorized(link)) this.coordinator.onOutcomeRequest(link.deviceId, message.tx);
        return;
      case 'report':
        if (this.authorized(link)) this.receiveReport(link, message);
        return;
      case 'unsubscribe':
        // The replica follows another upstream now (a relay it prefers is back).
        if (this.authorized(link)) {
          this.detach(link);
          this.options.logger.info({ replica: link.deviceId }, 'replica unsubscribed');
        }
        return;
      default:
        this.options.logger.warn(
          { from: link.deviceId, t: message.t },
          'unexpected message for a master folder',
        );
    }
  }

  private authorized(link: PeerLink): boolean {
    return this.subs.get(link.deviceId)?.link === link;
  }

  /** The newest version replicas may have: the coordinator releases versions in order. */
  private head(): number {
    return this.coordinator.released();
  }

  private subscribe(link: PeerLink, message: MessageOf<'subscribe'>): void {
    if (!this.options.isShared(link.deviceId)) {
      link.send({
        t: 'refuse',
        folder: this.folderId,
        reason: 'this folder is not shared with your device',
      });
      this.options.logger.warn(
        { from: link.deviceId },
        'refused a subscription: folder not shared with that device',
      );
      return;
    }
    const old = this.subs.get(link.deviceId);
    if (old) old.timer?.cancel();
    const sub: Subscriber = {
      link,
      acked: Math.min(message.have, this.head()),
      connectedAt: this.options.clock.now(),
      timer: undefined,
      backoffMs: 250,
    };
    this.subs.set(link.deviceId, sub);
    link.onClose(() => this.detach(link));
    this.options.logger.info(
      { replica: link.deviceId, have: message.have, head: this.head() },
      'replica subscribed',
    );
    this.heartbeat(sub);
    this.coordinator.onSubscribe(link.deviceId);
  }

  detach(link: PeerLink): void {
    const sub = this.subs.get(link.deviceId);
    if (sub && sub.link === link) {
      sub.timer?.cancel();
      this.subs.delete(link.deviceId);
      this.coordinator.onDetach(link.deviceId);
    }
  }

  /** Sends a heartbeat now and schedules the next one: quickly while unacknowledged, else at the steady period. */
  private heartbeat(sub: Subscriber): void {
    if (this.closed || sub.link.closed) return;
    const head = this.head();
    sub.link.send({ t: 'heartbeat', folder: this.folderId, version: head });
    this.options.logger.debug(
      { replica: sub.link.deviceId, version: head, acked: sub.acked },
      'heartbeat sent',
    );
    if (sub.acked < head) {
      // A replica is catching up (an initial sync: a delta, then its chunks and its apply):
      // history retention waits until the next heartbeat, so that it takes neither the CPU
      // nor the disk from the transfer (bounded by the folder's longest deferral).
      this.options.folder.deferBackgroundWork(sub.backoffMs + SERVING_QUIET_MS);
      this.scheduleHeartbeat(sub, sub.backoffMs, false);
      sub.backoffMs = Math.min(sub.backoffMs * 2, this.options.heartbeatMs);
    } else {
      this.scheduleHeartbeat(sub, this.options.heartbeatMs, true);
    }
  }

  private scheduleHeartbeat(sub: Subscriber, ms: number, resetBackoff: boolean): void {
    sub.timer?.cancel();
    if (resetBackoff) sub.backoffMs = 250;
    sub.timer = this.options.clock.setTimeout(() => this.heartbeat(sub), ms);
  }

  /** Called after the master commits a version: the coordinator releases it in order. */
  onVersion(_info: VersionInfo): void {
    this.chunks.invalidate();
    this.coordinator.pump();
  }

  /** A version was released: a one-phase one is pushed; after a two-phase commit, heartbeats bring up the replicas that did not take part (claims 28-30). */
  private onRelease(info: VersionInfo, via1pc: boolean): void {
    if (via1pc) {
      this.pushVersion(info);
      return;
    }
    for (const sub of this.subs.values()) {
      sub.backoffMs = 250;
      this.heartbeat(sub);
    }
  }

  /** The prepare of (prior, to]: the net effect per path, chunk lists as edits of the prior version's. */
  private prepareOf(prior: number, to: VersionInfo, tx: string): Message {
    const log = this.options.folder.log;
    const ops = log.scope(prior, to.seq);
    return {
      t: 'prepare',
      folder: this.folderId,
      tx,
      prior,
      version: {
        prior,
        version: to.seq,
        createdAt: to.createdAt,
        method: '2pc',
        entries: ops.map((e) =>
          toWire(e, e.kind === 'file' ? log.entryAt(e.path, prior) : undefined),
        ),
      },
      inline: this.inlineData(ops),
    };
  }

  /** Pushes a released version to every replica (claims 1, 11, 14). */
  private pushVersion(info: VersionInfo): void {
    if (this.subs.size === 0) return;
    const log = this.options.folder.log;
    if (info.changes > CHANGE_MAX_ENTRIES) {
      // A big version (a first scan, a large copy) travels better as a delta: its small files
      // come inline in parts and nothing is sent twice. The heartbeat makes replicas ask for it.
      for (const sub of this.subs.values()) {
        sub.backoffMs = 250;
        this.heartbeat(sub);
      }
      return;
    }
    const current = this.wireVersion(
      info.seq,
      info.createdAt,
      info.method,
      log.operations(info.seq),
    );
    const inline = this.inlineData(log.operations(info.seq));
    this.options.logger.debug(
      {
        version: info.seq,
        prior: current.prior,
        inline: inline.length,
        replicas: this.subs.size,
      },
      'change packet sent',
    );
    // Each replica gets only the earlier versions it lacks (claim 14): one that acknowledged
    // the prior version needs none, so a steady stream of edits sends no history twice.
    const windows = new Map<number, WireVersion[]>();
    for (const sub of this.subs.values()) {
      const from = Math.max(sub.acked + 1, info.seq - this.options.windowVersions);
      let window = windows.get(from);
      if (!window) {
        window = this.windowOf(info.seq, from);
        windows.set(from, window);
      }
      sub.link.send({ t: 'change', folder: this.folderId, current, window, inline });
      sub.backoffMs = 250;
      this.scheduleHeartbeat(sub, sub.backoffMs, false);
    }
  }

  /**
   * The versions [from, seq) that fit the window's budgets, newest kept first (a replica can
   * use a window only from its own version on; a longer gap is bridged by a delta request).
   */
  private windowOf(seq: number, from: number): WireVersion[] {
    const log = this.options.folder.log;
    const window: WireVersion[] = [];
    let entries = 0;
    let bytes = 0;
    const folder = this.options.folder;
    for (let v = priorOf(folder, seq); v >= Math.max(1, from); v = priorOf(folder, v)) {
      const info = log.version(v);
      if (!info) break;
      const ops = log.operations(v);
      entries += ops.length;
      if (entries > WINDOW_MAX_ENTRIES) break;
      const wire = this.wireVersion(v, info.createdAt, info.method, ops);
      bytes += wireChunkBytes(wire);
      if (bytes > WINDOW_MAX_CHUNK_BYTES) break;
      window.unshift(wire);
    }
    return window;
  }

  private wireVersion(
    seq: number,
    createdAt: number,
    method: VersionInfo['method'],
    ops: Entry[],
  ): WireVersion {
    const log = this.options.folder.log;
    const prior = priorOf(this.options.folder, seq);
    return {
      prior,
      version: seq,
      createdAt,
      method,
      entries: ops.map((e) =>
        toWire(e, e.kind === 'file' ? log.entryAt(e.path, prior) : undefined, (p) =>
          log.entryAt(p, prior),
        ),
      ),
    };
  }

  /** Small new files of a version, read now and kept only if they still match what was recorded. */
  private inlineData(ops: Entry[]): { hash: string; data: Uint8Array }[] {
    const out: { hash: string; data: Uint8Array }[] = [];
    let budget = INLINE_BUDGET_BYTES;
    const root = this.options.folder.root;
    for (const e of ops) {
      if (
        e.kind !== 'file' ||
        !e.hash ||
        !e.chunks ||
        e.size > INLINE_FILE_BYTES ||
        e.size > budget ||
        e.op === 'meta' ||
        e.op === 'move'
      )
        continue;
      try {
        const data = readFileSync(resolveIn(root, e.path));
        if (data.length === e.size && matchesChunks(data, e.chunks)) {
          out.push({ hash: e.hash, data });
          budget -= data.length;
        }
      } catch {
        // Changed or gone since it was recorded: the replica will fetch or ask for a delta.
      }
    }
    return out;
  }

  private async sendDelta(link: PeerLink, req: MessageOf<'delta-req'>): Promise<void> {
    const folder = this.options.folder;
    folder.deferBackgroundWork(SERVING_QUIET_MS);
    try {
      const head = this.head();
      const from = Math.min(req.have, head);
      const sent = { parts: 0, entries: 0, texts: 0, inline: 0 };
      for await (const part of buildDelta(folder, from, head)) {
        if (link.closed) return;
        link.send({ t: 'delta-part', folder: this.folderId, id: req.id, ...part });
        sent.parts++;
        sent.entries += part.entries.length;
        sent.texts += part.texts.length;
        sent.inline += part.inline.length;
        await link.drained();
      }
      const v = folder.log.version(head);
      link.send({
        t: 'delta-end',
        folder: this.folderId,
        id: req.id,
        from,
        to: head,
        createdAt: v?.createdAt ?? 0,
      });
      this.options.logger.info(
        { replica: link.deviceId, have: req.have, from, to: head, ...sent },
        'delta served',
      );
    } catch (err) {
      this.options.logger.error({ err, replica: link.deviceId }, 'building a delta failed');
      link.send({
        t: 'delta-end',
        folder: this.folderId,
        id: req.id,
        from: req.have,
        to: req.have,
        createdAt: 0,
      });
    }
  }

  private async serveChunk(link: PeerLink, req: MessageOf<'get'>): Promise<void> {
    // Retention of history waits while replicas fetch: they come first.
    this.options.folder.deferBackgroundWork(SERVING_QUIET_MS);
    let data: Buffer | undefined;
    try {
      data = await this.chunks.readRuns(runsOf(req), MAX_CHUNK_BYTES);
    } catch (err) {
      this.options.logger.warn({ err, path: req.path }, 'reading a chunk to serve failed');
      data = undefined;
    }
    if (link.closed) return;
    if (data) {
      const sent = data;
      link.send({ t: 'data', folder: this.folderId, id: req.id, data }, () =>
        bulkBuffers.release(sent),
      );
    } else link.send({ t: 'nodata', folder: this.folderId, id: req.id, reason: 'superseded' });
  }

  close(): void {
    this.closed = true;
    this.coordinator.close();
    this.txs.close();
    for (const sub of this.subs.values()) sub.timer?.cancel();
    this.subs.clear();
    this.chunks.close();
  }
}

/** Bytes of chunk lists (whole or as edits) in a version's wire form. */
function wireChunkBytes(v: WireVersion): number {
  let n = 0;
  for (const e of v.entries) {
    if (e.chunks instanceof Uint8Array) n += e.chunks.length;
    else if (e.chunks) for (const op of e.chunks.ops) n += op[0] === 0 ? 12 : op[1].length + 4;
  }
  return n;
}
