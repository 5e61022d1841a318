/**
 * A folder this device holds as a replica: a persistent local copy with its own log
 * (claim 3). It follows its upstream: on a change packet whose prior version is its own
 * it applies it (claims 7/8/12, 19); when it missed versions that the packet's window
 * covers it applies those in order; otherwise, and on a heartbeat ahead of it, it asks
 * for one delta (claims 1/5/20). Offline it keeps serving its data; it catches up by
 * one delta however long it was away.
 */
import { bytesOf } from '../../protocol/codec.js';
import type { MissingChunk } from '../replication/served-folder.js';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import type { PeerLink } from '../../protocol/link.js';
import type { Message, MessageOf, TextDelta, WireVersion } from '../../protocol/messages.js';
import type { Clock, TimerHandle } from '../clock.js';
import type { Entry, NewEntry, VersionInfo } from '../entry.js';
import { LanfoldError } from '../errors.js';
import type { Logger } from '../logger.js';
import { frameBuffers } from '../buffer-pool.js';
import { checkFolderRoot } from '../folder-root.js';
import { resolveIn, type RelPath } from '../relpath.js';
import { VersionLog } from '../store/version-log.js';
import { fromWire } from '../replication/wire-entries.js';
import { applyVersion, recoverApply, type ReplicaDisk, type ViewSwitch } from './apply.js';
import { readJournal } from './journal.js';
import { AtomicView, type AtomicViewOptions } from './view/atomic-view.js';
import { ChunkUnavailable, Fetcher, LinkLost } from './fetcher.js';
import { LocalChunks } from './local-chunks.js';
import { revertPath, type RevertOutcome } from './revert.js';
import { prestage, Prestaged, type StageSources } from './staging.js';
import { findLocalChanges, type LocalChange } from './local-changes.js';
import { IgnoreRules } from '../ignore-rules.js';
import { inScope, minimalRoots, WHOLE_FOLDER, type Scope } from '../scan/plan.js';
import { Batcher } from '../watch/batcher.js';
import { Participant } from '../twophase/participant.js';
import { FolderWatcher } from '../watch/watcher.js';

export interface ReplicaFolderOptions {
  readonly id: string;
  readonly root: string;
  readonly dataDir: string;
  /** This device's ID (names conflict files). */
  readonly deviceId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly onVersion?: (info: VersionInfo) => void;
  readonly onConflict?: (path: RelPath, keptAs: RelPath) => void;
  readonly onProgress?: (progress: { bytes: number; files: number; totalFiles: number }) => void;
  /**
   * Present the folder as a link switched between complete version directories (see
   * view/atomic-view.ts); the folder is converted at open when its shape differs. Left out,
   * the folder keeps the shape it has.
   */
  readonly atomicView?: boolean;
}

export interface ReplicaStatus {
  readonly head: number;
  /** The newest version the upstream announced. */
  readonly upstreamVersion: number;
  readonly connected: boolean;
  readonly syncing: boolean;
  readonly lastError: string | undefined;
  readonly conflicts: readonly { path: string; keptAs: string; at: number }[];
  readonly bytesFetched: number;
  /** Paths edited locally since the replica applied them (a mirror reports, never records, them). */
  readonly localChanges: readonly LocalChange[];
  /** The two-phase transaction this replica is prepared for, if any. */
  readonly prepared: { tx: string; version: number } | null;
  /** True when the folder is an atomic view (a link to the current version directory). */
  readonly atomicView: boolean;
}

interface DeltaWait {
  readonly id: number;
  /**
   * The entries so far, resolved against this replica's base as their parts arrive (no apply
   * runs meanwhile, so the base holds still). Resolved entries hold copies of their chunk
   * lists, so a part's frame is not kept alive by them once its inline files are staged.
   */
  readonly entries: NewEntry[];
  /** The first entry that did not fit this replica's base (the delta is then refused). */
  misfit: string | undefined;
  readonly texts: TextDelta[];
  readonly inline: Map<string, Buffer>;
  /** Inline files staged while the delta arrives (undefined: none are, see applyDelta). */
  prestaged: Prestaged | undefined;
  resolve(end: MessageOf<'delta-end'>): void;
  reject(err: Error): void;
}

