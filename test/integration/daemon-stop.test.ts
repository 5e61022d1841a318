/**
 * Stopping `lanfold start` with SIGINT (Ctrl-C) or SIGTERM: the daemon says so, exits 0 and
 * removes its lock and runtime file; a stop while a big change is being recorded leaves only
 * whole versions, and the next start records what the stopped daemon had not.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VersionLog } from '../../main/engine/store/version-log.js';
import { startDaemon, stopAllDaemons, type DaemonProcess } from '../helpers/cli.js';
import { makeDevice, openLogReadonly, type TestDevice } from '../helpers/device.js';
import {
  snapshotFolder,
  stateDifferences,
  stateOfEntries,
  type FolderState,
} from '../helpers/folder-state.js';
import { removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

afterEach(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

/** Sends `signal` and waits (bounded) for the daemon to exit by itself. */
async function stopWith(
  daemon: DaemonProcess,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  daemon.child.kill(signal);
  return waitFor(() => !daemon.running && daemon.exit(), {
    timeoutMs: 30_000,
    what: `the daemon to exit after ${signal}`,
  });
}

function expectNoLeftovers(device: TestDevice): void {
  expect(existsSync(path.join(device.state, 'daemon.lock')), 'daemon.lock left behind').toBe(false);
  expect(existsSync(path.join(device.state, 'daemon.json')), 'daemon.json left behind').toBe(false);
}

/**
 * Every version is whole: it holds as many entries as its header says, and every file
 * recorded at the head is on disk with that content (the files are never rewritten here).
 */
function expectWholeVersions(log: VersionLog, disk: FolderState): void {
  for (let seq = 1; seq <= log.head(); seq++) {
    const v = log.version(seq);
    expect(v, `v${seq}`).toBeDefined();
    expect(log.operations(seq), `v${seq}`).toHaveLength(v!.changes);
  }
  const recorded = stateOfEntries(log.stateAt(log.head()));
  for (const [p, s] of recorded) expect(disk.get(p), p).toEqual(s);
}

describe('daemon stop', { timeout: 180_000 }, () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    '%s stops a running daemon cleanly: exit 0, lock and runtime file removed',
    async (signal) => {
      const device = await makeDevice({
        populate: (dir) => writeFileSync(path.join(dir, 'a.txt'), 'a\n'),
      });
      const daemon = startDaemon(device.state);
      await daemon.ready();
      expect(existsSync(path.join(device.state, 'daemon.lock'))).toBe(true);
      expect(await stopWith(daemon, signal)).toEqual({ code: 0, signal: null });
      expect(daemon.stdout).toContain(`Stopping (${signal})...`);
      expect(daemon.stderr).toBe('');
      expectNoLeftovers(device);
    },
  );

  it('a stop while a big change is recorded leaves whole versions; the next start records the rest', async () => {
    const device = await makeDevice({
      populate: (dir) => writeFileSync(path.join(dir, 'seed.txt'), 'seed\n'),
    });
    const first = startDaemon(device.state);
    await first.ready();
    const log = await openLogReadonly(device);
    try {
      expect(log.head()).toBe(1);
      // 20 directories of 100 files, Ctrl-C, and 20 more while the daemon is stopping: it
      // finishes the version it is recording, and what it did not see waits for the next start.
      const writeDirs = (from: number, to: number) => {
        for (let d = from; d < to; d++) {
          const dir = path.join(device.folder, `batch ${d}`);
          mkdirSync(dir);
          for (let i = 0; i < 100; i++)
            writeFileSync(
              path.join(dir, `file ${i}.txt`),
              `directory ${d}, file ${i}\n`.repeat(20),
            );
        }
      };
      writeDirs(0, 20);
      const stopping = stopWith(first, 'SIGINT');
      writeDirs(20, 40);
      expect(await stopping).toEqual({ code: 0, signal: null });
      expectNoLeftovers(device);
      writeFileSync(path.join(device.folder, 'written while stopped.txt'), 'later\n');
      const disk = await snapshotFolder(device.folder);
      const stoppedAt = log.head();
      expectWholeVersions(log, disk);
      console.log(
        `stopped at v${stoppedAt}: ${log.stateAt(stoppedAt).length} of ${disk.size} paths recorded`,
      );

      // The next start records what the stopped daemon did not.
      const second = startDaemon(device.state);
      await second.ready();
      const head = await waitFor(
        () => {
          const h = log.head();
          return stateDifferences(disk, stateOfEntries(log.stateAt(h))).length === 0 && h;
        },
        { timeoutMs: 60_000, what: 'the recorded state to equal the disk after the restart' },
      );
      expectWholeVersions(log, disk);
      expect(head).toBe(stoppedAt + 1);
      expect(log.version(head)!.origin).toBe('rescan');
      expect(await stopWith(second, 'SIGTERM')).toEqual({ code: 0, signal: null });
      expectNoLeftovers(device);
    } finally {
      log.close();
    }
  });
});
