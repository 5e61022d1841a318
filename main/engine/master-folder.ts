/**
 * A folder on the device that is its master: it watches the folder, and turns each batch
 * of changes into one numbered version in the version log (claim 4), keeping past content
 * in the content store (claim 2). Every version-producing step runs through one queue.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  digestFile,
  redigestFile,
  FileChangedWhileReading,
  DEFAULT_CHUNK_PARAMS,
  type ChunkParams,
} from './chunker.js';
import { systemClock, type Clock } from './clock.js';
import type { Entry, PathStat, VersionInfo } from './entry.js';
import { errnoCode, LanfoldError } from './errors.js';
import type { FolderSettings } from './folder-settings.js';
import { readEntryContent } from './history-content.js';
import { checkFolderRoot } from './folder-root.js';
import { IGNORE_FILE, IgnoreRules, STAGING_DIR } from './ignore-rules.js';
import { silentLogger, type Logger } from './logger.js';
import { chooseMethod } from './method.js';
import { isWithin, parentOf, resolveIn, type RelPath } from './relpath.js';
import { assertSafeParents } from './replica/fs-safety.js';
import { retainFiles } from './retain.js';
import {
  buildEntries,
  diffState,
  inScope,
  minimalRoots,
  movesByInode,
  needsDigest,
  WHOLE_FOLDER,
  type Content,
  type Observation,
  type Scope,
  type StateDiff,
} from './scan/plan.js';
import { statPath, walk } from './scan/walk.js';
import { ContentStore } from './store/content-store.js';
import { VersionLog } from './store/version-log.js';
import { Batcher, type Batch } from './watch/batcher.js';
import { FolderWatcher } from './watch/watcher.js';

export interface ScanProgress {
  readonly phase: 'walking' | 'hashing';
  readonly files: number;
  readonly totalFiles: number;
  readonly bytes: number;
  readonly totalBytes: number;
}

export interface MasterFolderOptions {
  readonly id: string;
  readonly root: string;
  /** This folder's directory in the device's state directory (log and content live here). */
  readonly dataDir: string;
  readonly settings: FolderSettings;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly chunkParams?: ChunkParams;
  readonly onVersion?: (version: VersionInfo) => void;
  readonly onProgress?: (progress: ScanProgress) => void;
  /** Test seam: awaited at each step of `start()` (see StartStep). */
  readonly startHooks?: StartHooks;
}

/**
 * The steps of `start()`: `crawling` (the watcher has begun placing its watches; the first scan
 * runs meanwhile), `walked` (the first scan has listed the folder, nothing is recorded yet),
 * `recorded` (the first version is recorded and published; the watcher may still be crawling).
 * Changes made at each of them must end up recorded.
 */
export type StartStep = 'walked' | 'recorded' | 'crawling';
export type StartHooks = { readonly [S in StartStep]?: () => void | Promise<void> };

/** What `MasterFolder.restore` did. */
export interface RestoreOutcome {
  /** Paths written back. */
  readonly written: number;
  /** Paths below a restored directory that could not be restored, and why. */
  readonly skipped: readonly { readonly path: RelPath; readonly reason: string }[];
  /** The version that recorded the restore; undefined when the disk already held it all. */
  readonly version: VersionInfo | undefined;
}

/** Largest file a restore writes back (it is read into memory whole). */
const RESTORE_MAX_FILE_BYTES = 256 * 1024 * 1024;
/** How many files are read and hashed at once while recording. */
const DIGEST_CONCURRENCY = 4;
/** The longest content retention waits for replicas to be served before it goes ahead anyway. */
const RETENTION_MAX_DEFER_MS = 120_000;

/**
 * Drops directory moves found by inode whose old content did not come along. A directory
 * deleted with what it held, then another one made, can get the freed inode (ext4 hands it
 * out again at once): that is no rename. A renamed directory has each of its old paths again
 * below its new name (paths deleted in the same batch make it an add, which is still right).
 */
function dropFalseDirMoves(inodeMoves: Map<RelPath, Entry>, diff: StateDiff): void {
  const dirMoves = new Map<string, RelPath>();
  for (const [to, from] of inodeMoves) if (from.kind === 'dir') dirMoves.set(from.path, to);
  if (dirMoves.size === 0) return;
  const arrived = new Set<string>(diff.changed.map((o) => o.stat.path));
  for (const gone of diff.deleted) {
    for (let a = parentOf(gone.path); a !== undefined; a = parentOf(a)) {
      const to = dirMoves.get(a);
      if (to !== undefined && !arrived.has(to + gone.path.slice(a.length))) inodeMoves.delete(to);
    }
  }
}

