/**
 * Local changes in a replica's folder, with real daemons: an edit, a new file and a
 * deletion made on the replica show in its `status --json` (localChanges) and are never
 * sent to the master; a master version that overwrites or deletes a locally edited file
 * first keeps the local copy as a conflict file, name.conflict-DEVICE-TIME.ext, with the
 * local content, and `status --json` reports the conflict. A directory made or filled
 * locally where the master puts a file is kept aside the same way. A local copy that is
 * already what the master puts there (a replica seeded by hand, the same edit made on both
 * sides) is not a conflict.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Cluster,
  killClusters,
  type ClusterDevice,
  type FolderStatus,
} from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

function populate(root: string): void {
  writeFileSync(path.join(root, 'notes.txt'), 'master notes, first version\n');
  writeFileSync(path.join(root, 'report.md'), '# report\nmaster text\n');
  writeFileSync(path.join(root, 'keep.txt'), 'kept\n');
  writeFileSync(path.join(root, 'untouched.txt'), 'untouched\n');
  mkdirSync(path.join(root, 'data'));
  writeFileSync(path.join(root, 'data/a.txt'), 'a\n');
  writeFileSync(path.join(root, 'seeded-same.txt'), 'seeded\n');
  writeFileSync(path.join(root, 'seeded-other.txt'), 'seeded on the master\n');
}

/** Files put in the replica's folder by hand before it first syncs: one copy, one that differs. */
function seed(root: string): void {
  writeFileSync(path.join(root, 'seeded-same.txt'), 'seeded\n');
  writeFileSync(path.join(root, 'seeded-other.txt'), 'seeded on the replica\n');
}

