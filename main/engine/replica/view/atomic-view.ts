/**
 * The atomic view of a replica folder: the folder path is a symlink to a complete version
 * directory; a version is applied by building the next directory beside it (unchanged
 * entries hard-linked, staging moved in) and switching the link with one rename, so a reader
 * that opens paths through the link sees one version or the next, never a mix. Every layout
 * change is journaled (view-journal.ts) and finished or undone at the next start.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { errnoCode, LanfoldError } from '../../errors.js';
import { failpoint } from '../../failpoints.js';
import { STAGING_DIR } from '../../ignore-rules.js';
import type { Logger } from '../../logger.js';
import { carryOver, type CarryRules } from './carry-over.js';
import {
  linkTarget,
  rootShape,
  viewDir,
  viewLayout,
  viewNumber,
  type ViewLayout,
} from './layout.js';
import { linkTree, reclaimTree, removeTree } from './tree.js';
import {
  readViewJournal,
  removeViewJournal,
  writeViewJournal,
  type ViewJournal,
} from './view-journal.js';

export interface AtomicViewOptions {
  /** The folder path as configured. */
  readonly root: string;
  /** Where the view journal lives (the folder's state directory). */
  readonly journalFile: string;
  readonly logger: Logger;
  readonly now: () => number;
  /** How long a replaced version directory is kept for readers that resolved the old link, ms. */
  readonly graceMs?: number;
}

/** A build interrupted by a crash that must be finished: the apply's root, and the switch still owed. */
export interface PendingBuild {
  readonly root: string;
  readonly publish: () => void;
}

export const DEFAULT_GRACE_MS = 10_000;

/** Why this OS cannot have an atomic view, or undefined when it can. */
export function atomicViewUnsupported(
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  return platform === 'win32'
    ? 'the atomic view is not supported on Windows (it needs symlinked directories and hard links)'
    : undefined;
}

export class AtomicView {
  private current: number;
  private readonly retired: { version: number; at: number }[] = [];
  /** Reclaims the retired directories once their grace period is over (no new version needed). */
  private reclaimTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;

  private constructor(
    private readonly options: AtomicViewOptions,
    private readonly layout: ViewLayout,
    version: number,
  ) {
    this.current = version;
  }

  /** Finishes a conversion (on or off) that a crash interrupted; nothing when none was under way. */
  static recoverConversion(options: AtomicViewOptions): void {
    const journal = readViewJournal(options.journalFile);
    if (!journal || journal.op === 'build') return;
    const layout = viewLayout(options.root);
    options.logger.warn({ journal }, 'finishing an atomic-view conversion interrupted by a crash');
    if (journal.op === 'enable') convertToView(layout, journal.version);
    else convertToDir(layout, journal.version);
    removeViewJournal(options.journalFile);
    if (journal.op === 'disable') removeTree(layout.viewsDir);
  }

  /** The atomic view at `options.root`, or undefined when the folder is a plain directory. */
  static open(options: AtomicViewOptions): AtomicView | undefined {
    const layout = viewLayout(options.root);
    const shape = rootShape(layout);
    if (shape.kind !== 'view') return undefined;
    return new AtomicView(options, layout, shape.version);
  }

  /**
   * Turns a plain replica folder holding `version` into an atomic view without copying: the
   * directory itself becomes the first version directory, and the link takes its place.
   */
  static enable(options: AtomicViewOptions, version: number): AtomicView {
    const unsupported = atomicViewUnsupported();
    if (unsupported) throw new LanfoldError('BAD_ARGUMENT', unsupported);
    const layout = viewLayout(options.root);
    const shape = rootShape(layout);
    if (shape.kind === 'view') return new AtomicView(options, layout, shape.version);
    if (shape.kind !== 'dir')
      throw new LanfoldError(
        'FOLDER_MISSING',
        `Cannot turn the atomic view on: ${layout.root} is ${shape.kind === 'missing' ? 'missing' : shape.what}`,
      );
    prepareViewsDir(layout);
    writeViewJournal(options.journalFile, { op: 'enable', version });
    convertToView(layout, version);
    removeViewJournal(options.journalFile);
    options.logger.info({ root: layout.root, version }, 'atomic view turned on');
    return new AtomicView(options, layout, version);
  }

  /** The version the link shows. */
  get version(): number {
    return this.current;
  }

  /** The current version directory (the link's target). */
  get dir(): string {
    return viewDir(this.layout, this.current);
  }

  /** Turns the view back into a plain directory holding the current version (the view is unusable after). */
  disable(): void {
    this.close();
    writeViewJournal(this.options.journalFile, { op: 'disable', version: this.current });
    convertToDir(this.layout, this.current);
    removeViewJournal(this.options.journalFile);
    removeTree(this.layout.viewsDir);
    this.options.logger.info({ root: this.layout.root }, 'atomic view turned off');
  }

