/**
 * MasterFolder.start records the first version before the watcher has placed its watches, then
 * rescans once they are in place. These tests change the folder at every step of that start-up
 * (through its start hooks) and while it runs, and check that nothing is missed: the recorded
 * state equals the disk.
 */
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { StartHooks, StartStep } from '../../main/engine/master-folder.js';
import { IgnoreRules } from '../../main/engine/ignore-rules.js';
import {
  closeAllWatched,
  describeVersions,
  makeFolderDirs,
  openWatched,
  opsOf,
  entriesSince,
  settle,
  type WatchedFolder,
} from '../helpers/master.js';
import { snapshotFolder, stateDifferences, stateOfEntries } from '../helpers/folder-state.js';
import { Rng } from '../helpers/random.js';
import { removeTempDirs } from '../helpers/temp.js';

afterEach(async () => {
  await closeAllWatched();
  removeTempDirs();
});

const DIRS = 30;
const FILES_PER_DIR = 40;

/** A folder of DIRS directories of FILES_PER_DIR small files: enough for a crawl that takes a while. */
function populate(root: string): void {
  for (let d = 0; d < DIRS; d++) {
    mkdirSync(path.join(root, `d${d}`));
    for (let f = 0; f < FILES_PER_DIR; f++)
      writeFileSync(path.join(root, `d${d}`, `f${f}.txt`), `dir ${d} file ${f}\n`);
  }
}

/** Differences between the disk and the state recorded at the head (empty when equal). */
async function differences(w: WatchedFolder): Promise<string[]> {
  const disk = await snapshotFolder(w.root, IgnoreRules.load(w.root));
  const log = w.folder.log;
  return stateDifferences(disk, stateOfEntries(log.stateAt(log.head())));
}

/**
 * One of each change below `dir` (a directory of populate's): an edit that keeps the size, an
 * append, a new file, a deletion, a rename, a chmod, a new directory with a file, and a
 * deleted directory replaced by a file.
 */
function changeEverything(root: string, dir: string, tag: string): void {
  const at = (rel: string) => path.join(root, dir, rel);
  writeFileSync(at('f0.txt'), `${tag} f0 same size!`.slice(0, 18).padEnd(18, '.'));
  appendFileSync(at('f1.txt'), `appended at ${tag}\n`);
  writeFileSync(at(`new-${tag}.txt`), `created at ${tag}\n`);
  unlinkSync(at('f2.txt'));
  renameSync(at('f3.txt'), at(`f3-renamed-${tag}.txt`));
  chmodSync(at('f4.txt'), 0o600);
  mkdirSync(at(`sub-${tag}`));
  writeFileSync(at(`sub-${tag}/inner.txt`), `inner ${tag}\n`);
}

