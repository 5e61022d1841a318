/**
 * What the watcher + scanner record for the file operations people and programs make, driven
 * through MasterFolder in-process with its watcher on. Each test waits until the recorded state
 * equals the disk, then checks the versions' operations.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { digestFile } from '../../main/engine/chunker.js';
import type { VersionInfo } from '../../main/engine/entry.js';
import { DEFAULT_FOLDER_SETTINGS } from '../../main/engine/folder-settings.js';
import { toRelPath } from '../../main/engine/relpath.js';
import {
  closeAllWatched,
  closeWatched,
  describeVersions,
  entriesSince,
  makeFolderDirs,
  openWatched,
  opsOf,
  settle,
  type WatchedFolder,
} from '../helpers/master.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { quietPeriod, waitFor } from '../helpers/wait.js';

/** How long to watch for stray extra versions after a change settled. */
const QUIET_MS = 300;

afterEach(async () => {
  await closeAllWatched();
  removeTempDirs();
});

/** A watched folder holding `files` (path -> content) from its first scan. */
async function watched(files: Record<string, string> = {}): Promise<WatchedFolder> {
  const dirs = makeFolderDirs();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dirs.root, rel)), { recursive: true });
    writeFileSync(path.join(dirs.root, rel), content);
  }
  const w = await openWatched(dirs);
  expect(w.folder.head()).toBe(1);
  return w;
}

/** Runs `change`, waits for it to be recorded, checks no stray version follows; returns the new entries' ops. */
async function record(
  w: WatchedFolder,
  change: () => void | Promise<void>,
  options: { versions?: number; timeoutMs?: number } = {},
): Promise<string[]> {
  const before = w.folder.head();
  await change();
  const head = await settle(w, before, { timeoutMs: options.timeoutMs ?? 20_000 });
  await quietPeriod(QUIET_MS);
  expect(w.folder.head(), describeVersions(w, before)).toBe(head);
  if (options.versions !== undefined)
    expect(head - before, describeVersions(w, before)).toBe(options.versions);
  for (const v of w.versions.filter((x) => x.seq > before)) expect(v.origin).toBe('watch');
  return opsOf(entriesSince(w, before));
}

function full(w: WatchedFolder, rel: string): string {
  return path.join(w.root, rel);
}