  /**
   * Builds the directory of version `to` from the current one: every entry hard-linked
   * (nothing copied, nothing written into a file), the staging area moved in. Returns it;
   * the apply then runs its steps there. A build left by an earlier failed attempt is undone first.
   */
  build(to: number): string {
    if (to <= this.current)
      throw new LanfoldError('INTERNAL', `Cannot build v${to} over the current v${this.current}`);
    const pending = readViewJournal(this.options.journalFile);
    if (pending?.op === 'build') this.rollback(pending);
    const from = this.dir;
    const dir = viewDir(this.layout, to);
    if (existsSync(dir)) reclaimTree(dir, this.trashName(to));
    writeViewJournal(this.options.journalFile, { op: 'build', from: this.current, to });
    linkTree(from, dir, new Set([STAGING_DIR]), (n) => {
      if (n === 1) failpoint('view:building');
    });
    const staging = path.join(from, STAGING_DIR);
    if (existsSync(staging)) renameSync(staging, path.join(dir, STAGING_DIR));
    failpoint('view:built');
    return dir;
  }

  /**
   * Switches the link to the built directory of `to` (one rename, parent fsynced), then
   * moves into it what users wrote into the old one meanwhile. Returns the paths carried.
   */
  publish(to: number, carry: CarryRules): string[] {
    const old = this.dir;
    switchLink(this.layout, to);
    this.retire(to);
    failpoint('view:switched');
    const moved = carryOver(old, this.dir, carry);
    if (moved.length > 0)
      this.options.logger.warn(
        { paths: moved.slice(0, 20), count: moved.length },
        'kept files written during a version switch as local changes',
      );
    return moved;
  }

  /** Ends a build once its version is recorded; reclaims version directories past their grace. */
  finish(): void {
    removeViewJournal(this.options.journalFile);
    this.reclaim();
    this.scheduleReclaim();
  }

  /** Reclaims again once the directories still in their grace period are past it. */
  private scheduleReclaim(): void {
    if (this.stopped || this.retired.length === 0) return;
    if (this.reclaimTimer) clearTimeout(this.reclaimTimer);
    const grace = this.options.graceMs ?? DEFAULT_GRACE_MS;
    const due = Math.min(...this.retired.map((r) => r.at)) + grace - this.options.now();
    this.reclaimTimer = setTimeout(
      () => {
        this.reclaimTimer = undefined;
        if (this.stopped) return;
        try {
          this.reclaim();
        } catch (err) {
          this.options.logger.warn({ err }, 'reclaiming old version directories failed');
        }
        this.scheduleReclaim();
      },
      Math.max(0, due) + 50,
    );
    this.reclaimTimer.unref();
  }

  /** Stops the deferred reclaim (the folder closes, or the view is turned off). */
  close(): void {
    this.stopped = true;
    if (this.reclaimTimer) clearTimeout(this.reclaimTimer);
    this.reclaimTimer = undefined;
  }

  /**
   * At start: settles a build a crash interrupted. Before its apply journal existed it is
   * undone (the link never moved); after, it is owed to the apply's replay, which runs its
   * steps in the returned root and then calls `publish` (a no-op when the link had moved).
   */
  recoverBuild(applyJournalExists: boolean): PendingBuild | undefined {
    const journal = readViewJournal(this.options.journalFile);
    if (journal?.op !== 'build') return undefined;
    const shown = this.current;
    this.options.logger.warn(
      { journal, shown },
      'settling a version switch interrupted by a crash',
    );
    if (shown === journal.to) {
      this.retired.length = 0;
      return applyJournalExists
        ? { root: this.dir, publish: () => undefined }
        : (this.finish(), undefined);
    }
    if (shown !== journal.from)
      throw new LanfoldError(
        'BAD_CONFIG',
        `The folder link shows v${shown}, but the interrupted switch went from v${journal.from} to v${journal.to}`,
        'check the folder by hand, then remove the view journal',
      );
    if (!applyJournalExists || !existsSync(viewDir(this.layout, journal.to))) {
      this.rollback(journal);
      return undefined;
    }
    return {
      root: viewDir(this.layout, journal.to),
      publish: () => {
        switchLink(this.layout, journal.to);
        this.current = journal.to;
      },
    };
  }

  /**
   * Removes version directories that are neither current nor within their grace period (all
   * but the current one at start), and leftovers of earlier removals.
   */
  reclaim(): void {
    const grace = this.options.graceMs ?? DEFAULT_GRACE_MS;
    const now = this.options.now();
    const keep = new Set([
      this.current,
      ...this.retired.filter((r) => now - r.at < grace).map((r) => r.version),
    ]);
    const pending = readViewJournal(this.options.journalFile);
    if (pending?.op === 'build') keep.add(pending.to);
    for (let i = this.retired.length - 1; i >= 0; i--)
      if (!keep.has(this.retired[i]!.version)) this.retired.splice(i, 1);
    for (const name of readdirSync(this.layout.viewsDir)) {
      const full = path.join(this.layout.viewsDir, name);
      if (name.startsWith('.trash-')) {
        removeTree(full);
        continue;
      }
      const n = viewNumber(name);
      if (n === undefined || keep.has(n)) continue;
      reclaimTree(full, this.trashName(n), () => failpoint('view:reclaiming'));
    }
  }

