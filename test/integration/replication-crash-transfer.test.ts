/**
 * A replica SIGKILLed at random moments while it downloads a 64 MiB file, and restarted
 * each time: after every restart its recorded version must equal its disk (hashed), the
 * download must resume from the staged prefix instead of starting over, and in the end the
 * replica must hold the file exactly. Replay a failure with LANFOLD_SEED=<seed>.
 */
import { readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Cluster, killClusters } from '../helpers/cluster.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const SIZE = 64 * 1024 * 1024;

describe('a replica killed during a large transfer', () => {
  afterEach(async () => {
    await killClusters();
    removeTempDirs();
  });

  it('converges after kill -9 at random moments of a 64 MiB transfer', async () => {
    const seed = seedFromEnv();
    const rng = new Rng(seed);
    let cluster: Cluster | undefined;
    let step = 'setup';
    try {
      cluster = await Cluster.create({ replicas: 1 });
      const { master } = cluster;
      const replica = cluster.replicas[0]!;
      await cluster.startAll();
      await waitFor(() => replica.replication()?.connected, { what: 'the replica to connect' });

      step = 'writing 64 MiB on the master';
      const outside = makeTempDir();
      const big = Buffer.allocUnsafe(SIZE);
      const block = rng.bytes(1024 * 1024);
      for (let i = 0; i < 64; i++) {
        block.copy(big, i * block.length);
        big.writeUInt32BE(rng.int(0, 0xffffffff), i * block.length); // every MiB differs
        big.writeUInt32BE(i, i * block.length + 4);
      }
      for (let i = 0; i < 64; i++)
        big.writeUInt32BE(rng.int(0, 0xffffffff), rng.int(0, big.length - 4));
      writeFileSync(path.join(outside, 'big.bin'), big);
      renameSync(path.join(outside, 'big.bin'), path.join(master.folder, 'big.bin'));

      const staging = path.join(replica.folder, '.lanfold-staging');
      const partSize = (): number => {
        try {
          return readdirSync(staging)
            .filter((n) => n.endsWith('.part'))
            .reduce((s, n) => s + statSync(path.join(staging, n)).size, 0);
        } catch {
          return 0;
        }
      };
      const kills: number[] = [];
      for (let k = 0; k < 3; k++) {
        step = `kill ${k + 1}`;
        const threshold = Math.max(partSize(), 0) + rng.int(2, 12) * 1024 * 1024;
        // Kill once the download passed a random point (or as soon as it is staged, if it gets there first).
        await waitFor(
          () => partSize() >= threshold || (master.head() > 1 && replica.head() === master.head()),
          {
            timeoutMs: 60_000,
            intervalMs: 5,
            what: `the staged download to pass ${threshold} bytes`,
          },
        );
        if (replica.head() === master.head()) break;
        kills.push(partSize());
        await replica.kill();
        await replica.start();
        // After each restart, the recorded version still equals the disk.
        expect(await replica.diskVersusLog(), `after kill ${k + 1}`).toEqual([]);
      }
      step = 'convergence';
      await cluster.waitConverged({ timeoutMs: 90_000 });
      expect(await cluster.compareAll()).toEqual([]);
      const fetched = (await replica.folderStatus()).replication?.bytesFetched ?? 0;
      console.log(
        `64 MiB transfer: seed ${seed}, killed at staged sizes ${kills.join(', ')}; last run fetched ${fetched} bytes`,
      );
      expect(kills.length).toBeGreaterThan(0);
      // The last run resumed from the verified prefix staged before the last kill (less a partly written chunk).
      expect(fetched).toBeLessThanOrEqual(SIZE - kills[kills.length - 1]! + 1024 * 1024);
    } catch (err) {
      throw new Error(
        `64 MiB crash test failed (seed ${seed}) at ${step}: ${(err as Error).message}\n${cluster?.describe() ?? ''}`,
        { cause: err },
      );
    }
  }, 240_000);
});
