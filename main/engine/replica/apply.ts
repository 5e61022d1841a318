/**
 * Applies one version to a replica's folder, crash-safely: everything new is staged and
 * verified first, local edits in the way are kept as conflict files, the steps are
 * journaled durably, executed (idempotently), and only then is the version committed to
 * the replica's log. After a crash the journal is replayed, so the folder and the log
 * end at the new version; before the journal exists nothing in the folder has changed.
 */
import {
  closeSync,
  copyFileSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readlinkSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  chmodSync,
  utimesSync,
  unlinkSync,
  existsSync,
} from 'node:fs';
import path from 'node:path';
import { ChunkList } from '../chunk-list.js';
import type { CommitMethod, Entry, NewEntry, VersionInfo } from '../entry.js';
import { errnoCode, LanfoldError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { Logger } from '../logger.js';
import { parentOf, resolveIn, toRelPath, type RelPath } from '../relpath.js';
import type { VersionLog } from '../store/version-log.js';
import { writeJournal, readJournal, removeJournal, type Journal, type Step } from './journal.js';
import { assertSafeParents, keepAsConflict, localState, underMissingDir } from './fs-safety.js';
import {
  discardUnjournaledStaging,
  STAGE_LOOKAHEAD_BYTES,
  stagedHashes,
  stagedPath,
  stageFile,
  stagingDir,
  type StageSources,
} from './staging.js';
import { DurableBatch } from '../durability.js';

/**
 * Files staged at the same time at most; STAGE_LOOKAHEAD_BYTES bounds the bytes they may
 * still wait for. New files start while both allow (one always runs). Many small files then keep the fetch
 * window as full as one large file does (a fixed 8 files at a time held ~1 MiB in flight
 * for files of ~100 KiB, and each waited a round trip), and a large file still has its
 * lookahead to itself.
 */
const STAGE_MAX_FILES = 64;

export interface ApplyTarget {
  readonly version: number;
  readonly createdAt: number;
  readonly method: CommitMethod;
  /** The net effect per path relative to the replica's current state. */
  readonly entries: readonly NewEntry[];
}

export interface ReplicaDisk {
  readonly root: string;
  readonly journalFile: string;
  readonly deviceId: string;
  readonly log: VersionLog;
  /** The replica's current state (live paths), as applied. */
  readonly index: Map<string, Entry>;
  readonly logger: Logger;
  readonly now: () => number;
  /** True when the file at `rel` still has the content `known` records (a re-hash; used only when stat differs). */
  readonly sameContent: (rel: RelPath, known: Entry) => boolean;
}

export interface ApplyResult {
  readonly info: VersionInfo;
  /** Local files moved aside because the new version replaced or deleted them. */
  readonly conflicts: { path: RelPath; keptAs: RelPath }[];
}

/**
 * Refuses a version whose result is not a tree: every path it writes must sit below
 * directories (a symlink `s` and a file `s/x` in one version would write through the link).
 * Checked before anything is staged or journaled, so a bad version changes nothing.
 */
export function checkTreeShape(
  index: ReadonlyMap<string, Entry>,
  entries: readonly NewEntry[],
  version: number,
): void {
  const changed = new Map<string, NewEntry>(entries.map((e) => [e.path, e]));
  const kindAfter = (p: string) => changed.get(p)?.kind ?? index.get(p)?.kind;
  for (const e of entries) {
    if (e.kind === 'none') continue;
    for (let parent = parentOf(e.path); parent !== undefined; parent = parentOf(parent)) {
      const kind = kindAfter(parent);
      if (kind !== undefined && kind !== 'dir') {
        throw new LanfoldError(
          'BAD_PATH',
          `Refused to write ${e.path} (version ${version}): it would lie below ${parent}, which is ${kind === 'none' ? 'deleted' : `a ${kind}`}`,
        );
      }
    }
  }
}

/** What staging a version produced: the staged file of each path, and the local moves planned. */
export interface StagedVersion {
  readonly staged: ReadonlyMap<string, string>;
  readonly localMoves: ReadonlyMap<RelPath, RelPath>;
}

/** The new files a version must stage: those not moved locally nor already in place with the same content. */
export function filesToStage(
  disk: ReplicaDisk,
  entries: readonly NewEntry[],
  localMoves: ReadonlyMap<RelPath, RelPath> = planLocalMoves(disk, entries),
): NewEntry[] {
  return entries.filter((e) => {
    if (e.kind !== 'file' || localMoves.has(e.path)) return false;
    const current = disk.index.get(e.path);
    return !(
      current?.kind === 'file' &&
      current.hash === e.hash &&
      localState(disk.root, e.path, current, disk.sameContent) === 'same'
    );
  });
}

/**
 * Stages every new file of `target` (verified, with mode and mtime) and makes them all
 * durable; the folder itself is not touched. A two-phase prepare runs this alone.
 */
export async function stageVersion(
  disk: ReplicaDisk,
  target: ApplyTarget,
  sources: StageSources,
): Promise<StagedVersion> {
  const { root } = disk;
  checkTreeShape(disk.index, target.entries, target.version);
  const staged = new Map<string, string>();
  const localMoves = planLocalMoves(disk, target.entries);
  const toStage = filesToStage(disk, target.entries, localMoves);
  // Several files at once, so that fetches of small files overlap; one staging per content
  // (staged files are named by hash, so two paths with the same content share it).
  const byHash = new Map<string, Promise<string>>();
  let activeFiles = 0;
  let activeBytes = 0;
  let failure: { reason: unknown } | undefined;
  // Woken each time a file settles (one waiter at most: this loop).
  let wake: (() => void) | undefined;
  // What is staged now (one directory read): a file staged ahead is used only if it is still there.
  const present = sources.prestaged?.size ? stagedHashes(root) : undefined;
  const hasRoom = (cost: number) =>
    activeFiles === 0 ||
    (activeFiles < STAGE_MAX_FILES && activeBytes + cost <= STAGE_LOOKAHEAD_BYTES);
  for (const e of toStage) {
    const cost = Math.min(e.size, STAGE_LOOKAHEAD_BYTES);
    while (failure === undefined && !hasRoom(cost))
      await new Promise<void>((resolve) => (wake = resolve));
    if (failure !== undefined) break;
    const pre = sources.prestaged?.get(e.hash!);
    if (pre && pre.mode === e.mode && pre.mtimeMs === e.mtimeMs && present?.has(e.hash!)) {
      // Staged while the version arrived, as this entry wants it, and still there.
      staged.set(e.path, stagedPath(root, e.hash!));
      continue;
    }
    let job = byHash.get(e.hash!);
    if (!job) {
      job = stageFile(root, e, sources);
      byHash.set(e.hash!, job);
    }
    activeFiles++;
    activeBytes += cost;
    void job
      .then(
        (file) => void staged.set(e.path, file),
        (reason: unknown) => void (failure ??= { reason }),
      )
      .finally(() => {
        activeFiles--;
        activeBytes -= cost;
        const waiter = wake;
        wake = undefined;
        waiter?.();
      });
  }
  // Every staging settles before a failure is reported, so no staging write outlives the apply.
  while (activeFiles > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure !== undefined) throw failure.reason;
  // Every staged file durable in one step (one syncfs on Linux) before the journal names them.
  const durable = new DurableBatch();
  for (const f of new Set(staged.values())) durable.file(f);
  durable.flush(root);
  return { staged, localMoves };
}

/**
 * How an atomic-view replica applies (see view/atomic-view.ts): the steps run in a new
 * version directory that `build` makes, and `publish` shows it once they are durable.
 */
export interface ViewSwitch {
  /** Builds the next version directory from the current one; returns it (the steps' root). */
  build(): string;
  /** Makes the built directory the folder in one step; called before the version is recorded. */
  publish(): void;
}

export async function applyVersion(
  folder: ReplicaDisk,
  target: ApplyTarget,
  sources: StageSources,
  view?: ViewSwitch,
): Promise<ApplyResult> {
  // 1. Stage every new file's content (verified, fsynced, with mode and mtime).
  const { staged, localMoves } = await stageVersion(folder, target, sources);
  failpoint('apply:staged');
  const disk = view ? { ...folder, root: view.build() } : folder;
  const { root } = disk;

  // 2. Keep local edits that stand in the way.
  const conflicts: { path: RelPath; keptAs: RelPath }[] = [];
  const deleted = new Set<string>(
    target.entries.filter((e) => e.kind === 'none').map((e) => e.path),
  );
  // Below a directory that does not exist there is nothing to keep: one lstat per directory
  // instead of several per file when a version fills an empty folder.
  const dirs = new Map<RelPath, boolean>();
  for (const e of target.entries) {
    if (e.kind === 'dir' || underMissingDir(root, e.path, dirs)) continue;
    if (
      e.kind !== 'none' &&
      isDir(resolveIn(root, e.path)) &&
      holdsMoreThan(root, e.path, deleted)
    ) {
      // A directory stands where a file or link must go, with content this version does not
      // delete (made locally): it could never be replaced, so it is kept aside like a file.
      const keptAs = keepAsConflict(root, e.path, disk.deviceId, disk.now());
      dirs.delete(keptAs); // what the pass knew of both names is stale now
      dirs.delete(e.path);
      conflicts.push({ path: e.path, keptAs });
      disk.logger.warn({ path: e.path, keptAs }, 'local directory kept as a conflict copy');
      continue;
    }
    const current = disk.index.get(e.path);
    const state = localState(root, e.path, current, disk.sameContent);
    const wantsSame =
      e.kind === 'file' &&
      current?.kind === 'file' &&
      current.hash === e.hash &&
      !staged.has(e.path);
    if ((state === 'changed' || state === 'unknown') && !wantsSame) {
      if (lstatSync(resolveIn(root, e.path)).isDirectory()) continue; // a local directory: kept, reported as a local change
      // Already what this version puts there (a copy seeded by hand, the same edit made on both sides): nothing to keep.
      if (
        e.kind !== 'none' &&
        localState(root, e.path, { ...e, seq: target.version }, disk.sameContent) === 'same'
      )
        continue;
      const keptAs = keepAsConflict(root, e.path, disk.deviceId, disk.now());
      dirs.delete(keptAs);
      conflicts.push({ path: e.path, keptAs });
      disk.logger.warn({ path: e.path, keptAs }, 'local change kept as a conflict file');
    }
  }

  // 3. Journal the steps, then run them.
  const journal: Journal = {
    version: target.version,
    createdAt: target.createdAt,
    method: target.method,
    steps: planSteps(target.entries, staged, localMoves),
    entries: target.entries.map(toJournalEntry),
  };
  writeJournal(disk.journalFile, journal);
  failpoint('apply:journaled');
  runSteps(root, journal.steps, dirModes(disk), { ownInodes: view !== undefined });
  view?.publish();
  return { info: commitJournal(disk, journal), conflicts };
}

/** Replays an unfinished apply found at start; returns the version it committed, if any. */
export function recoverApply(
  disk: ReplicaDisk,
  options: { keepStaging?: boolean; view?: { publish: () => void } } = {},
): VersionInfo | undefined {
  const journal = readJournal(disk.journalFile);
  if (!journal) {
    // A prepared two-phase transaction keeps its staged files (made durable before it voted).
    if (!options.keepStaging) discardUnjournaledStaging(disk.root);
    return undefined;
  }
  disk.logger.warn({ version: journal.version }, 'finishing an apply interrupted by a crash');
  try {
    runSteps(disk.root, journal.steps, dirModes(disk), { ownInodes: options.view !== undefined });
    options.view?.publish();
  } catch (err) {
    if (!(err instanceof LanfoldError && err.code === 'BAD_PATH')) throw err;
    // The folder changed under the journal in a way that makes a step unsafe (a directory
    // swapped for a symlink). Never write through it; give the version up instead of
    // refusing to open forever: the replica stays at its recorded version, fetches a fresh
    // delta, and anything the partial apply left is kept as local changes or conflicts.
    disk.logger.error(
      { err, version: journal.version },
      'abandoned an interrupted apply that is no longer safe to finish',
    );
    removeJournal(disk.journalFile);
    return undefined;
  }
  return commitJournal(disk, journal);
}

/** Paths whose new content is an unchanged local file moving within this version: renamed, not copied. */
function planLocalMoves(disk: ReplicaDisk, entries: readonly NewEntry[]): Map<RelPath, RelPath> {
  const deleted = new Set(entries.filter((e) => e.kind === 'none').map((e) => e.path));
  const moves = new Map<RelPath, RelPath>();
  const used = new Set<string>();
  for (const e of entries) {
    if (
      e.kind !== 'file' ||
      e.op !== 'move' ||
      !e.movedFrom ||
      !deleted.has(e.movedFrom) ||
      used.has(e.movedFrom)
    )
      continue;
    const source = disk.index.get(e.movedFrom);
    if (source?.kind !== 'file' || source.hash !== e.hash) continue;
    if (localState(disk.root, e.movedFrom, source, disk.sameContent) !== 'same') continue;
    moves.set(e.path, e.movedFrom);
    used.add(e.movedFrom);
  }
  return moves;
}

function depth(p: string): number {
  return p.split('/').length;
}

function planSteps(
  entries: readonly NewEntry[],
  staged: ReadonlyMap<string, string>,
  moves: ReadonlyMap<RelPath, RelPath>,
): Step[] {
  const steps: Step[] = [];
  for (const [to, from] of moves) steps.push({ op: 'move', from, to });
  const deletes = entries
    .filter((e) => e.kind === 'none')
    .sort((a, b) => depth(b.path) - depth(a.path));
  for (const e of deletes) steps.push({ op: 'delete', path: e.path });
  const dirs = entries
    .filter((e) => e.kind === 'dir')
    .sort((a, b) => depth(a.path) - depth(b.path));
  for (const e of dirs) steps.push({ op: 'mkdir', path: e.path, mode: e.mode });
  // A staged file used by one path already has that path's mode and mtime (set when it was
  // staged, made durable before the journal), and a rename keeps them: no meta step needed.
  const uses = new Map<string, number>();
  for (const s of staged.values()) uses.set(s, (uses.get(s) ?? 0) + 1);
  for (const e of entries) {
    if (e.kind === 'file') {
      const s = staged.get(e.path);
      if (s) steps.push({ op: 'place', staged: path.basename(s), path: e.path });
      if (!s || uses.get(s) !== 1)
        steps.push({ op: 'meta', path: e.path, mode: e.mode, mtimeMs: e.mtimeMs });
    } else if (e.kind === 'symlink') {
      steps.push({ op: 'symlink', path: e.path, target: e.target! });
    }
  }
  return steps;
}

/** The mode this replica recorded for a directory it holds. */
function dirModes(disk: ReplicaDisk): (rel: RelPath) => number | undefined {
  return (rel) => {
    const e = disk.index.get(rel);
    return e?.kind === 'dir' ? e.mode : undefined;
  };
}

/** Owner bits a read-only directory is opened with while a step writes in it. */
const OPENED_BITS = 0o300;

/** Runs journaled steps; each is idempotent, so a replay after a crash is safe. */
function runSteps(
  root: string,
  steps: readonly Step[],
  dirMode: (rel: RelPath) => number | undefined,
  options: { ownInodes: boolean },
): void {
  const places = steps.filter((s) => s.op === 'place').length;
  // Staged files are named by content: paths with the same content share one. Each place
  // but its last copies it; the last renames it (so a replay knows the earlier ones ran).
  const lastUse = new Map<string, number>();
  steps.forEach((s, i) => {
    if (s.op === 'place') lastUse.set(s.staged, i);
  });
  let placed = 0;
  const touchedDirs = new Set<string>();
  const touchedParents = new Set<RelPath>();

  const runStep = (step: Step, index: number): void => {
    const rel = step.op === 'move' ? step.to : step.path;
    assertSafeParents(root, rel);
    const full = resolveIn(root, rel);
    touchedDirs.add(path.dirname(full));
    switch (step.op) {
      case 'move': {
        const from = resolveIn(root, step.from);
        if (!existsSync(from)) break;
        assertSafeParents(root, step.from);
        mkdirSync(path.dirname(full), { recursive: true });
        clearDirAt(full);
        renameSync(from, full);
        touchedDirs.add(path.dirname(from));
        break;
      }
      case 'delete':
        removePath(full);
        break;
      case 'mkdir':
        if (!isDir(full)) {
          removePath(full);
          mkdirSync(full, { recursive: true });
        }
        // Writable by its owner until the last step; its own mode is set after that.
        chmodSync(full, step.mode | 0o700);
        break;
      case 'place': {
        const source = path.join(stagingDir(root), step.staged);
        if (lastUse.get(step.staged) === index) {
          if (!placeByRename(source, full)) break; // placed before a crash
        } else {
          if (!existsSync(source)) break; // placed before a crash
          mkdirSync(path.dirname(full), { recursive: true });
          clearDirAt(full);
          const copy = `${source}.copy`;
          chmodSync(source, 0o600); // readable whatever its mode (each path's own is set by its meta step)
          copyFileSync(source, copy);
          fsyncFile(copy);
          renameSync(copy, full);
        }
        placed++;
        if (placed === Math.ceil(places / 2)) failpoint('apply:renamed-some');
        break;
      }
      case 'symlink': {
        mkdirSync(path.dirname(full), { recursive: true });
        let current: string | undefined;
        try {
          current = readlinkSync(full);
        } catch {
          current = undefined;
        }
        if (current === step.target) break;
        const tmp = path.join(stagingDir(root), `link-${process.pid}-${Date.now()}`);
        mkdirSync(stagingDir(root), { recursive: true });
        rmSync(tmp, { force: true });
        symlinkSync(step.target, tmp);
        clearDirAt(full);
        renameSync(tmp, full);
        break;
      }
      case 'meta':
        try {
          // In a version directory a file may share its inode with older ones: give it its own first.
          if (options.ownInodes) ownInode(root, full, step.mode, step.mtimeMs);
          chmodSync(full, step.mode);
          utimesSync(full, new Date(step.mtimeMs), new Date(step.mtimeMs));
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err;
        }
        break;
    }
  };

  for (const [index, step] of steps.entries()) {
    const parents = [
      parentOf(step.op === 'move' ? step.to : step.path),
      step.op === 'move' ? parentOf(step.from) : undefined,
    ];
    for (const p of parents) if (p !== undefined) touchedParents.add(p);
    try {
      runStep(step, index);
    } catch (err) {
      if (errnoCode(err) !== 'EACCES' && errnoCode(err) !== 'EPERM') throw err;
      // A read-only directory in the way (a replica that does not run as root): open it to
      // its owner for this step; it gets its recorded mode back below.
      for (const p of parents) if (p !== undefined) openNearestDir(root, p);
      runStep(step, index);
    }
  }
  // Directories take their modes once everything is in them (a read-only one takes nothing
  // new); existing ones opened above go back to the mode recorded for them.
  const made = new Set<string>();
  for (const step of steps) {
    if (step.op !== 'mkdir') continue;
    made.add(step.path);
    const full = resolveIn(root, step.path);
    if (isDir(full)) chmodSync(full, step.mode);
  }
  for (const rel of touchedParents) {
    for (let p: RelPath | undefined = rel; p !== undefined; p = parentOf(p)) {
      const recorded = dirMode(p);
      const full = resolveIn(root, p);
      if (made.has(p) || recorded === undefined || !isDir(full)) continue;
      const mode = lstatSync(full).mode & 0o7777;
      if (mode !== recorded && mode === (recorded | OPENED_BITS)) chmodSync(full, recorded);
    }
  }
  failpoint('apply:renamed');
  // The renames and deletions durable before the version is recorded: one step for all.
  const durable = new DurableBatch();
  for (const dir of touchedDirs) durable.dir(dir);
  durable.flush(root);
}

/**
 * Replaces a hard-linked file whose mode or mtime must change by a private copy (copied,
 * fsynced, renamed over it), so that the change never reaches the other links.
 */
function ownInode(root: string, full: string, mode: number, mtimeMs: number): void {
  const st = lstatSync(full);
  if (!st.isFile() || st.nlink < 2) return;
  if ((st.mode & 0o7777) === mode && st.mtimeMs === mtimeMs) return;
  mkdirSync(stagingDir(root), { recursive: true });
  const copy = path.join(stagingDir(root), `own-${process.pid}`);
  rmSync(copy, { force: true });
  copyFileSync(full, copy);
  fsyncFile(copy);
  renameSync(copy, full);
}

/**
 * Renames a staged file into place; false when the staged file is gone (placed before a
 * crash). Tries the rename first: the parent is made, and an empty directory in the way
 * removed, only when the rename says so (one syscall per file in the common case).
 */
function placeByRename(source: string, full: string): boolean {
  try {
    renameSync(source, full);
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') {
      if (!existsSync(source)) return false;
      mkdirSync(path.dirname(full), { recursive: true });
    } else if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
      clearDirAt(full);
    } else throw err;
  }
  renameSync(source, full);
  return true;
}

