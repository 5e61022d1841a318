import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { applyVersion, recoverApply, stageVersion } from '../../../../main/engine/replica/apply.js';
import {
  readJournal,
  writeJournal,
  type Journal,
} from '../../../../main/engine/replica/journal.js';
import { stagingDir } from '../../../../main/engine/replica/staging.js';
import { dirEntry, fileEntry, inlineSources, useDisks } from './apply-helpers.js';

const journals = vi.hoisted(() => [] as Journal[]);
vi.mock('../../../../main/engine/replica/journal.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../../../main/engine/replica/journal.js')>();
  return {
    ...mod,
    writeJournal: (file: string, journal: Journal) => {
      journals.push(journal);
      mod.writeJournal(file, journal);
    },
  };
});

describe('applyVersion on an empty replica', () => {
  const newDisk = useDisks();

  it('places every file with its own mode and mtime, also paths that share content', async () => {
    const disk = newDisk();
    const same = Buffer.from('same content in two places\n');
    const a = await fileEntry('d/a.txt', same, 0o600, 1_600_000_001_000);
    const b = await fileEntry('d/b.txt', same, 0o644, 1_600_000_002_000);
    const c = await fileEntry('d/e/c.bin', Buffer.from('unique'), 0o640, 1_600_000_003_000);
    const entries = [dirEntry('d'), dirEntry('d/e'), a, b, c];
    const inline = new Map([
      [a.hash!, same],
      [c.hash!, Buffer.from('unique')],
    ]);
    const result = await applyVersion(
      disk,
      { version: 1, createdAt: 1, method: 'scan', entries },
      inlineSources(disk.root, inline),
    );
    expect(result.info.seq).toBe(1);
    // A staged file of its own already has its path's mode and mtime: no meta step. Shared
    // content is copied for one path and renamed for the other: both keep their meta steps.
    const metas = journals.at(-1)!.steps.flatMap((s) => (s.op === 'meta' ? [s.path] : []));
    expect(metas.sort()).toEqual(['d/a.txt', 'd/b.txt']);
    for (const [e, data] of [
      [a, same],
      [b, same],
      [c, Buffer.from('unique')],
    ] as const) {
      const full = path.join(disk.root, e.path);
      expect(readFileSync(full).equals(data)).toBe(true);
      const st = statSync(full);
      expect(st.mode & 0o7777).toBe(e.mode);
      expect(st.mtimeMs).toBe(e.mtimeMs);
    }
    expect(existsSync(stagingDir(disk.root))).toBe(false);
    expect(existsSync(disk.journalFile)).toBe(false);
    expect(disk.log.head()).toBe(1);
  });

  it('replays a half-done apply: a file placed before the crash, one not yet (its parent missing)', async () => {
    const disk = newDisk();
    const x = await fileEntry('x.txt', Buffer.from('x content'), 0o640, 1_600_000_005_000);
    const y = await fileEntry('sub/y.txt', Buffer.from('y content'), 0o600, 1_600_000_006_000);
    const target = { version: 1, createdAt: 1, method: 'scan' as const, entries: [x, y] };
    const sources = inlineSources(
      disk.root,
      new Map([
        [x.hash!, Buffer.from('x content')],
        [y.hash!, Buffer.from('y content')],
      ]),
    );
    // Stage, then write the journal applyVersion would, and run only part of it: a crash.
    const { staged } = await stageVersion(disk, target, sources);
    const steps = [
      { op: 'place' as const, staged: path.basename(staged.get(x.path)!), path: x.path },
      { op: 'place' as const, staged: path.basename(staged.get(y.path)!), path: y.path },
    ];
    writeJournal(disk.journalFile, {
      version: 1,
      createdAt: 1,
      method: 'scan',
      steps,
      entries: target.entries.map((e) => ({ ...e, chunks: e.chunks!.packed.toString('base64') })),
    });
    // x was renamed into place before the crash; y was not, and its parent is missing.
    mkdirSync(disk.root, { recursive: true });
    const { renameSync } = await import('node:fs');
    renameSync(staged.get(x.path)!, path.join(disk.root, 'x.txt'));
    const info = recoverApply(disk);
    expect(info?.seq).toBe(1);
    expect(readFileSync(path.join(disk.root, 'x.txt'), 'utf8')).toBe('x content');
    expect(readFileSync(path.join(disk.root, 'sub/y.txt'), 'utf8')).toBe('y content');
    expect(statSync(path.join(disk.root, 'sub/y.txt')).mode & 0o7777).toBe(0o600);
    expect(statSync(path.join(disk.root, 'sub/y.txt')).mtimeMs).toBe(1_600_000_006_000);
    expect(readJournal(disk.journalFile)).toBeUndefined();
  });

  it('places a file where an empty directory stands', async () => {
    const disk = newDisk();
    mkdirSync(path.join(disk.root, 'f.txt'), { recursive: true });
    const f = await fileEntry('f.txt', Buffer.from('now a file'));
    await applyVersion(
      disk,
      { version: 1, createdAt: 1, method: 'scan', entries: [f] },
      inlineSources(disk.root, new Map([[f.hash!, Buffer.from('now a file')]])),
    );
    expect(readFileSync(path.join(disk.root, 'f.txt'), 'utf8')).toBe('now a file');
  });
});