/**
 * Keeps what was recorded below directories that could not be listed: their content was not
 * seen, which does not mean it was deleted.
 */
function keepUnreadable(diff: StateDiff, unreadable: readonly { path: RelPath }[]): StateDiff {
  if (unreadable.length === 0) return diff;
  const hidden = (p: string) => unreadable.some((u) => p !== u.path && isWithin(p, u.path));
  return { ...diff, deleted: diff.deleted.filter((d) => !hidden(d.path)) };
}

export class MasterFolder {
  readonly id: string;
  readonly root: string;
  readonly log: VersionLog;
  readonly content: ContentStore;
  private readonly index = new Map<string, Entry>();
  private rules: IgnoreRules;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly params: ChunkParams;
  private readonly batcher: Batcher;
  private watcher: FolderWatcher | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private retainQueue: Promise<unknown> = Promise.resolve();
  /** Background work (content retention) waits until then: replicas are being served. */
  private busyUntil = 0;
  private closed = false;
  private rootId: string;
  /** The last problem that stopped recording (for status), cleared by the next success. */
  lastError: string | undefined;
  /** Paths the recording in progress could not read (directories it could not list, files). */
  private unreadable: { path: RelPath; code: string; dir: boolean }[] = [];
  /** Directories that could not be listed when last scanned: unwatched until readable. */
  private unreadableDirs = new Set<RelPath>();
  private readonly noteUnreadable = (p: RelPath, code: string, dir = true): void => {
    this.logger.warn({ path: p, code }, 'cannot read; left as it was');
    this.unreadable.push({ path: p, code, dir });
  };