/** `status --json` until `check` accepts the replica folder's entry. */
async function statusUntil(
  replica: ClusterDevice,
  what: string,
  check: (f: FolderStatus) => boolean,
): Promise<FolderStatus> {
  let last: FolderStatus | undefined;
  return waitFor(
    async () => {
      last = await replica.folderStatus();
      return check(last) && last;
    },
    { timeoutMs: 30_000, intervalMs: 300, what },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\nlast status: ${JSON.stringify(last?.replication)}`);
  });
}

/** UTC yyyymmdd-hhmmss, as conflict names carry it. */
function stamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace('T', '-')
    .slice(0, 15);
}

describe('local changes on a replica', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('reports local edits and keeps them as conflict files when the master overwrites them', async () => {
    let cluster: Cluster | undefined;
    let step = 'setup';
    try {
      cluster = await Cluster.create({ replicas: 1, populate });
      const { master } = cluster;
      const replica = cluster.replicas[0]!;
      seed(replica.folder);
      await cluster.startAll();
      const have = await cluster.waitConverged();
      const device = replica.deviceId.slice(0, 8);

      step = 'a replica seeded by hand: only a differing file is kept as a conflict';
      const conflictFiles = () =>
        readdirSync(replica.folder)
          .filter((n) => n.includes('.conflict-'))
          .sort();
      const seededCopy = conflictFiles();
      expect(seededCopy).toHaveLength(1);
      expect(seededCopy[0]).toMatch(
        new RegExp(`^seeded-other\\.conflict-${device}-\\d{8}-\\d{6}\\.txt$`),
      );
      expect(readFileSync(path.join(replica.folder, seededCopy[0]!), 'utf8')).toBe(
        'seeded on the replica\n',
      );
      expect(readFileSync(path.join(replica.folder, 'seeded-other.txt'), 'utf8')).toBe(
        'seeded on the master\n',
      );
      expect(readFileSync(path.join(replica.folder, 'seeded-same.txt'), 'utf8')).toBe('seeded\n');

      step = 'local edits show in status';
      writeFileSync(path.join(replica.folder, 'notes.txt'), 'LOCAL notes edited on the replica\n');
      writeFileSync(path.join(replica.folder, 'report.md'), '# report\nLOCAL rewrite\n');
      writeFileSync(path.join(replica.folder, 'local-only.txt'), 'only here\n');
      unlinkSync(path.join(replica.folder, 'keep.txt'));
      writeFileSync(path.join(replica.folder, 'untouched.txt'), 'the same edit on both sides\n');
      const expected = [
        { path: 'keep.txt', kind: 'deleted' },
        { path: 'local-only.txt', kind: 'added' },
        { path: 'notes.txt', kind: 'modified' },
        { path: 'report.md', kind: 'modified' },
        { path: seededCopy[0]!, kind: 'added' },
        { path: 'untouched.txt', kind: 'modified' },
      ].sort((a, b) => a.path.localeCompare(b.path));
      const sorted = (f: FolderStatus) =>
        [...(f.replication?.localChanges ?? [])].sort((a, b) => a.path.localeCompare(b.path));
      const edited = await statusUntil(
        replica,
        'the local changes in status',
        (f) => JSON.stringify(sorted(f)) === JSON.stringify(expected),
      );
      expect(edited.version).toBe(have);
      // A replica is a mirror: nothing of it goes upstream.
      expect(master.head()).toBe(have);
      expect(existsSync(path.join(master.folder, 'local-only.txt'))).toBe(false);
      expect(readFileSync(path.join(master.folder, 'notes.txt'), 'utf8')).toBe(
        'master notes, first version\n',
      );

      step = 'the master overwrites one edited file and deletes another';
      const before = Date.now();
      writeFileSync(path.join(master.folder, 'notes.txt'), 'master notes, second version\n');
      unlinkSync(path.join(master.folder, 'report.md'));
      writeFileSync(path.join(master.folder, 'untouched.txt'), 'the same edit on both sides\n');
      const head = await cluster.waitConverged();
      const after = Date.now();
      expect(head).toBeGreaterThan(have);
      expect(readFileSync(path.join(replica.folder, 'notes.txt'), 'utf8')).toBe(
        'master notes, second version\n',
      );
      expect(existsSync(path.join(replica.folder, 'report.md'))).toBe(false);

      expect(readFileSync(path.join(replica.folder, 'untouched.txt'), 'utf8')).toBe(
        'the same edit on both sides\n',
      );

      step = 'the local copies are kept as conflict files (not the same edit made on both sides)';
      const names = conflictFiles().filter((n) => !seededCopy.includes(n));
      expect(names).toHaveLength(2);
      const pattern = /^(notes|report)\.conflict-([A-Z2-7]{8})-(\d{8}-\d{6})\.(txt|md)$/;
      for (const name of names) {
        const m = pattern.exec(name);
        expect(m, name).not.toBeNull();
        expect(m![2], `${name}: device`).toBe(device);
        expect(
          m![3]! >= stamp(before) && m![3]! <= stamp(after),
          `${name}: time ${m![3]} in [${stamp(before)}, ${stamp(after)}]`,
        ).toBe(true);
      }
      const notesCopy = names.find((n) => n.startsWith('notes.'))!;
      const reportCopy = names.find((n) => n.startsWith('report.'))!;
      expect(notesCopy.endsWith('.txt') && reportCopy.endsWith('.md')).toBe(true);
      expect(readFileSync(path.join(replica.folder, notesCopy), 'utf8')).toBe(
        'LOCAL notes edited on the replica\n',
      );
      expect(readFileSync(path.join(replica.folder, reportCopy), 'utf8')).toBe(
        '# report\nLOCAL rewrite\n',
      );

      step = 'status reports the conflicts';
      const final = await statusUntil(
        replica,
        'the conflicts in status',
        (f) => (f.replication?.conflicts?.length ?? 0) >= 3 && f.version === head,
      );
      expect(final.replication?.conflicts?.map((c) => [c.path, c.keptAs]).sort()).toEqual([
        ['notes.txt', notesCopy],
        ['report.md', reportCopy],
        ['seeded-other.txt', seededCopy[0]],
      ]);
      // The edited paths now hold the master's version: no longer local changes; the copies are.
      // The watcher reports the copies a little after the apply that made them: wait for both.
      const settled = await statusUntil(
        replica,
        'local changes to settle',
        (f) =>
          !sorted(f).some((c) => ['notes.txt', 'report.md', 'untouched.txt'].includes(c.path)) &&
          [notesCopy, reportCopy].every((copy) => sorted(f).some((c) => c.path === copy)),
      );
      expect(sorted(settled)).toEqual(
        [
          { path: 'keep.txt', kind: 'deleted' },
          { path: 'local-only.txt', kind: 'added' },
          { path: notesCopy, kind: 'added' },
          { path: reportCopy, kind: 'added' },
          { path: seededCopy[0]!, kind: 'added' },
        ].sort((a, b) => a.path.localeCompare(b.path)),
      );
      // Conflict copies stay on the replica.
      expect(readdirSync(master.folder).filter((n) => n.includes('.conflict-'))).toEqual([]);
      expect(master.head()).toBe(head);

      step = 'local directories where the master puts files';
      mkdirSync(path.join(replica.folder, 'incoming'));
      writeFileSync(path.join(replica.folder, 'incoming/local.txt'), 'made on the replica\n');
      writeFileSync(path.join(replica.folder, 'data/local-extra.txt'), 'added on the replica\n');
      await statusUntil(replica, 'the local directory in status', (f) =>
        sorted(f).some((c) => c.path === 'data/local-extra.txt'),
      );
      writeFileSync(path.join(master.folder, 'incoming'), 'a file from the master\n');
      rmSync(path.join(master.folder, 'data'), { recursive: true });
      writeFileSync(path.join(master.folder, 'data'), 'data is a file now\n');
      const head2 = await cluster.waitConverged();
      expect(head2).toBeGreaterThan(head);
      for (const [rel, content, inside] of [
        ['incoming', 'a file from the master\n', 'local.txt'],
        ['data', 'data is a file now\n', 'local-extra.txt'],
      ] as const) {
        expect(readFileSync(path.join(replica.folder, rel), 'utf8'), rel).toBe(content);
        const kept = readdirSync(replica.folder).filter((n) =>
          n.startsWith(`${rel}.conflict-${device}-`),
        );
        expect(kept, `${rel} kept aside`).toHaveLength(1);
        expect(lstatSync(path.join(replica.folder, kept[0]!)).isDirectory()).toBe(true);
        expect(
          existsSync(path.join(replica.folder, kept[0]!, inside)),
          `${kept[0]}/${inside}`,
        ).toBe(true);
      }
      const withDirs = await statusUntil(
        replica,
        'the directory conflicts in status',
        (f) => (f.replication?.conflicts?.length ?? 0) >= 5 && f.version === head2,
      );
      expect(withDirs.replication?.conflicts?.map((c) => c.path).sort()).toEqual([
        'data',
        'incoming',
        'notes.txt',
        'report.md',
        'seeded-other.txt',
      ]);
    } catch (err) {
      throw new Error(
        `local changes test failed at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 120_000);
});
