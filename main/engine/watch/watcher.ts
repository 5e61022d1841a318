/**
 * Watches a folder with chokidar and reports which folder-relative paths may have
 * changed. It does not interpret events (the scan that follows looks at the disk), so it
 * only has to never miss one: besides chokidar's events it listens to the raw ones, which
 * carry attribute changes (chmod) that chokidar filters out.
 */
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { IgnoreRules } from '../ignore-rules.js';
import type { Logger } from '../logger.js';
import { relativeTo, type RelPath } from '../relpath.js';

export interface WatcherHandlers {
  /** A path that may have changed; undefined means "rescan everything". */
  readonly onPath: (path: RelPath | undefined) => void;
  readonly onError: (err: Error) => void;
}

export class FolderWatcher {
  private watcher: FSWatcher | undefined;

  constructor(
    private readonly root: string,
    private readonly rules: () => IgnoreRules,
    private readonly handlers: WatcherHandlers,
    private readonly log: Logger,
  ) {}

  /** Starts watching; resolves once the watches are in place. */
  async start(): Promise<void> {
    const w = watch(this.root, {
      ignoreInitial: true,
      followSymlinks: false,
      atomic: false,
      persistent: true,
      ignorePermissionErrors: true,
      ignored: (full, stats) => {
        const rel = relativeTo(this.root, full);
        if (rel === undefined) return false; // the root itself, or a name we cannot represent
        return this.rules().ignores(rel, stats?.isDirectory() ?? false);
      },
    });
    this.watcher = w;
    w.on('all', (_event, full) => this.report(full));
    w.on('raw', (_event, name, details) => {
      if (typeof name !== 'string' || name === '') return;
      const watched = (details as { watchedPath?: unknown }).watchedPath;
      if (typeof watched !== 'string') return;
      this.report(path.join(watched, name));
      if (path.basename(watched) === name) this.report(watched);
    });
    w.on('error', (err) => {
      this.log.warn({ err }, 'watcher error; rescanning the folder');
      this.handlers.onError(err instanceof Error ? err : new Error(String(err)));
    });
    await new Promise<void>((resolve) => w.once('ready', resolve));
  }

  private report(full: string): void {
    if (full === this.root) return;
    const rel = relativeTo(this.root, full);
    if (rel !== undefined && !this.rules().ignores(rel, false)) this.handlers.onPath(rel);
  }

  async close(): Promise<void> {
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
  }
}