  constructor(private readonly options: MasterFolderOptions) {
    this.id = options.id;
    this.root = path.resolve(options.root);
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ folder: options.id });
    this.params = options.chunkParams ?? DEFAULT_CHUNK_PARAMS;
    this.rootId = checkFolderRoot(this.root);
    mkdirSync(options.dataDir, { recursive: true });
    this.log = new VersionLog(path.join(options.dataDir, 'log.db'));
    try {
      this.content = new ContentStore(path.join(options.dataDir, 'content.db'));
    } catch (err) {
      this.log.close();
      throw err;
    }
    const knownRoot = this.log.getMeta('root-id');
    if (knownRoot !== undefined && knownRoot !== this.rootId && this.log.head() > 0) {
      this.logger.warn(
        { knownRoot, rootId: this.rootId },
        'folder root was replaced; inodes will be re-read',
      );
    }
    this.log.setMeta('root-id', this.rootId);
    for (const e of this.log.stateAt(this.log.head())) this.index.set(e.path, e);
    this.rules = IgnoreRules.load(this.root);
    this.batcher = new Batcher(this.clock, (batch) => this.onBatch(batch), {
      quietMs: options.settings.batchQuietMs,
      maxDelayMs: options.settings.batchMaxDelayMs,
    });
  }

  head(): number {
    return this.log.head();
  }

  /** The folder's live settings (updated in place when changed). */
  get settings(): FolderSettings {
    return this.options.settings;
  }

  /** Number of live paths and bytes of file content at the head. */
  totals(): { files: number; dirs: number; bytes: number } {
    let files = 0;
    let dirs = 0;
    let bytes = 0;
    for (const e of this.index.values()) {
      if (e.kind === 'dir') dirs++;
      else files++;
      bytes += e.size;
    }
    return { files, dirs, bytes };
  }

  /**
   * Starts the watcher (unless `watch` is false) and, without waiting for it to place its
   * watches (a crawl of every directory and file that takes seconds on a large folder), records
   * what is on disk as a version (the first scan, or what changed while stopped), which
   * `onVersion` publishes at once. Once the watches are in place it rescans the whole folder, to
   * record what changed where the scan had already looked but no watch was yet in place; that
   * rescan skips files whose size, mtime and inode are unchanged. Resolves when the folder is
   * watched and up to date, with the last version recorded (undefined if none was).
   */
  async start(options: { watch?: boolean } = {}): Promise<VersionInfo | undefined> {
    const hooks = this.options.startHooks ?? {};
    const watcher =
      (options.watch ?? true)
        ? new FolderWatcher(
            this.root,
            () => this.rules,
            {
              onPath: (p) => this.batcher.touch(p),
              onError: () => this.batcher.touch(),
            },
            this.logger,
            { fileWatches: false },
          )
        : undefined;
    this.watcher = watcher;
    const watching = watcher?.start(hooks.crawling);
    watching?.catch(() => undefined); // awaited below; not unhandled if the scan fails first
    const first = await this.scan(WHOLE_FOLDER, hooks.walked);
    await hooks.recorded?.();
    if (!watching) return first;
    await watching;
    if (this.closed) return first;
    return (await this.rescan()) ?? first;
  }

  /** Records whatever changed within `scope` as a new version (none when nothing did). */
  rescan(scope: Scope = WHOLE_FOLDER): Promise<VersionInfo | undefined> {
    return this.scan(scope);
  }

  /** rescan, with `afterObserve` awaited between listing the disk and recording (start's test seam). */
  private scan(
    scope: Scope,
    afterObserve?: () => void | Promise<void>,
  ): Promise<VersionInfo | undefined> {
    const origin = this.log.head() === 0 ? 'initial-scan' : 'rescan';
    return this.enqueue(() => this.record(scope, origin, afterObserve));
  }

  /**
   * Writes `rel` back as it was at `version` (for a directory: it and everything below it)
   * and records the result as a new version with origin `restore`, so the history keeps
   * what it replaced. Paths created after `version` are left alone. Content comes from the
   * retained history (or the disk, where unchanged). A lone path that cannot be restored
   * throws; below a directory, such paths are listed in `skipped`.
   */
  restore(rel: RelPath, version: number): Promise<RestoreOutcome> {
    return this.enqueue(async () => {
      if (this.closed) throw new LanfoldError('FOLDER_MISSING', `Folder ${this.id} is closed`);
      if (!this.log.version(version)) {
        throw new LanfoldError(
          'VERSION_UNKNOWN',
          `Version ${version} does not exist (the latest is ${this.log.head()})`,
        );
      }
      const top = this.log.entryAt(rel, version);
      if (!top || top.kind === 'none') {
        throw new LanfoldError('NOT_A_FILE', `${rel} did not exist at version ${version}`);
      }
      this.checkRootUnchanged();
      // Sorted by path: a directory comes before what it holds.
      const below =
        top.kind === 'dir'
          ? this.log.stateAt(version).filter((e) => e.path !== rel && isWithin(e.path, rel))
          : [];
      // stateAt leaves chunk lists out: files are read again with theirs.
      const entries = [top, ...below].map((e) =>
        e.kind === 'file' ? this.log.entryAt(e.path, version)! : e,
      );
      return this.writeBack(entries, [rel], true);
    });
  }

  /**
   * Writes `paths` back as they were at `version` (files deleted since) and records them as
   * one new version with origin `restore`; paths that cannot be restored are skipped and
   * listed. Used when a person rejects a mass deletion.
   */
  restorePaths(paths: readonly RelPath[], version: number): Promise<RestoreOutcome> {
    return this.enqueue(async () => {
      if (this.closed) throw new LanfoldError('FOLDER_MISSING', `Folder ${this.id} is closed`);
      this.checkRootUnchanged();
      const entries = [...paths]
        .sort()
        .map((p) => this.log.entryAt(p, version))
        .filter((e): e is Entry => e !== undefined && e.kind !== 'none');
      return this.writeBack(entries, minimalRoots([...paths]), false);
    });
  }

  /**
   * Puts `entries` (sorted by path, so a directory comes before what it holds) back on disk
   * and records what changed under `roots` as one version with origin `restore`. An entry
   * that cannot be written is skipped and listed — or, with `firstMustWrite`, the first one
   * fails the whole restore.
   */
  private async writeBack(
    entries: readonly Entry[],
    roots: RelPath[],
    firstMustWrite: boolean,
  ): Promise<RestoreOutcome> {
    let written = 0;
    const skipped: { path: RelPath; reason: string }[] = [];
    for (const [i, e] of entries.entries()) {
      try {
        if (this.restoreOne(e)) written++;
      } catch (err) {
        if (i === 0 && firstMustWrite) throw err;
        skipped.push({
          path: e.path,
          reason: err instanceof LanfoldError ? err.toLine() : String(err),
        });
      }
    }
    const info = written > 0 ? await this.record({ all: false, roots }, 'restore') : undefined;
    return { written, skipped, version: info };
  }

  /** Puts one path back as `e` describes it; false when the disk already holds it. */
  private restoreOne(e: Entry): boolean {
    assertSafeParents(this.root, e.path);
    const full = resolveIn(this.root, e.path);
    let current: Stats | undefined;
    try {
      current = lstatSync(full);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (e.kind === 'dir') {
      if (current?.isDirectory()) return false;
      if (current)
        throw new LanfoldError(
          'BAD_ARGUMENT',
          `${e.path} is not a directory now`,
          'move what is there first',
        );
      mkdirSync(full, { recursive: true });
      chmodSync(full, e.mode);
      return true;
    }
    if (current?.isDirectory()) {
      throw new LanfoldError('BAD_ARGUMENT', `${e.path} is a directory now`, 'move it first');
    }
    const known = this.index.get(e.path);
    if (e.kind === 'symlink') {
      if (current?.isSymbolicLink() && readlinkSync(full) === e.target) return false;
    } else if (
      current?.isFile() &&
      known?.hash === e.hash &&
      current.size === known.size &&
      current.mtimeMs === known.mtimeMs
    ) {
      return false;
    }
    const data =
      e.kind === 'file'
        ? readEntryContent(this.root, this.content, e, RESTORE_MAX_FILE_BYTES)
        : undefined;
    const staging = path.join(this.root, STAGING_DIR);
    mkdirSync(staging, { recursive: true });
    mkdirSync(path.dirname(full), { recursive: true });
    const part = path.join(staging, `restore-${randomBytes(8).toString('hex')}.part`);
    try {
      if (data === undefined) {
        symlinkSync(e.target ?? '', part);
      } else {
        const fd = openSync(part, 'wx', 0o600);
        try {
          for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        chmodSync(part, e.mode);
      }
      renameSync(part, full);
    } finally {
      rmSync(part, { force: true });
    }
    return true;
  }

  /**
   * Says that the folder is serving replicas for the next `ms` milliseconds: background work
   * (keeping content for history) waits meanwhile, for at most RETENTION_MAX_DEFER_MS, so a
   * replica's initial sync does not share the CPU and disk with it.
   */
  deferBackgroundWork(ms: number): void {
    this.busyUntil = Math.max(this.busyUntil, this.clock.now() + ms);
  }

  /** Resolves once every queued recording (and content retention) has finished. */
  async idle(): Promise<void> {
    while (this.batcher.pending) this.batcher.flush();
    await this.queue;
    await this.retainQueue;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.watcher?.close();
    this.batcher.dispose();
    await this.queue.catch(() => undefined);
    await this.retainQueue.catch(() => undefined);
    this.content.close();
    this.log.close();
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private onBatch(batch: Batch): void {
    if (this.closed) return;
    const touchesIgnoreFile = [...batch.paths].some((p) => p === IGNORE_FILE);
    const scope: Scope =
      batch.full || touchesIgnoreFile
        ? WHOLE_FOLDER
        : { all: false, roots: minimalRoots(batch.paths) };
    this.enqueue(() => this.record(scope, 'watch')).catch((err: unknown) => {
      this.lastError = err instanceof LanfoldError ? err.toLine() : String(err);
      this.logger.error({ err }, 'recording a batch failed');
    });
  }

  private async record(
    scope: Scope,
    origin: VersionInfo['origin'],
    afterObserve?: () => void | Promise<void>,
  ): Promise<VersionInfo | undefined> {
    if (this.closed) return undefined;
    const started = this.clock.now();
    this.checkRootUnchanged();
    if (scope.all) this.rules = IgnoreRules.load(this.root);
    this.unreadable = [];
    const observed = await this.observe(scope);
    await afterObserve?.();
    const diff = keepUnreadable(diffState(this.index, observed, scope), this.unreadable);
    this.rewatchReadable(scope);
    const head = this.log.head();
    if (diff.changed.length === 0 && diff.deleted.length === 0 && head > 0) {
      this.noteOutcome();
      return undefined;
    }

    const inodeMoves = movesByInode(diff);
    dropFalseDirMoves(inodeMoves, diff);
    const content = new Map<string, Content>();
    const digested: RelPath[] = [];
    const changed: Observation[] = [];
    const toDigest = diff.changed.filter((o) => needsDigest(o) && !inodeMoves.has(o.stat.path));
    const totalBytes = toDigest.reduce((n, o) => n + o.stat.size, 0);
    let doneBytes = 0;
    let doneFiles = 0;
    // Files are read and hashed a few at a time (the disk and the thread pool overlap the
    // waits of one file with the work of another); results are taken in order below.
    const digests = startInOrder(toDigest, DIGEST_CONCURRENCY, (o) => this.digest(o.stat, o.prev));
    for (const obs of diff.changed) {
      const { stat } = obs;
      if (stat.kind !== 'file') {
        changed.push(obs);
        continue;
      }
      const from = inodeMoves.get(stat.path);
      if (from || !needsDigest(obs)) {
        const source = this.log.entryAt((from ?? obs.prev)!.path, head);
        if (source?.chunks && source.hash) {
          content.set(stat.path, { hash: source.hash, chunks: source.chunks });
          changed.push(obs);
          continue;
        }
      }
      const result = await (digests.get(obs) ?? this.digest(stat, obs.prev));
      doneFiles++;
      doneBytes += stat.size;
      this.options.onProgress?.({
        phase: 'hashing',
        files: doneFiles,
        totalFiles: toDigest.length,
        bytes: doneBytes,
        totalBytes,
      });
      if (!result) continue;
      content.set(stat.path, result);
      digested.push(stat.path);
      changed.push(
        result.size === stat.size ? obs : { ...obs, stat: { ...stat, size: result.size } },
      );
    }

    const entries = buildEntries({ ...diff, changed }, content, inodeMoves);
    if (entries.length === 0 && head > 0) {
      this.noteOutcome();
      return undefined;
    }
    const choice =
      head === 0
        ? { method: 'scan' as const, reason: 'first scan of the folder' }
        : chooseMethod(entries, this.options.settings);
    const info = this.log.commit(
      { epoch: 1, createdAt: this.clock.now(), origin, ...choice },
      entries,
    );
    for (const e of entries) {
      if (e.kind === 'none') this.index.delete(e.path);
      else this.index.set(e.path, { ...e, seq: info.seq, chunks: null });
    }
    this.noteOutcome();
    this.logger.info(
      {
        version: info.seq,
        changes: info.changes,
        method: info.method,
        ms: this.clock.now() - started,
      },
      'version recorded',
    );
    this.options.onVersion?.(info);
    this.scheduleRetention(
      digested.filter(
        (p) =>
          (content.get(p)?.chunks.totalSize() ?? 0) <= this.options.settings.retainMaxFileBytes,
      ),
      content,
    );
    return info;
  }

  /** Directories that could not be listed before and now could were never watched: watch them. */
  private rewatchReadable(scope: Scope): void {
    const still = new Set(this.unreadable.filter((u) => u.dir).map((u) => u.path));
    for (const dir of this.unreadableDirs) {
      if (!inScope(dir, scope) || still.has(dir)) continue;
      this.unreadableDirs.delete(dir);
      if (statPath(this.root, dir)?.kind === 'dir') this.watcher?.rewatch(dir);
    }
    for (const dir of still) this.unreadableDirs.add(dir);
  }

  /** After a recording: clears the last error, or says which paths could not be read. */
  private noteOutcome(): void {
    const u = this.unreadable;
    this.lastError =
      u.length === 0
        ? undefined
        : `${u.length} path(s) could not be read and were left as they were: ${u
            .slice(0, 3)
            .map((x) => `${x.path} (${x.code})`)
            .join(', ')}${u.length > 3 ? ', ...' : ''}`;
  }

  /** Guards against recording "everything deleted" when the disk under the folder went away. */
  private checkRootUnchanged(): void {
    let id: string;
    try {
      id = checkFolderRoot(this.root);
    } catch (err) {
      if (err instanceof LanfoldError && err.code === 'FOLDER_UNREADABLE') throw err;
      throw new LanfoldError(
        'FOLDER_MISSING',
        `Folder root ${this.root} is missing; nothing recorded`,
        'remount or restore it',
        { cause: err },
      );
    }
    if (id !== this.rootId) {
      throw new LanfoldError(
        'FOLDER_MISSING',
        `Folder root ${this.root} was replaced (another disk or directory); nothing recorded`,
        'remount the original, or re-add the folder',
      );
    }
  }

  /** What is on disk within `scope`, including new ancestors of its roots. */
  private async observe(scope: Scope): Promise<PathStat[]> {
    if (scope.all) {
      return walk(
        this.root,
        this.rules,
        undefined,
        (n) =>
          this.options.onProgress?.({
            phase: 'walking',
            files: n,
            totalFiles: 0,
            bytes: 0,
            totalBytes: 0,
          }),
        undefined,
        this.noteUnreadable,
      );
    }
    const out = new Map<string, PathStat>();
    for (const rootPath of scope.roots) {
      for (let p = parentOf(rootPath); p !== undefined && !this.index.has(p); p = parentOf(p)) {
        const st = statPath(this.root, p);
        if (st && st.kind === 'dir' && !this.rules.ignores(p, true)) out.set(p, st);
      }
      const st = statPath(this.root, rootPath);
      if (!st || this.rules.ignores(rootPath, st.kind === 'dir')) continue;
      out.set(rootPath, st);
      if (st.kind === 'dir')
        for (const child of await walk(
          this.root,
          this.rules,
          rootPath,
          undefined,
          undefined,
          this.noteUnreadable,
        ))
          out.set(child.path, child);
    }
    return [...out.values()].filter((s) => inScope(s.path, scope) || !this.index.has(s.path));
  }

  /** Chunks and hashes one file; undefined when it changed or vanished while being read. */
  private async digest(
    stat: PathStat,
    prev: Entry | undefined,
  ): Promise<(Content & { size: number }) | undefined> {
    const full = resolveIn(this.root, stat.path);
    try {
      const previous =
        prev?.kind === 'file' ? this.log.entryAt(stat.path, this.log.head())?.chunks : null;
      const d =
        previous && previous.count > 0
          ? await redigestFile(full, previous, this.params)
          : await digestFile(full, this.params, stat);
      return { hash: d.hash, chunks: d.chunks, size: d.size };
    } catch (err) {
      if (err instanceof FileChangedWhileReading || errnoCode(err) === 'ENOENT') {
        this.batcher.touch(stat.path); // try again once it is stable
        return undefined;
      }
      const code = errnoCode(err);
      if (code === 'EACCES' || code === 'EPERM') {
        // Left as it was (a new file: not recorded) until a change of its permissions.
        this.noteUnreadable(stat.path, code, false);
        return undefined;
      }
      throw err;
    }
  }

  /** Waits while replicas are being served (bounded); false once the folder is closing. */
  private readonly retentionPace = async (): Promise<boolean> => {
    const started = this.clock.now();
    while (!this.closed) {
      const now = this.clock.now();
      const wait = Math.min(this.busyUntil - now, started + RETENTION_MAX_DEFER_MS - now);
      if (wait <= 0) return true;
      await sleep(Math.min(wait, 250));
    }
    return false;
  };

  private scheduleRetention(paths: RelPath[], content: ReadonlyMap<string, Content>): void {
    if (paths.length === 0) return;
    const jobs = paths.map((p) => ({
      full: resolveIn(this.root, p),
      chunks: content.get(p)!.chunks,
    }));
    this.retainQueue = this.retainQueue
      .then(() =>
        retainFiles(
          this.content,
          jobs,
          this.clock.now(),
          this.options.settings.historyCapBytes,
          this.retentionPace,
        ),
      )
      .catch((err: unknown) => this.logger.warn({ err }, 'retaining content failed'));
  }
}

/**
 * Runs `work` on each item, at most `limit` at a time, starting them in the order given.
 * Taken in that order, every item's promise exists by the time it is wanted. Rejections are
 * kept for whoever awaits the promise (and are not unhandled if nobody does).
 */
function startInOrder<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Map<T, Promise<R>> {
  const started = new Map<T, Promise<R>>();
  let next = 0;
  const startNext = (): void => {
    if (next >= items.length) return;
    const item = items[next++]!;
    const run = work(item);
    started.set(item, run);
    run.then(startNext, startNext);
  };
  for (let i = 0; i < limit; i++) startNext();
  return started;
}

export { checkFolderRoot };