describe('watcher and scanner', () => {
  it('editor atomic save: one modify of the target, no trace of the temp file', async () => {
    const w = await watched({ 'notes/doc.txt': 'first draft\n' });
    const before = w.folder.head();
    const tmp = full(w, 'notes/.doc.txt.tmp-4821');
    let took = 0;
    const save = () => {
      const t0 = performance.now();
      const fd = openSync(tmp, 'w', 0o644);
      writeSync(fd, 'second draft, saved atomically\n');
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, full(w, 'notes/doc.txt'));
      took = performance.now() - t0;
    };
    await record(w, save);
    const quiet = DEFAULT_FOLDER_SETTINGS.batchQuietMs;
    if (took >= quiet) {
      // The save took longer than the batch's quiet time (a slow fsync): the temp file may
      // legitimately show up in between. Only the outcome is checked then.
      console.log(
        `atomic save took ${took.toFixed(1)} ms, more than the ${quiet} ms quiet time: not checking for a single version`,
      );
      const last = w.folder.log.operations(w.folder.head());
      expect(opsOf(last).filter((o) => o.endsWith('notes/doc.txt'))).toEqual([
        'modify notes/doc.txt',
      ]);
    } else {
      expect(w.folder.head(), describeVersions(w, before)).toBe(before + 1);
      expect(opsOf(entriesSince(w, before))).toEqual(['modify notes/doc.txt']);
      const all = entriesSince(w, 0).map((e) => e.path);
      expect(all.filter((p) => p.includes('tmp'))).toEqual([]);
    }
    const e = w.folder.log.entryAt(toRelPath('notes/doc.txt'), w.folder.head())!;
    expect(e.hash).toBe((await digestFile(full(w, 'notes/doc.txt'))).hash);
    expect(w.folder.log.stateAt(w.folder.head()).map((x) => x.path)).toEqual([
      'notes',
      'notes/doc.txt',
    ]);
  });

  it('rapid successive writes are coalesced and the final content is recorded', async () => {
    const w = await watched({ 'log.txt': 'start\n' });
    const before = w.folder.head();
    let text = 'start\n';
    // 100 writes in a burst, then 60 more about 5 ms apart.
    for (let i = 0; i < 100; i++) {
      text += `burst line ${i}\n`;
      writeFileSync(full(w, 'log.txt'), text);
    }
    for (let i = 0; i < 60; i++) {
      text += `paced line ${i}\n`;
      writeFileSync(full(w, 'log.txt'), text);
      await sleep(5);
    }
    const head = await settle(w, before);
    await quietPeriod(QUIET_MS);
    expect(w.folder.head()).toBe(head);
    const versions = head - before;
    console.log(`rapid writes: 160 writes recorded as ${versions} version(s)`);
    expect(versions).toBeGreaterThanOrEqual(1);
    expect(versions, describeVersions(w, before)).toBeLessThanOrEqual(8);
    expect(new Set(entriesSince(w, before).map((e) => `${e.op} ${e.path}`))).toEqual(
      new Set(['modify log.txt']),
    );
    const last = w.folder.log.entryAt(toRelPath('log.txt'), head)!;
    expect(last.size).toBe(Buffer.byteLength(text));
    expect(last.hash).toBe((await digestFile(full(w, 'log.txt'))).hash);
  });

  it('delete', async () => {
    const w = await watched({ 'a.txt': 'a', 'dir/b.txt': 'b' });
    expect(await record(w, () => unlinkSync(full(w, 'dir/b.txt')), { versions: 1 })).toEqual([
      'delete dir/b.txt',
    ]);
  });

  it('rename is a move, not a delete and an add', async () => {
    const w = await watched({ 'dir/report.txt': 'quarterly numbers\n' });
    const ops = await record(
      w,
      () => renameSync(full(w, 'dir/report.txt'), full(w, 'dir/final.txt')),
      {
        versions: 1,
      },
    );
    expect(ops).toEqual(['delete dir/report.txt', 'move dir/final.txt <- dir/report.txt']);
    const e = w.folder.log.entryAt(toRelPath('dir/final.txt'), w.folder.head())!;
    expect(e.hash).toBe((await digestFile(full(w, 'dir/final.txt'))).hash);
    expect(w.folder.log.version(w.folder.head())!.method).toBe('2pc');
  });

  it('move across directories', async () => {
    const w = await watched({ 'in/x.bin': 'x'.repeat(5000), 'out/keep.txt': 'k' });
    expect(
      await record(w, () => renameSync(full(w, 'in/x.bin'), full(w, 'out/x.bin')), { versions: 1 }),
    ).toEqual(['delete in/x.bin', 'move out/x.bin <- in/x.bin']);
    // Into a directory made in the same batch, under another name.
    expect(
      await record(
        w,
        () => {
          mkdirSync(full(w, 'out/deeper'));
          renameSync(full(w, 'out/x.bin'), full(w, 'out/deeper/y.bin'));
        },
        { versions: 1 },
      ),
    ).toEqual(['add out/deeper', 'delete out/x.bin', 'move out/deeper/y.bin <- out/x.bin']);
  });

  it('directory rename with 2,000 files is one version of moves', async () => {
    const dirs = makeFolderDirs();
    const files: string[] = [];
    for (let d = 0; d < 4; d++) {
      mkdirSync(path.join(dirs.root, 'project', `sub${d}`), { recursive: true });
      for (let i = 0; i < 500; i++) {
        const rel = `sub${d}/file ${i}.txt`;
        writeFileSync(path.join(dirs.root, 'project', rel), `content of ${rel}\n`);
        files.push(rel);
      }
    }
    const w = await openWatched(dirs);
    const before = w.folder.head();
    const ops = await record(w, () => renameSync(full(w, 'project'), full(w, 'renamed')), {
      versions: 1,
      timeoutMs: 40_000,
    });
    const entries = w.folder.log.operations(before + 1);
    const moves = entries.filter((e) => e.op === 'move');
    const deletes = entries.filter((e) => e.op === 'delete');
    expect(entries.filter((e) => e.op !== 'move' && e.op !== 'delete')).toEqual([]);
    expect(moves).toHaveLength(2000 + 4 + 1);
    expect(deletes).toHaveLength(2000 + 4 + 1);
    for (const e of moves) expect(e.movedFrom).toBe(`project${e.path.slice('renamed'.length)}`);
    expect(new Set(moves.filter((e) => e.kind === 'file').map((e) => e.path))).toEqual(
      new Set(files.map((f) => `renamed/${f}`)),
    );
    expect(ops).toHaveLength(4010);
    expect(w.folder.log.version(before + 1)!.method).toBe('2pc');
  }, 90_000);

  it('empty directory create and delete', async () => {
    const w = await watched({ 'a.txt': 'a' });
    expect(await record(w, () => mkdirSync(full(w, 'empty')), { versions: 1 })).toEqual([
      'add empty',
    ]);
    expect(w.folder.log.entryAt(toRelPath('empty'), w.folder.head())!.kind).toBe('dir');
    expect(await record(w, () => mkdirSync(full(w, 'empty/nested')), { versions: 1 })).toEqual([
      'add empty/nested',
    ]);
    expect(await record(w, () => rmdirSync(full(w, 'empty/nested')), { versions: 1 })).toEqual([
      'delete empty/nested',
    ]);
    expect(await record(w, () => rmdirSync(full(w, 'empty')), { versions: 1 })).toEqual([
      'delete empty',
    ]);
  });

  it('a directory deleted and re-created under the same name is still watched', async () => {
    const w = await watched({ 'd/a.txt': 'a', 'd/e/b.txt': 'b' });
    expect(
      await record(
        w,
        () => {
          rmSync(full(w, 'd'), { recursive: true });
          mkdirSync(full(w, 'd/e'), { recursive: true });
        },
        { versions: 1 },
      ),
    ).toEqual(['delete d/a.txt', 'delete d/e/b.txt']);
    // Changes inside the new directories must still be seen.
    expect(
      await record(w, () => writeFileSync(full(w, 'd/new.txt'), 'n'), { versions: 1 }),
    ).toEqual(['add d/new.txt']);
    expect(
      await record(w, () => writeFileSync(full(w, 'd/e/new.txt'), 'n'), { versions: 1 }),
    ).toEqual(['add d/e/new.txt']);
    expect(
      await record(w, () => chmodSync(full(w, 'd/e/new.txt'), 0o600), { versions: 1 }),
    ).toEqual(['meta d/e/new.txt']);
  });

  it("a new directory that gets a deleted directory's inode is not a move of it", async () => {
    const w = await watched();
    let reused = 0;
    for (let i = 0; i < 12 && reused < 2; i++) {
      await record(w, () => {
        mkdirSync(full(w, `old${i}`));
        writeFileSync(full(w, `old${i}/content.txt`), `content ${i}`);
      });
      const oldIno = lstatSync(full(w, `old${i}`)).ino;
      const ops = await record(
        w,
        () => {
          rmSync(full(w, `old${i}`), { recursive: true });
          mkdirSync(full(w, `new${i}`));
        },
        { versions: 1 },
      );
      if (lstatSync(full(w, `new${i}`)).ino === oldIno) reused++;
      expect(ops).toEqual([`add new${i}`, `delete old${i}`, `delete old${i}/content.txt`]);
    }
    console.log(`inode reuse: the new directory got the old one's inode in ${reused} attempt(s)`);
  });

  it('mode-only change is a meta op', async () => {
    const w = await watched({ 'run.sh': '#!/bin/sh\necho hi\n', 'd/x': 'x' });
    chmodSync(full(w, 'run.sh'), 0o644);
    expect(await record(w, () => chmodSync(full(w, 'run.sh'), 0o755), { versions: 1 })).toEqual([
      'meta run.sh',
    ]);
    const e = w.folder.log.entryAt(toRelPath('run.sh'), w.folder.head())!;
    expect(e.mode).toBe(0o755);
    expect(await record(w, () => chmodSync(full(w, 'd'), 0o700), { versions: 1 })).toEqual([
      'meta d',
    ]);
    expect(w.folder.log.entryAt(toRelPath('d'), w.folder.head())!.mode).toBe(0o700);
  });

  it('case-only rename a.txt -> A.txt', async () => {
    const w = await watched({ 'a.txt': 'lower case name\n' });
    expect(
      await record(w, () => renameSync(full(w, 'a.txt'), full(w, 'A.txt')), { versions: 1 }),
    ).toEqual(['delete a.txt', 'move A.txt <- a.txt']);
  });

  it('unicode names in NFC and NFD are distinct names, as on disk', async () => {
    const w = await watched();
    const nfc = 'caf\u00e9.txt';
    const nfd = 'cafe\u0301.txt';
    expect(nfc.normalize('NFD')).toBe(nfd);
    const ops = await record(
      w,
      () => {
        writeFileSync(full(w, nfc), 'composed');
        writeFileSync(full(w, nfd), 'decomposed');
        mkdirSync(full(w, '\u00c5ngstr\u00f6m'));
        writeFileSync(full(w, '\u00c5ngstr\u00f6m/\u65e5\u672c\u8a9e \ud83d\ude00.txt'), 'emoji');
      },
      { versions: 1 },
    );
    expect(ops).toEqual(
      [
        `add ${nfc}`,
        `add ${nfd}`,
        'add \u00c5ngstr\u00f6m',
        'add \u00c5ngstr\u00f6m/\u65e5\u672c\u8a9e \ud83d\ude00.txt',
      ].sort(),
    );
    const head = w.folder.head();
    expect(w.folder.log.entryAt(toRelPath(nfc), head)!.size).toBe(8);
    expect(w.folder.log.entryAt(toRelPath(nfd), head)!.size).toBe(10);
  });

  it('zero-byte files', async () => {
    const w = await watched();
    const ops = await record(
      w,
      () => {
        writeFileSync(full(w, 'empty-1'), '');
        writeFileSync(full(w, 'empty-2.txt'), '');
      },
      { versions: 1 },
    );
    expect(ops).toEqual(['add empty-1', 'add empty-2.txt']);
    const e = w.folder.log.entryAt(toRelPath('empty-1'), w.folder.head())!;
    expect(e.size).toBe(0);
    expect(e.hash).toBe((await digestFile(full(w, 'empty-1'))).hash);
    // Emptying a file and filling an empty one.
    writeFileSync(full(w, 'x.txt'), 'x');
    await settle(w, w.folder.head());
    expect(
      await record(
        w,
        () => {
          writeFileSync(full(w, 'x.txt'), '');
          writeFileSync(full(w, 'empty-1'), 'now full');
        },
        { versions: 1 },
      ),
    ).toEqual(['modify empty-1', 'modify x.txt']);
    // Deleting an empty file is a delete, even with another empty file around (no false move).
    expect(
      await record(
        w,
        () => {
          unlinkSync(full(w, 'empty-2.txt'));
          writeFileSync(full(w, 'other-empty'), '');
        },
        { versions: 1 },
      ),
    ).toEqual(['add other-empty', 'delete empty-2.txt']);
  });

  it('names with spaces', async () => {
    const w = await watched();
    const ops = await record(
      w,
      () => {
        mkdirSync(full(w, 'My Documents'));
        writeFileSync(full(w, 'My Documents/annual report  final .txt'), 'spaces');
        writeFileSync(full(w, ' leading space'), 'lead');
      },
      { versions: 1 },
    );
    expect(ops).toEqual(
      [
        'add  leading space',
        'add My Documents',
        'add My Documents/annual report  final .txt',
      ].sort(),
    );
    expect(
      await record(w, () => renameSync(full(w, 'My Documents'), full(w, 'Our Documents')), {
        versions: 1,
      }),
    ).toEqual([
      'delete My Documents',
      'delete My Documents/annual report  final .txt',
      'move Our Documents <- My Documents',
      'move Our Documents/annual report  final .txt <- My Documents/annual report  final .txt',
    ]);
  });

  it('symlinks are recorded with their target and never followed', async () => {
    const outside = makeTempDir('lanfold-outside-');
    writeFileSync(path.join(outside, 'secret.txt'), 'outside content');
    mkdirSync(path.join(outside, 'tree'));
    writeFileSync(path.join(outside, 'tree/inner.txt'), 'inner');
    const fifo = path.join(outside, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const w = await watched({ 'real.txt': 'real', 'dir/x.txt': 'x' });
    const links: Record<string, string> = {
      'to-real': 'real.txt',
      'to-dir': 'dir',
      dangling: 'does/not/exist',
      'out-file': path.join(outside, 'secret.txt'),
      'out-tree': path.join(outside, 'tree'),
      'out-pipe': fifo,
      'out-relative': '../../..',
    };
    const ops = await record(
      w,
      () => {
        for (const [name, target] of Object.entries(links)) symlinkSync(target, full(w, name));
      },
      { versions: 1 },
    );
    expect(ops).toEqual(
      Object.keys(links)
        .map((n) => `add ${n}`)
        .sort(),
    );
    const head = w.folder.head();
    for (const [name, target] of Object.entries(links)) {
      const e = w.folder.log.entryAt(toRelPath(name), head)!;
      expect(e.kind, name).toBe('symlink');
      expect(e.target, name).toBe(target);
      expect(e.size, name).toBe(0);
      expect(e.hash, name).toBeNull();
      expect(e.chunks, name).toBeNull();
    }
    // Nothing below a symlinked directory is recorded.
    const paths = w.folder.log.stateAt(head).map((e) => e.path);
    expect(paths.filter((p) => p.startsWith('to-dir/') || p.startsWith('out-tree/'))).toEqual([]);
    // Nobody opened the FIFO: a writer that does not wait finds no reader.
    expect(() => openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)).toThrow(
      expect.objectContaining({ code: 'ENXIO' }),
    );
    // Retargeting a symlink is a modify; writing through one outside changes nothing recorded.
    expect(
      await record(
        w,
        () => {
          unlinkSync(full(w, 'to-real'));
          symlinkSync('dir/x.txt', full(w, 'to-real'));
        },
        { versions: 1 },
      ),
    ).toEqual(['modify to-real']);
    const headBefore = w.folder.head();
    writeFileSync(path.join(outside, 'secret.txt'), 'changed outside');
    writeFileSync(path.join(outside, 'tree/new.txt'), 'new outside');
    await quietPeriod(QUIET_MS);
    expect(w.folder.head()).toBe(headBefore);
  });

  it('.lanfoldignore patterns and the default ignores are honoured', async () => {
    const w = await watched({ '.lanfoldignore': '# build output\n*.log\nbuild/\n!keep.log\n' });
    const ops = await record(
      w,
      () => {
        writeFileSync(full(w, 'app.log'), 'ignored by pattern');
        writeFileSync(full(w, 'keep.log'), 'kept by negation');
        mkdirSync(full(w, 'build'));
        writeFileSync(full(w, 'build/out.o'), 'ignored dir');
        writeFileSync(full(w, '.DS_Store'), 'mac');
        writeFileSync(full(w, 'foo.swp'), 'vim');
        writeFileSync(full(w, 'notes.txt~'), 'backup');
        mkdirSync(full(w, 'src'));
        writeFileSync(full(w, 'src/.DS_Store'), 'mac');
        writeFileSync(full(w, 'src/main.c'), 'int main;');
      },
      { versions: 1 },
    );
    expect(ops).toEqual(['add keep.log', 'add src', 'add src/main.c']);
    // Changes to ignored files record nothing.
    const head = w.folder.head();
    writeFileSync(full(w, 'app.log'), 'more');
    writeFileSync(full(w, 'build/out.o'), 'more');
    writeFileSync(full(w, 'foo.swp'), 'more');
    await quietPeriod(QUIET_MS * 2);
    expect(w.folder.head(), describeVersions(w, head)).toBe(head);
    // Un-ignoring a pattern picks the files up (the ignore file change rescans everything).
    const ops2 = await record(w, () => writeFileSync(full(w, '.lanfoldignore'), 'build/\n'), {
      versions: 1,
    });
    expect(ops2).toEqual(['add app.log', 'modify .lanfoldignore']);
  });

  it('the staging directory .lanfold-staging is never recorded', async () => {
    const w = await watched({ '.lanfoldignore': '!.lanfold-staging\n!.lanfold-staging/**\n' });
    const before = w.folder.head();
    mkdirSync(full(w, '.lanfold-staging/tx1'), { recursive: true });
    writeFileSync(full(w, '.lanfold-staging/tx1/part.bin'), 'staged');
    writeFileSync(full(w, '.lanfold-staging/loose'), 'staged');
    const ops = await record(w, () => writeFileSync(full(w, 'visible.txt'), 'v'), {
      versions: 1,
    });
    expect(ops).toEqual(['add visible.txt']);
    renameSync(full(w, '.lanfold-staging/loose'), full(w, '.lanfold-staging/tx1/loose'));
    await w.folder.rescan();
    const all = entriesSince(w, 0).map((e) => e.path);
    expect(all.filter((p) => p.startsWith('.lanfold-staging'))).toEqual([]);
    expect(w.folder.head()).toBe(before + 1);
  });

  it('changes made while stopped are found by the rescan at start', async () => {
    const dirs = makeFolderDirs();
    writeFileSync(path.join(dirs.root, 'kept.txt'), 'kept');
    writeFileSync(path.join(dirs.root, 'edited.txt'), 'old');
    writeFileSync(path.join(dirs.root, 'gone.txt'), 'gone');
    writeFileSync(path.join(dirs.root, 'renamed-from.txt'), 'renamed content');
    writeFileSync(path.join(dirs.root, 'mode.sh'), 'echo');
    mkdirSync(path.join(dirs.root, 'olddir'));
    writeFileSync(path.join(dirs.root, 'olddir/inner.txt'), 'inner');
    const first = await openWatched(dirs);
    expect(first.folder.head()).toBe(1);
    await closeWatched(first);

    writeFileSync(path.join(dirs.root, 'edited.txt'), 'new content');
    unlinkSync(path.join(dirs.root, 'gone.txt'));
    renameSync(path.join(dirs.root, 'renamed-from.txt'), path.join(dirs.root, 'renamed-to.txt'));
    chmodSync(path.join(dirs.root, 'mode.sh'), 0o700);
    renameSync(path.join(dirs.root, 'olddir'), path.join(dirs.root, 'newdir'));
    writeFileSync(path.join(dirs.root, 'added.txt'), 'added');

    const second = await openWatched(dirs);
    expect(second.folder.head()).toBe(2);
    expect(second.versions.map((v: VersionInfo) => v.origin)).toEqual(['rescan']);
    expect(opsOf(second.folder.log.operations(2))).toEqual(
      [
        'add added.txt',
        'modify edited.txt',
        'delete gone.txt',
        'delete renamed-from.txt',
        'move renamed-to.txt <- renamed-from.txt',
        'meta mode.sh',
        'delete olddir',
        'delete olddir/inner.txt',
        'move newdir <- olddir',
        'move newdir/inner.txt <- olddir/inner.txt',
      ].sort(),
    );
    // And the watcher works after the restart.
    expect(
      await record(second, () => writeFileSync(path.join(dirs.root, 'kept.txt'), 'changed')),
    ).toEqual(['modify kept.txt']);
  });

  it('latency from writing a small file to its version being committed', async () => {
    const w = await watched();
    const samples: number[] = [];
    for (let i = 0; i < 5; i++) {
      const rel = `latency-${i}.txt`;
      const before = w.folder.head();
      const t0 = performance.now();
      writeFileSync(full(w, rel), `sample ${i}\n`);
      await waitFor(
        () =>
          w.folder.head() > before &&
          w.folder.log.entryAt(toRelPath(rel), w.folder.head())?.kind === 'file',
        { intervalMs: 1, what: `${rel} to be recorded` },
      );
      samples.push(performance.now() - t0);
      await w.folder.idle();
    }
    const sorted = [...samples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `write-to-commit latency: median ${median.toFixed(1)} ms, samples ${samples.map((s) => s.toFixed(1)).join(', ')} ms`,
    );
    expect(median).toBeLessThan(1000);
  });
});