  /** The number of version directories on disk (for status and tests). */
  directories(): number {
    return readdirSync(this.layout.viewsDir).filter((n) => viewNumber(n) !== undefined).length;
  }

  private retire(to: number): void {
    this.retired.push({ version: this.current, at: this.options.now() });
    this.current = to;
  }

  private rollback(journal: Extract<ViewJournal, { op: 'build' }>): void {
    const from = viewDir(this.layout, journal.from);
    const to = viewDir(this.layout, journal.to);
    const built = path.join(to, STAGING_DIR);
    const staging = path.join(from, STAGING_DIR);
    if (existsSync(built) && !existsSync(staging)) renameSync(built, staging);
    reclaimTree(to, this.trashName(journal.to));
    removeViewJournal(this.options.journalFile);
  }

  private trashName(n: number): string {
    return `.trash-v${n}-${process.pid}-${this.options.now()}`;
  }
}

/** Makes the views directory, and checks it shares the folder's filesystem and can hold hard links. */
function prepareViewsDir(layout: ViewLayout): void {
  mkdirSync(layout.viewsDir, { recursive: true, mode: 0o755 });
  const leftovers = readdirSync(layout.viewsDir).filter((n) => !n.startsWith('.trash-'));
  if (leftovers.length > 0)
    throw new LanfoldError(
      'FOLDER_EXISTS',
      `Cannot turn the atomic view on: ${layout.viewsDir} already holds ${leftovers.slice(0, 3).join(', ')}`,
      'move that directory away (it is not part of the folder), then try again',
    );
  if (statSync(layout.viewsDir).dev !== statSync(layout.root).dev)
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `Cannot turn the atomic view on: ${layout.root} is a mount point (its version directories must share its filesystem)`,
      'sync a directory inside the mounted filesystem instead',
    );
  const probe = path.join(layout.viewsDir, `.probe-${process.pid}`);
  try {
    writeFileSync(probe, '');
    linkSync(probe, `${probe}.link`);
  } catch (err) {
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `Cannot turn the atomic view on: the filesystem of ${layout.root} does not support hard links (${errnoCode(err) ?? String(err)})`,
    );
  } finally {
    rmSync(probe, { force: true });
    rmSync(`${probe}.link`, { force: true });
  }
}

/** Directory at the folder path -> link to v<version>; idempotent, so a replay finishes it. */
function convertToView(layout: ViewLayout, version: number): void {
  const dir = viewDir(layout, version);
  const shape = rootShape(layout);
  if (shape.kind === 'view') return;
  if (shape.kind === 'dir') {
    mkdirSync(layout.viewsDir, { recursive: true });
    if (existsSync(dir))
      throw new LanfoldError(
        'FOLDER_EXISTS',
        `Cannot turn the atomic view on: both ${layout.root} and ${dir} exist`,
        'check which holds the folder, move the other away, then restart',
      );
    renameSync(layout.root, dir);
    failpoint('view:converting');
  } else if (shape.kind === 'other' || !existsSync(dir)) {
    throw new LanfoldError(
      'FOLDER_MISSING',
      `Cannot finish turning the atomic view on: ${layout.root} is ${shape.kind === 'other' ? shape.what : 'missing'} and ${dir} is missing`,
    );
  }
  switchLink(layout, version);
}

/** Link to v<version> at the folder path -> that directory moved back there; idempotent. */
function convertToDir(layout: ViewLayout, version: number): void {
  const dir = viewDir(layout, version);
  const shape = rootShape(layout);
  if (shape.kind === 'dir') return;
  if (shape.kind === 'other')
    throw new LanfoldError(
      'FOLDER_MISSING',
      `Cannot turn the atomic view off: ${layout.root} is ${shape.what}`,
    );
  if (!existsSync(dir))
    throw new LanfoldError(
      'FOLDER_MISSING',
      `Cannot turn the atomic view off: its version directory ${dir} is missing`,
    );
  if (shape.kind === 'view') {
    unlinkSync(layout.root);
    failpoint('view:converting');
  }
  renameSync(dir, layout.root);
  fsyncDir(path.dirname(layout.root));
}

/** Points the folder link at v<version> in one rename (a fresh link under a temporary name first), durably. */
function switchLink(layout: ViewLayout, version: number): void {
  const tmp = path.join(
    path.dirname(layout.root),
    `.${path.basename(layout.root)}.lanfold-link-${process.pid}`,
  );
  rmSync(tmp, { force: true });
  symlinkSync(linkTarget(layout, version), tmp);
  renameSync(tmp, layout.root);
  fsyncDir(path.dirname(layout.root));
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    if (errnoCode(err) !== 'EISDIR' && errnoCode(err) !== 'EINVAL') throw err;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True when `root` is a link to a version directory (an atomic view). */
export function isAtomicView(root: string): boolean {
  try {
    return lstatSync(root).isSymbolicLink() && rootShape(viewLayout(root)).kind === 'view';
  } catch {
    return false;
  }
}
