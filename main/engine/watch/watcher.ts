/**
 * Watches a folder with chokidar and reports which folder-relative paths may have
 * changed. It does not interpret events (the scan that follows looks at the disk), so it
 * only has to never miss one: besides chokidar's events it listens to the raw ones, which
 * carry attribute changes (chmod) that chokidar filters out.
 */
import { lstatSync } from 'node:fs';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { IgnoreRules } from '../ignore-rules.js';
import type { Logger } from '../logger.js';
import { relativeTo, resolveIn, type RelPath } from '../relpath.js';

export interface WatcherHandlers {
  /** A path that may have changed; undefined means "rescan everything". */
  readonly onPath: (path: RelPath | undefined) => void;
  readonly onError: (err: Error) => void;
}

export interface WatcherOptions {
  /**
   * Whether chokidar also watches each file on its own (default true). Without, only
   * directories are watched: a directory's watch reports the name of every child created,
   * deleted, renamed, written or chmodded, and those raw events are reported like the others.
   * That saves chokidar a second lstat and an fs.watch per file (half its start-up crawl, and an
   * inotify watch per file). Not seen without: a file written through a hard link that lives
   * outside the folder.
   */
  readonly fileWatches?: boolean;
}

/**
 * When a watched directory's own watch reports it gone, it is checked again after this long
 * too: chokidar re-reads a changed directory at most once a second, so by then it has
 * either dropped the old directory or (racing a quick re-create) kept it as if unchanged.
 */
const RECHECK_MS = 1100;

export class FolderWatcher {
  private watcher: FSWatcher | undefined;
  /** Directories whose watch may have died, to check shortly; and the timers doing so. */
  private readonly suspects = new Set<string>();
  /** Directories that appeared, to report again once their watches are surely in place. */
  private readonly added = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Inode each directory had when it was last re-watched. */
  private readonly rewatched = new Map<string, number>();
  /** Ends `start()`'s wait for the watches when the watcher is closed first. */
  private stopWaiting: (() => void) | undefined;

  /** Whether chokidar places a watch on every file too (see WatcherOptions.fileWatches). */
  private readonly fileWatches: boolean;

  constructor(
    private readonly root: string,
    private readonly rules: () => IgnoreRules,
    private readonly handlers: WatcherHandlers,
    private readonly log: Logger,
    options: WatcherOptions = {},
  ) {
    this.fileWatches = options.fileWatches ?? true;
  }

  /**
   * Starts watching; resolves once the watches are in place (or the watcher is closed).
   * `whileCrawling`, a test seam, is awaited once the crawl has begun.
   */
  async start(whileCrawling?: () => void | Promise<void>): Promise<void> {
    const w = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      atomic: false,
      persistent: true,
      ignorePermissionErrors: true,
      ignored: (full, stats) => {
        if (!this.fileWatches && stats?.isFile()) return true; // its directory's watch reports it
        const rel = relativeTo(this.root, full);
        if (rel === undefined) return false; // the root itself, or a name we cannot represent
        return this.rules().ignores(rel, stats?.isDirectory() ?? false);
      },
    });
    this.watcher = w;
    w.on('all', (_event, full) => this.report(full));
    w.on('addDir', (full) => this.addedLater(full));
    w.on('raw', (event, name, details) => {
      if (typeof name !== 'string' || name === '') return;
      const watched = (details as { watchedPath?: unknown }).watchedPath;
      if (typeof watched !== 'string') return;
      this.report(path.join(watched, name));
      if (path.basename(watched) === name) {
        this.report(watched);
        // The watched path itself was deleted or moved: see whether a directory took its place.
        if (event === 'rename' && watched !== this.root) this.suspect(watched);
      }
    });
    w.on('error', (err) => {
      this.log.warn({ err }, 'watcher error; rescanning the folder');
      this.handlers.onError(err instanceof Error ? err : new Error(String(err)));
    });
    const ready = new Promise<void>((resolve) => {
      this.stopWaiting = resolve;
      w.once('ready', resolve);
    });
    await whileCrawling?.();
    await ready;
    this.stopWaiting = undefined;
  }

  /**
   * A directory removed and re-created under the same name before chokidar re-read its parent
   * keeps chokidar's dead watch: nothing inside it would be reported again. So when a watched
   * path reports its own removal, check (now and once chokidar has re-read the parent) whether
   * a directory is there, and if so drop chokidar's state for it and watch it afresh.
   */
  private suspect(full: string): void {
    if (this.suspects.size === 0) this.schedule(() => this.checkSuspects(false), 20);
    this.suspects.add(full);
  }

  /**
   * A directory that appears (made, or moved in from elsewhere in the folder) is reported at
   * once and rescanned, but chokidar places its watches only as it reads the new tree: a file
   * deleted or changed in between was never reported (a directory moved in, then a file in it
   * deleted ~1 s later, stayed recorded on a loaded machine). So each new directory is
   * reported once more after RECHECK_MS, when its watches are in place; outermost ones only.
   */
  private addedLater(full: string): void {
    if (full === this.root) return;
    if (this.added.size === 0)
      this.schedule(() => {
        const roots = outermost([...this.added]);
        this.added.clear();
        for (const dir of roots) this.report(dir);
      }, RECHECK_MS);
    this.added.add(full);
  }

  private schedule(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private checkSuspects(late: boolean, paths?: readonly string[]): void {
    const w = this.watcher;
    if (!w) return;
    const list = [...(paths ?? this.suspects)];
    if (!paths) this.suspects.clear();
    // Outermost paths only: re-watching a directory re-watches everything below it.
    const roots = outermost(list);
    for (const full of roots) {
      let ino: number;
      try {
        const st = lstatSync(full);
        if (!st.isDirectory()) continue;
        ino = st.ino;
      } catch {
        continue; // gone: chokidar drops it when it re-reads the parent
      }
      if (!late || this.rewatched.get(full) !== ino) {
        this.rewatched.set(full, ino);
        this.log.debug({ path: full }, 're-watching a replaced directory');
        this.rewatchFull(w, full);
      }
      this.report(full); // rescan it: what was made there before the new watch is found
    }
    if (!late) this.schedule(() => this.checkSuspects(true, roots), RECHECK_MS);
  }

  /**
   * Watches the directory `rel` afresh (one that could not be read when chokidar first saw
   * it, and now can), and has it rescanned once the new watches are surely in place.
   */
  rewatch(rel: RelPath): void {
    const w = this.watcher;
    if (!w) return;
    const full = resolveIn(this.root, rel);
    this.rewatchFull(w, full);
    this.schedule(() => this.report(full), RECHECK_MS);
  }

  /** Drops chokidar's state for a directory (and below) and adds it again. */
  private rewatchFull(w: FSWatcher, full: string): void {
    w._remove(path.dirname(full), path.basename(full), true);
    w.add(full);
  }

  private report(full: string): void {
    if (full === this.root) return;
    const rel = relativeTo(this.root, full);
    if (rel !== undefined && !this.rules().ignores(rel, false)) this.handlers.onPath(rel);
  }

  async close(): Promise<void> {
    const w = this.watcher;
    this.watcher = undefined;
    this.stopWaiting?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.added.clear();
    this.suspects.clear();
    await w?.close();
  }
}

/** The paths of `list` that lie below none of the others. */
function outermost(list: readonly string[]): string[] {
  return [...list]
    .sort()
    .filter((p, i, all) => !all.slice(0, i).some((q) => p === q || p.startsWith(q + path.sep)));
}