describe('MasterFolder start-up', () => {
  it('records changes made at every step of start-up; the state equals the disk when start resolves', async () => {
    const dirs = makeFolderDirs();
    populate(dirs.root);
    const seen: { step: StartStep; versions: number }[] = [];
    let opened: WatchedFolder | undefined;
    const step =
      (name: StartStep, change: () => void | Promise<void>) => async (): Promise<void> => {
        seen.push({ step: name, versions: opened?.versions.length ?? -1 });
        await change();
      };
    let crawlTicks = 0;
    const hooks: StartHooks = {
      walked: step('walked', () => {
        changeEverything(dirs.root, 'd0', 'walked');
        rmSync(path.join(dirs.root, 'd1'), { recursive: true });
      }),
      recorded: step('recorded', () => {
        changeEverything(dirs.root, 'd2', 'recorded');
        renameSync(path.join(dirs.root, 'd3'), path.join(dirs.root, 'd3-moved'));
      }),
      // While the watcher crawls (and the first scan runs): change a directory on each turn of
      // the event loop, so that some are changed before the crawl or the scan lists them, some
      // between listing and watching, some after.
      crawling: step('crawling', async () => {
        for (let d = 4; d < DIRS; d++) {
          changeEverything(dirs.root, `d${d}`, 'crawling');
          crawlTicks++;
          await nextTick();
        }
      }),
    };
    const w = await openWatched(dirs, { startHooks: hooks, onOpen: (x) => (opened = x) });
    expect(seen.map((s) => s.step).sort()).toEqual(['crawling', 'recorded', 'walked']);
    // The first version was recorded (and handed to onVersion, which publishes it) at once.
    expect(seen.find((s) => s.step === 'recorded')?.versions).toBe(1);
    expect(seen.find((s) => s.step === 'walked')?.versions).toBe(0);
    expect(crawlTicks).toBe(DIRS - 4);
    // No waiting for watcher events: the rescan at the end of start() found everything.
    expect(await differences(w), describeVersions(w, 0)).toEqual([]);
    const origins = w.versions.map((v) => v.origin);
    expect(origins[0]).toBe('initial-scan');
    expect(origins.slice(1).every((o) => o === 'rescan' || o === 'watch')).toBe(true);
    expect(origins).toContain('rescan');
    // What was deleted, renamed and added is in the log as such.
    const ops = opsOf(entriesSince(w, 1));
    expect(ops).toContain('delete d2/f2.txt');
    expect(ops).toContain('move d3-moved <- d3');
    expect(ops).toContain('add d2/new-recorded.txt');
    expect(ops).toContain('meta d2/f4.txt');

    // And the watcher is live once start resolved.
    const head = w.folder.head();
    writeFileSync(path.join(dirs.root, 'd5', 'after-start.txt'), 'after start\n');
    await settle(w, head, { what: 'a change after start to be recorded' });
    expect(w.versions.at(-1)?.origin).toBe('watch');
  });

  it('misses nothing changed at random while it starts (seeded)', async () => {
    const seed = Number(process.env.LANFOLD_TEST_SEED ?? Date.now() % 1_000_000);
    const rng = new Rng(seed);
    const dirs = makeFolderDirs();
    populate(dirs.root);
    let done = false;
    let ops = 0;
    const mutate = async (): Promise<void> => {
      // Bounded: at most 400 changes, one per turn of the event loop, until start resolves.
      for (let i = 0; i < 400 && !done; i++) {
        const d = `d${rng.int(0, DIRS - 1)}`;
        const names = readdirSync(path.join(dirs.root, d)).filter((n) => n.endsWith('.txt'));
        const file = path.join(dirs.root, d, names.length > 0 ? rng.pick(names) : 'x.txt');
        const r = rng.next();
        if (r < 0.3 || names.length === 0)
          writeFileSync(path.join(dirs.root, d, `r${i}.txt`), `random ${i}\n`);
        else if (r < 0.55) appendFileSync(file, `more ${i}\n`);
        else if (r < 0.75) unlinkSync(file);
        else if (r < 0.9) renameSync(file, path.join(dirs.root, d, `m${i}.txt`));
        else chmodSync(file, rng.chance(0.5) ? 0o600 : 0o644);
        ops++;
        await nextTick();
      }
    };
    let running: Promise<void> | undefined;
    const w = await openWatched(dirs, {
      startHooks: {
        walked: () => {
          running = mutate();
        },
      },
    });
    done = true;
    await running;
    expect(ops, `seed ${seed}`).toBeGreaterThan(0);
    // Changes made after the rescan began are the watcher's: wait for them to settle.
    await settle(w, 0, { what: `the recorded state to equal the disk (seed ${seed})` });
    expect(await differences(w), `seed ${seed}`).toEqual([]);
  });

  it('start resolves when the folder is closed while the watcher crawls', async () => {
    const dirs = makeFolderDirs();
    populate(dirs.root);
    let opened: WatchedFolder | undefined;
    const w = openWatched(dirs, {
      startHooks: { crawling: () => opened?.folder.close() },
      onOpen: (x) => (opened = x),
    });
    // Closed before the scan could record anything, and before the watches were in place.
    const done = await w;
    expect(done.versions).toEqual([]);
  });
});
