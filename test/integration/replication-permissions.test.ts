/**
 * A replica daemon that does not run as root (as in any real install): read-only
 * directories and files must replicate, with their modes, and so must later changes inside
 * them — new files, deletions, edits, the whole tree renamed — and identical read-only
 * files in one version. (As root every write succeeds, so the other tests cannot see this.)
 * Under root the replica runs as `nobody`; otherwise as the user running the tests.
 */
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, killClusters } from '../helpers/cluster.js';
import { removeTempDirs } from '../helpers/temp.js';

const NOBODY = 65534;

function populate(root: string): void {
  mkdirSync(path.join(root, 'ro/sub'), { recursive: true });
  writeFileSync(path.join(root, 'ro/a.txt'), 'read-only file in a read-only directory\n');
  writeFileSync(path.join(root, 'ro/sub/b.txt'), 'private\n');
  writeFileSync(path.join(root, 'ro/twin-1.txt'), 'twins\n');
  writeFileSync(path.join(root, 'ro/twin-2.txt'), 'twins\n');
  chmodSync(path.join(root, 'ro/a.txt'), 0o444);
  chmodSync(path.join(root, 'ro/twin-1.txt'), 0o444);
  chmodSync(path.join(root, 'ro/twin-2.txt'), 0o400);
  chmodSync(path.join(root, 'ro/sub/b.txt'), 0o600);
  chmodSync(path.join(root, 'ro/sub'), 0o500);
  chmodSync(path.join(root, 'ro'), 0o555);
  writeFileSync(path.join(root, 'plain.txt'), 'plain\n');
}

describe('a replica that does not run as root', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('replicates read-only directories and files, and changes inside them', async () => {
    let cluster: Cluster | undefined;
    let step = 'setup';
    try {
      cluster = await Cluster.create({ replicas: 1, populate });
      const { master } = cluster;
      const replica = cluster.replicas[0]!;
      const asRoot = process.getuid?.() === 0;
      const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
      if (asRoot) replica.chownTo(NOBODY, NOBODY);
      await master.start();
      await replica.start(user);
      step = 'initial sync';
      await cluster.waitConverged();
      expect(await cluster.compareAll()).toEqual([]);

      step = 'changes inside read-only directories';
      const m = (rel: string) => path.join(master.folder, rel);
      writeFileSync(m('ro/new.txt'), 'added inside a read-only directory\n');
      unlinkSync(m('ro/a.txt'));
      writeFileSync(m('ro/sub/b.txt'), 'private, edited\n');
      mkdirSync(m('fresh'));
      writeFileSync(m('fresh/c-1.txt'), 'same content\n');
      copyFileSync(m('fresh/c-1.txt'), m('fresh/c-2.txt'));
      chmodSync(m('fresh/c-1.txt'), 0o444);
      chmodSync(m('fresh/c-2.txt'), 0o444);
      chmodSync(m('fresh'), 0o555);
      await cluster.waitConverged();
      expect(await cluster.compareAll()).toEqual([]);

      step = 'a read-only tree renamed';
      renameSync(m('ro'), m('renamed'));
      await cluster.waitConverged();
      expect(await cluster.compareAll()).toEqual([]);

      step = 'deletions in and of read-only directories';
      rmSync(m('fresh'), { recursive: true });
      unlinkSync(m('renamed/sub/b.txt'));
      await cluster.waitConverged();
      expect(await cluster.compareAll()).toEqual([]);
      expect(replica.replication()?.lastError).toBeUndefined();
    } catch (err) {
      throw new Error(
        `permissions test failed at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 120_000);
});