const DELTA_TIMEOUT_MS = 120_000;
const RETRY_MS = 1000;
/** A replica with no version yet starts watching its folder at the latest this long after it opened. */
const FIRST_SYNC_WATCH_DELAY_MS = 30_000;

export class ReplicaFolder {
  readonly id: string;
  readonly root: string;
  readonly log: VersionLog;
  private readonly index = new Map<string, Entry>();
  private readonly local: LocalChunks;
  private readonly disk: ReplicaDisk;
  private link: PeerLink | undefined;
  private fetcher: Fetcher | undefined;
  private upstreamVersion = 0;
  private pendingChange: MessageOf<'change'> | undefined;
  private running = false;
  /**
   * Something asked for the catch-up loop while it (or a revert, or a view change) held the
   * folder, after the loop's last look at its inputs: run it once more when it is released.
   * A loop can end within the same tick in which a message arrives (a heartbeat starts it,
   * it finds nothing to do, and a prepare right behind it in the same read must not wait).
   */
  private kicked = false;
  private loop: Promise<void> = Promise.resolve();
  private delta: DeltaWait | undefined;
  private nextDeltaId = 1;
  private retryTimer: TimerHandle | undefined;
  /** The watch put off until the first sync ends (see watchLocal), with its latest start. */
  private watchDeferred: TimerHandle | undefined;
  /** The last failure outside the catch-up loop (a refusal, a view conversion). */
  private lastError: string | undefined;
  /** The catch-up loop's last failure (an apply): reaching the head by any way ends it. */
  private catchUpError: string | undefined;
  private readonly conflicts: { path: string; keptAs: string; at: number }[] = [];
  private bytesFetched = 0;
  private closed = false;
  private readonly localChanges = new Map<string, LocalChange>();
  private watcher: FolderWatcher | undefined;
  private batcher: Batcher | undefined;
  private localScan: Promise<void> = Promise.resolve();
  private reverts: Promise<unknown> = Promise.resolve();
  private readonly participant: Participant;
  /** The device:inode the folder path resolves to (the current version directory in an atomic view). */
  private rootId: string;
  private readonly viewOptions: AtomicViewOptions;
  private view: AtomicView | undefined;
  /** Watcher restarts (an atomic view re-points it at each switch), one at a time. */
  private watchChain: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReplicaFolderOptions) {
    this.id = options.id;
    this.root = path.resolve(options.root);
    mkdirSync(options.dataDir, { recursive: true });
    const logger = options.logger.child({ folder: options.id });
    this.viewOptions = {
      root: this.root,
      journalFile: path.join(options.dataDir, 'view-journal.json'),
      logger,
      now: () => options.clock.now(),
    };
    AtomicView.recoverConversion(this.viewOptions);
    this.rootId = checkFolderRoot(this.root);
    this.log = new VersionLog(path.join(options.dataDir, 'log.db'));
    this.local = new LocalChunks(this.root);
    this.disk = {
      root: this.root,
      journalFile: path.join(options.dataDir, 'apply-journal.json'),
      deviceId: options.deviceId,
      log: this.log,
      index: this.index,
      logger,
      now: () => options.clock.now(),
      sameContent: (rel, known) => this.sameContent(rel, known),
    };
    this.loadState();
    this.view = AtomicView.open(this.viewOptions);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the getter below reads the live root identity
    const self = this;
    this.participant = new Participant({
      folderId: options.id,
      disk: this.disk,
      file: path.join(options.dataDir, 'twophase-prepared.json'),
      get rootId() {
        return self.rootId;
      },
      clock: options.clock,
      logger,
      base: (p) => this.currentWithChunks(p),
      sources: (version, inline) => this.stageSources(version, inline, new Map()),
      localEdits: () => new Set(this.localChanges.keys()),
      applyCommitted: (t) =>
        this.apply(t.version, t.createdAt, t.method, [...t.entries], new Map(), new Map(), {
          via: '2pc',
          from: this.head(),
        }),
    });
    const pending = this.view?.recoverBuild(readJournal(this.disk.journalFile) !== undefined);
    const recovered = recoverApply(pending ? { ...this.disk, root: pending.root } : this.disk, {
      keepStaging: this.participant.prepared,
      ...(pending ? { view: pending } : {}),
    });
    if (pending) this.view?.finish();
    this.view?.reclaim();
    if (recovered) this.loadState();
    if (options.atomicView !== undefined) this.convertView(options.atomicView);
    this.rootId = checkFolderRoot(this.root);
  }

  /** Turns the atomic view on or off (crash-safe, see view/atomic-view.ts); nothing when it already is. */
  private convertView(on: boolean): void {
    if (on === (this.view !== undefined)) return;
    if (on) this.view = AtomicView.enable(this.viewOptions, this.head());
    else {
      this.view?.disable();
      this.view = undefined;
    }
    this.rootId = checkFolderRoot(this.root);
  }

  /**
   * Turns the atomic view on or off while the folder is open: waits for an apply or revert
   * under way, converts, and re-points the local watcher.
   */
  async setAtomicView(on: boolean): Promise<void> {
    if (on === (this.view !== undefined) || this.closed) return;
    const run = this.reverts.then(async () => {
      while (this.running) await this.loop.catch(() => undefined);
      this.running = true;
      try {
        this.convertView(on);
      } catch (err) {
        // Reported in status; the folder keeps the shape it has (a conversion cut half-way
        // by the error is finished at the next open, from its journal).
        this.lastError = err instanceof LanfoldError ? err.toLine() : String(err);
        this.options.logger.error({ err, folder: this.id }, 'changing the atomic view failed');
      } finally {
        this.release();
      }
      this.repointWatcher();
      if (this.head() < this.upstreamVersion) this.kick();
    });
    const settled = run.catch(() => undefined);
    this.reverts = settled;
    return settled;
  }

  private loadState(): void {
    this.index.clear();
    for (const e of this.log.stateAt(this.log.head(), { withChunks: true })) {
      this.index.set(e.path, { ...e, chunks: null });
      if (e.kind === 'file' && e.chunks) this.local.addFile(e.path, e.chunks);
    }
  }

  head(): number {
    return this.log.head();
  }

  /** The device this replica follows now, if its link is up. */
  upstream(): string | undefined {
    return this.link && !this.link.closed ? this.link.deviceId : undefined;
  }

  /**
   * Fetches a chunk for the replicas this folder relays to, when its own file no longer
   * holds it (a local edit here): from the upstream it follows, verified by hash like every
   * chunk it fetches. Undefined when no upstream is connected or it cannot give the chunk.
   */
  async fetchUpstream(missing: MissingChunk): Promise<Buffer | undefined> {
    const fetcher = this.fetcher;
    if (!fetcher) return undefined;
    try {
      const data = await fetcher.fetch(missing);
      this.options.logger.info(
        { folder: this.id, path: missing.path, index: missing.index },
        'chunk fetched upstream for a replica below',
      );
      return data;
    } catch {
      return undefined;
    }
  }

  /**
   * Watches the folder for local edits (and looks for those made while stopped). A replica
   * that holds no version yet starts watching once its first catch-up ends (or after
   * FIRST_SYNC_WATCH_DELAY_MS): watching while a first sync fills the folder made chokidar
   * `lstat` every new file of every new directory (0.43 s of a 20,000-file sync's main
   * thread), and the scan that starts the watch finds whatever was edited meanwhile.
   */
  watchLocal(): Promise<void> {
    this.batcher = new Batcher(
      this.options.clock,
      (batch) => {
        const scope: Scope = batch.full
          ? WHOLE_FOLDER
          : { all: false, roots: minimalRoots(batch.paths) };
        void this.rescanLocal(scope);
      },
      { quietMs: 200, maxDelayMs: 2000 },
    );
    if (this.head() === 0) {
      this.watchDeferred = this.options.clock.setTimeout(
        () => this.startDeferredWatch(),
        FIRST_SYNC_WATCH_DELAY_MS,
      );
      return Promise.resolve();
    }
    this.watchChain = this.startWatcher();
    return this.watchChain;
  }

  /** Starts the watch that watchLocal put off until the first sync (once). */
  private startDeferredWatch(): void {
    if (!this.watchDeferred || this.closed) return;
    this.watchDeferred.cancel();
    this.watchDeferred = undefined;
    this.watchChain = this.startWatcher().catch((err: unknown) =>
      this.options.logger.warn({ err, folder: this.id }, 'watching a replica folder failed'),
    );
  }

  /** Watches what the folder path shows now: the folder itself, or the current version directory of an atomic view. */
  private async startWatcher(): Promise<void> {
    const rules = IgnoreRules.load(this.root);
    const watcher = new FolderWatcher(
      this.view?.dir ?? this.root,
      () => rules,
      { onPath: (p) => this.batcher?.touch(p), onError: () => this.batcher?.touch() },
      this.options.logger,
      // Directories only, as on the master: a directory's watch names every child written,
      // renamed or chmodded. A watch per file cost an lstat and an inotify watch for each of
      // the files a first sync brings (~1.3 s of CPU and 20,000 watches for 20,000 files).
      { fileWatches: false },
    );
    this.watcher = watcher;
    await watcher.start();
    void this.rescanLocal(WHOLE_FOLDER);
  }

  /** After a switch or conversion: the watcher follows the link to the directory it now shows. */
  private repointWatcher(): void {
    if (!this.batcher || this.watchDeferred) return; // a deferred watch starts where the folder points then
    this.watchChain = this.watchChain
      .then(async () => {
        if (this.closed) return;
        await this.watcher?.close();
        this.watcher = undefined;
        await this.startWatcher();
      })
      .catch((err: unknown) =>
        this.options.logger.warn({ err, folder: this.id }, 're-pointing the local watcher failed'),
      );
  }

  /** Re-checks `scope` for local edits. */
  rescanLocal(scope: Scope = WHOLE_FOLDER): Promise<void> {
    this.localScan = this.localScan
      .then(async () => {
        if (this.closed) return;
        if (this.running) {
          // Our own apply is moving files: look again once it is done.
          this.options.clock.setTimeout(() => void this.rescanLocal(scope), 500);
          return;
        }
        const found = await findLocalChanges(this.root, this.index, scope, (rel, known) =>
          this.sameContent(rel, known),
        );
        for (const key of [...this.localChanges.keys()])
          if (inScope(key, scope)) this.localChanges.delete(key);
        for (const c of found) this.localChanges.set(c.path, c);
        if (found.length > 0)
          this.options.logger.info(
            { folder: this.id, changes: found.length },
            'local changes in a replica folder',
          );
      })
      .catch((err: unknown) =>
        this.options.logger.warn({ err, folder: this.id }, 'looking for local changes failed'),
      );
    return this.localScan;
  }

  status(): ReplicaStatus {
    return {
      head: this.head(),
      upstreamVersion: this.upstreamVersion,
      connected: this.link !== undefined && !this.link.closed,
      syncing: this.running,
      lastError: this.catchUpError ?? this.lastError,
      conflicts: this.conflicts,
      bytesFetched: this.bytesFetched + (this.fetcher?.received ?? 0),
      localChanges: [...this.localChanges.values()],
      prepared: this.participant.status(),
      atomicView: this.view !== undefined,
    };
  }

  /**
   * Undoes a local edit of `rel` (see revert.ts). Reverts run one at a time; each waits for
   * an apply under way and holds the next one back until it is done, then re-checks the
   * path for local changes.
   */
  revertLocal(rel: RelPath): Promise<RevertOutcome> {
    const run = this.reverts.then(() => this.revertNow(rel));
    this.reverts = run.catch(() => undefined);
    return run;
  }

  private async revertNow(rel: RelPath): Promise<RevertOutcome> {
    if (this.closed) throw new LanfoldError('INTERNAL', `Folder "${this.id}" is closing`);
    // Only the catch-up loop sets `running` here (reverts are serialised), and its promise
    // settles after it clears the flag.
    while (this.running) await this.loop.catch(() => undefined);
    this.running = true;
    let outcome: RevertOutcome;
    try {
      const known = this.index.get(rel);
      outcome = await revertPath(
        this.root,
        rel,
        known?.kind === 'file' ? this.log.entryAt(rel, this.head()) : known,
        { version: this.head(), local: this.local, fetcher: this.fetcher },
      );
    } finally {
      this.release();
    }
    this.options.logger.info({ folder: this.id, path: rel, outcome }, 'local change reverted');
    await this.rescanLocal({ all: false, roots: [rel] });
    if (this.head() < this.upstreamVersion) this.kick();
    return outcome;
  }

  /**
   * The upstream is connected: subscribe and catch up. Attaching another upstream's link
   * (a preferred relay is back, or the one followed went away) first drops the old one's
   * transfers; an apply under way stops and resumes from the new upstream.
   */
  attach(link: PeerLink): void {
    const old = this.link;
    if (old && old !== link) {
      this.bytesFetched += this.fetcher?.received ?? 0;
      this.link = undefined;
      this.fetcher?.abort('switched to another upstream');
      this.fetcher = undefined;
      this.delta?.reject(new LinkLost('switched to another upstream'));
    }
    // The last upstream's refusal or failure is not this connection's. The host may have
    // cut the old connection before attaching this one (a refusal, then the next upstream
    // connects), so this holds whether or not a link is still attached.
    if (old !== link) this.lastError = this.catchUpError = undefined;
    this.link = link;
    this.fetcher = new Fetcher(link, this.id, this.options.clock);
    link.onClose((reason) => {
      if (this.link !== link) return;
      this.bytesFetched += this.fetcher?.received ?? 0;
      this.link = undefined;
      this.fetcher = undefined;
      this.delta?.reject(new LinkLost(reason));
    });
    link.send({ t: 'subscribe', folder: this.id, have: this.head() });
  }

  handle(link: PeerLink, message: Message): void {
    if (link !== this.link) return;
    switch (message.t) {
      case 'heartbeat':
        this.upstreamVersion = Math.max(this.upstreamVersion, message.version);
        link.send({ t: 'ack', folder: this.id, version: this.head() });
        this.kick();
        return;
      case 'change':
        this.upstreamVersion = Math.max(this.upstreamVersion, message.current.version);
        if (!this.pendingChange || message.current.version > this.pendingChange.current.version)
          this.pendingChange = message;
        this.kick();
        return;
      case 'prepare':
        this.upstreamVersion = Math.max(this.upstreamVersion, message.prior);
        this.participant.onPrepare(message);
        this.kick();
        return;
      case 'decision':
        this.participant.onDecision(message);
        this.kick();
        return;
      case 'delta-part': {
        const d = this.delta;
        if (!d || d.id !== message.id) return;
        const first = d.entries.length;
        for (const w of message.entries) {
          const e = fromWire(w, (p) => this.currentWithChunks(p));
          if (e) d.entries.push(e);
          else d.misfit ??= w.path;
        }
        d.texts.push(...message.texts);
        for (const i of message.inline) d.inline.set(i.hash, bytesOf(i.data));
        if (d.prestaged) this.prestageInline(d, d.prestaged, first);
        // Every inline file of the part staged (entries and texts are copies): nothing reads
        // its frame any more, so the decoder may fill it with the next part.
        if (message.inline.length > 0 && message.inline.every((i) => !d.inline.has(i.hash)))
          frameBuffers.release(message.inline[0]!.data);
        return;
      }
      case 'delta-end':
        if (this.delta?.id === message.id) this.delta.resolve(message);
        return;
      case 'data':
        this.fetcher?.onAnswer(message.id, message.data);
        return;
      case 'nodata':
        this.fetcher?.onAnswer(message.id, undefined, message.reason);
        return;
      case 'refuse':
        this.lastError = `upstream refused the folder: ${message.reason}`;
        this.options.logger.error(
          { folder: this.id, reason: message.reason },
          'upstream refused the folder',
        );
        return;
      default:
        this.options.logger.warn(
          { folder: this.id, t: message.t },
          'unexpected message for a replica folder',
        );
    }
  }

  /** Starts the catch-up loop, or has it run again once whatever holds the folder lets go. */
  private kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.kicked = true;
      return;
    }
    this.running = true;
    this.loop = this.catchUp().finally(() => this.release());
  }

  /** Lets go of the folder (loop, revert or view change), running the loop if it was asked for meanwhile. */
  private release(): void {
    this.running = false;
    if (!this.kicked) return;
    this.kicked = false;
    this.kick();
  }

  private async catchUp(): Promise<void> {
    while (!this.closed && this.link) {
      const link = this.link;
      // This pass looks at every input afresh: a kick before it is served by it.
      this.kicked = false;
      try {
        // A prepared transaction is resolved before anything else; a prepare is voted on
        // once this replica holds its prior version.
        if (this.participant.prepared) {
          const before = this.head();
          await this.participant.resolve(link);
          if (this.head() !== before)
            link.send({ t: 'ack', folder: this.id, version: this.head() });
          continue;
        }
        const prepare = this.participant.pending;
        if (prepare && this.head() >= prepare.prior) {
          await this.participant.prepare(link, prepare);
          continue;
        }
        if (this.head() >= this.upstreamVersion) {
          // Caught up, perhaps by a two-phase commit after a failed catch-up: that failure is over.
          this.catchUpError = undefined;
          this.startDeferredWatch();
          break;
        }
        this.checkRoot();
        const change = this.pendingChange;
        this.pendingChange = undefined;
        if (!(change && change.current.version > this.head() && (await this.applyChange(change)))) {
          await this.applyDelta(link);
        }
        this.lastError = this.catchUpError = undefined;
        link.send({ t: 'ack', folder: this.id, version: this.head() });
      } catch (err) {
        if (err instanceof LinkLost) return;
        const message =
          err instanceof LanfoldError
            ? err.toLine()
            : err instanceof Error
              ? err.message
              : String(err);
        this.catchUpError = message;
        const prepare = this.participant.pending;
        if (prepare && this.head() < prepare.prior)
          this.participant.refuse(link, `could not catch up to v${prepare.prior}: ${message}`);
        if (!(err instanceof ChunkUnavailable))
          this.options.logger.error(
            { err, folder: this.id },
            'applying a version failed; retrying',
          );
        this.retryTimer?.cancel();
        this.retryTimer = this.options.clock.setTimeout(() => this.kick(), RETRY_MS);
        this.kicked = false; // the retry comes back; messages meanwhile must not hurry it
        return;
      }
    }
  }

  /**
   * Refuses to apply while the folder root is missing or another directory (an unmounted
   * disk, a folder renamed away): applying would recreate it empty, and deletions would
   * find nothing; the replica retries until the root is back.
   */
  private checkRoot(): void {
    let id: string | undefined;
    try {
      id = checkFolderRoot(this.root);
    } catch {
      id = undefined;
    }
    if (id !== this.rootId)
      throw new LanfoldError(
        'FOLDER_MISSING',
        `Folder root ${this.root} is ${id === undefined ? 'missing' : 'another directory than the one opened'}; nothing applied`,
        'remount or move it back; the replica then catches up',
      );
  }

  /** Applies a change packet (with the window's earlier versions if needed); false when it does not connect to our head. */
  private async applyChange(change: MessageOf<'change'>): Promise<boolean> {
    const versions = [...change.window, change.current].filter((v) => v.version > this.head());
    if (versions.length === 0 || versions[0]!.prior !== this.head()) return false;
    for (let i = 1; i < versions.length; i++)
      if (versions[i]!.prior !== versions[i - 1]!.version) return false;
    const net = this.mergeVersions(versions);
    if (!net) return false;
    const inline = new Map(change.inline.map((i) => [i.hash, bytesOf(i.data)]));
    await this.apply(
      change.current.version,
      change.current.createdAt,
      change.current.method,
      net,
      inline,
      new Map(),
      { via: 'change', from: versions[0]!.prior, versions: versions.length },
    );
    return true;
  }

  /** The net effect of consecutive versions, each resolved against the state the previous ones leave. */
  private mergeVersions(versions: readonly WireVersion[]): NewEntry[] | undefined {
    const overlay = new Map<string, NewEntry>();
    for (const v of versions) {
      for (const w of v.entries) {
        const entry = fromWire(w, (p) => {
          const o = overlay.get(p);
          if (o) return o.kind === 'none' ? undefined : { ...o, seq: 0 };
          return this.currentWithChunks(p);
        });
        if (!entry) return undefined;
        overlay.set(entry.path, entry);
      }
    }
    return [...overlay.values()];
  }

  private currentWithChunks(p: RelPath): Entry | undefined {
    const e = this.index.get(p);
    return e?.kind === 'file' ? this.log.entryAt(p, this.head()) : e;
  }

  /**
   * Stages the inline files of a delta part while later parts are still on their way: the
   * replica would otherwise wait for the whole delta, then stage everything. A file that
   * cannot be staged here is simply staged by the apply, which also checks everything it is
   * given again (the version, its paths, its local edits).
   */
  private prestageInline(d: DeltaWait, prestaged: Prestaged, from: number): void {
    for (let i = from; i < d.entries.length; i++) {
      const entry = d.entries[i]!;
      const data = entry.kind === 'file' && entry.hash ? d.inline.get(entry.hash) : undefined;
      if (!data) continue;
      try {
        // Staged content is not kept in memory until the apply: a first sync of many small
        // files would otherwise hold all of them. The apply finds the staged file (and
        // restamps it for another mode); were it gone, it fetches the content again.
        if (prestage(this.root, entry, data, prestaged)) d.inline.delete(entry.hash!);
      } catch (err) {
        this.options.logger.debug({ err, folder: this.id }, 'staging ahead stopped');
        d.prestaged = undefined;
        return;
      }
    }
  }

  private async applyDelta(link: PeerLink): Promise<void> {
    const id = this.nextDeltaId++;
    const have = this.head();
    const end = await new Promise<MessageOf<'delta-end'>>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(
        () => reject(new LinkLost('delta timed out')),
        DELTA_TIMEOUT_MS,
      );
      this.delta = {
        id,
        entries: [],
        misfit: undefined,
        texts: [],
        inline: new Map(),
        // Not in an atomic view (its apply stages into the version directory it builds), nor
        // while a two-phase transaction holds staged files of its own.
        prestaged: this.view || this.participant.prepared ? undefined : new Prestaged(this.root),
        resolve: (m) => {
          timer.cancel();
          resolve(m);
        },
        reject: (e) => {
          timer.cancel();
          reject(e);
        },
      };
      link.send({ t: 'delta-req', folder: this.id, id, have });
      this.options.logger.info(
        { folder: this.id, have, upstream: this.upstreamVersion },
        'delta requested',
      );
    });
    const d = this.delta!;
    this.delta = undefined;
    this.options.logger.debug(
      {
        folder: this.id,
        from: end.from,
        to: end.to,
        entries: d.entries.length,
        texts: d.texts.length,
        // Inline files still held: those not staged while the delta arrived.
        inline: d.inline.size,
        prestaged: d.prestaged?.size ?? 0,
      },
      'delta received',
    );
    if (end.to <= have || end.from !== have) {
      this.upstreamVersion = Math.max(have, Math.min(this.upstreamVersion, end.to));
      return;
    }
    if (d.misfit !== undefined)
      throw new LanfoldError('INTERNAL', `delta for ${d.misfit} does not fit this replica's base`);
    await this.apply(
      end.to,
      end.createdAt,
      '1pc',
      d.entries,
      d.inline,
      new Map(d.texts.map((t) => [t.path, t])),
      { via: 'delta', from: end.from, texts: d.texts.length },
      d.prestaged,
    );
  }

  private async apply(
    version: number,
    createdAt: number,
    method: VersionInfo['method'],
    entries: NewEntry[],
    inline: Map<string, Buffer>,
    texts: Map<string, TextDelta>,
    how: { via: 'change' | 'delta' | '2pc'; from: number; versions?: number; texts?: number },
    prestaged?: Prestaged,
  ): Promise<void> {
    const files = entries.filter((e) => e.kind === 'file').length;
    const result = await applyVersion(
      this.disk,
      { version, createdAt, method, entries },
      { ...this.stageSources(version, inline, texts, files), prestaged },
      this.view && this.viewSwitch(this.view, version, entries),
    );
    if (this.view) {
      this.view.finish();
      this.rootId = checkFolderRoot(this.root);
      this.repointWatcher();
    }
    for (const e of entries)
      if (e.kind === 'file' && e.chunks) this.local.addFile(e.path, e.chunks);
    for (const c of result.conflicts) {
      this.conflicts.push({ path: c.path, keptAs: c.keptAs, at: this.options.clock.now() });
      this.options.onConflict?.(c.path, c.keptAs);
    }
    for (const e of entries) this.localChanges.delete(e.path);
    this.options.logger.info(
      {
        folder: this.id,
        version,
        ...how,
        changes: entries.length,
        conflicts: result.conflicts.length,
      },
      'version applied',
    );
    this.options.onVersion?.(result.info);
  }

  /** The atomic view's part of applying `version`: build its directory, then switch the link to it. */
  private viewSwitch(view: AtomicView, version: number, entries: readonly NewEntry[]): ViewSwitch {
    const touched = new Set<string>();
    for (const e of entries) {
      touched.add(e.path);
      if (e.movedFrom) touched.add(e.movedFrom);
    }
    return {
      build: () => view.build(version),
      publish: () => {
        view.publish(version, { touched, tracked: (p) => this.index.has(p) });
      },
    };
  }

  /** Where staging finds a version's content: inline data, text deltas, local chunks, the upstream. */
  private stageSources(
    version: number,
    inline: Map<string, Buffer>,
    texts: Map<string, TextDelta>,
    files = 0,
  ): StageSources {
    let bytes = 0;
    return {
      version,
      local: this.local,
      inline,
      texts,
      currentContent: (p, hash) => this.currentContent(p as RelPath, hash),
      fetcher: this.fetcher,
      onBytes: (n) => {
        bytes += n;
        this.options.onProgress?.({ bytes, files, totalFiles: files });
      },
    };
  }

  /** The replica's current content of `p` if it is intact and has `hash` (base of a text delta). */
  private currentContent(p: RelPath, hash: string): Buffer | undefined {
    const known = this.log.entryAt(p, this.head());
    if (!known || known.kind !== 'file' || known.hash !== hash || !known.chunks) return undefined;
    return readVerified(resolveIn(this.root, p), known);
  }

  private sameContent(rel: RelPath, known: Entry): boolean {
    const withChunks = known.chunks ? known : this.log.entryAt(rel, this.head());
    return withChunks?.chunks
      ? readVerified(resolveIn(this.root, rel), withChunks) !== undefined
      : false;
  }

  /** Stops following the upstream; an apply under way finishes (or, cut off, leaves its journal for the next start). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.retryTimer?.cancel();
    this.watchDeferred?.cancel();
    this.delta?.reject(new LinkLost('closing'));
    this.participant.interrupt();
    this.batcher?.dispose();
    this.view?.close();
    await this.watchChain.catch(() => undefined);
    await this.watcher?.close();
    await this.loop.catch(() => undefined);
    await this.localScan;
    this.log.close();
  }
}

/** The whole file, if every chunk of `known` matches it; undefined otherwise. */
function readVerified(full: string, known: Entry): Buffer | undefined {
  if (!known.chunks || known.size > 64 * 1024 * 1024) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(full, 'r');
    const data = Buffer.allocUnsafe(known.size);
    if (readSync(fd, data, 0, known.size, 0) !== known.size) return undefined;
    const extra = Buffer.allocUnsafe(1);
    if (readSync(fd, extra, 0, 1, known.size) !== 0) return undefined;
    let offset = 0;
    for (const c of known.chunks) {
      if (
        !createHash('sha256')
          .update(data.subarray(offset, offset + c.size))
          .digest()
          .equals(c.hash)
      )
        return undefined;
      offset += c.size;
    }
    return data;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