/** Opens the nearest existing directory at or above `rel` to its owner (write and search). */
function openNearestDir(root: string, rel: RelPath): void {
  for (let p: RelPath | undefined = rel; p !== undefined; p = parentOf(p)) {
    const full = resolveIn(root, p);
    if (!isDir(full)) continue;
    chmodSync(full, (lstatSync(full).mode & 0o7777) | OPENED_BITS);
    return;
  }
}

/** True when the directory `rel` holds anything (at any depth) outside `deleted`. */
function holdsMoreThan(root: string, rel: string, deleted: ReadonlySet<string>): boolean {
  for (const d of readdirSync(resolveIn(root, rel as RelPath), { withFileTypes: true })) {
    const child = `${rel}/${d.name}`;
    if (!deleted.has(child)) return true;
    if (d.isDirectory() && holdsMoreThan(root, child, deleted)) return true;
  }
  return false;
}

function isDir(full: string): boolean {
  try {
    return lstatSync(full).isDirectory();
  } catch {
    return false;
  }
}

/** Removes an empty directory standing where a file or link must go (a non-empty one stays: the rename then fails loudly). */
function clearDirAt(full: string): void {
  if (isDir(full)) {
    try {
      rmdirSync(full);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
}

function removePath(full: string): void {
  let st;
  try {
    st = lstatSync(full);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    try {
      rmdirSync(full);
    } catch (err) {
      // Files the replica did not put there keep the directory alive; they show as local changes.
      if (
        errnoCode(err) !== 'ENOTEMPTY' &&
        errnoCode(err) !== 'EEXIST' &&
        errnoCode(err) !== 'ENOENT'
      )
        throw err;
    }
  } else {
    unlinkSync(full);
  }
}

function fsyncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Records the journaled version in the replica's log with what is now on disk, then drops the journal. */
function commitJournal(disk: ReplicaDisk, journal: Journal): VersionInfo {
  const entries = journal.entries.map(fromJournalEntry).map((e) => withLocalStat(disk.root, e));
  let info = disk.log.version(journal.version);
  if (!info) {
    info = disk.log.commit(
      {
        epoch: 1,
        createdAt: journal.createdAt,
        method: journal.method,
        reason: 'applied from upstream',
        origin: 'apply',
      },
      entries,
      journal.version,
    );
  }
  failpoint('apply:committed');
  for (const e of entries) {
    if (e.kind === 'none') disk.index.delete(e.path);
    else disk.index.set(e.path, { ...e, seq: journal.version, chunks: null });
  }
  removeJournal(disk.journalFile);
  rmSync(stagingDir(disk.root), { recursive: true, force: true });
  return info;
}

function withLocalStat(root: string, e: NewEntry): NewEntry {
  if (e.kind === 'none') return e;
  try {
    const st = lstatSync(resolveIn(root, e.path));
    return { ...e, ino: st.ino, mtimeMs: e.kind === 'file' ? st.mtimeMs : e.mtimeMs };
  } catch {
    return e;
  }
}

export interface JournalEntry extends Omit<NewEntry, 'chunks'> {
  readonly chunks: string | null;
}

export function toJournalEntry(e: NewEntry): JournalEntry {
  return { ...e, chunks: e.chunks ? e.chunks.packed.toString('base64') : null };
}

export function fromJournalEntry(e: unknown): NewEntry {
  const j = e as JournalEntry;
  return {
    ...j,
    path: toRelPath(j.path),
    movedFrom: j.movedFrom ? toRelPath(j.movedFrom) : null,
    chunks: j.chunks ? ChunkList.fromPacked(Buffer.from(j.chunks, 'base64')) : null,
  };
}
