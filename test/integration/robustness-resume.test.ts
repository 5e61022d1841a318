/**
 * A 256 MiB file syncing to a replica through test/helpers/fault-proxy.ts, cut three times
 * while it streams. The replica keeps the verified prefix of its partial staged file, so the
 * bytes that went master -> replica in total stay within the file's size plus a few MiB
 * (protocol, TLS records, and what was in flight at each cut). The file is generated quickly
 * (crypto.randomBytes, 1 MiB at a time) under /var/tmp and deleted afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { DeviceState, initDevice } from '../../main/daemon/device.js';
import type { VersionLog } from '../../main/engine/store/version-log.js';
import { lanfoldOk, startDaemon, stopAllDaemons } from '../helpers/cli.js';
import { openLogReadonly } from '../helpers/device.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { waitFor } from '../helpers/wait.js';

const FOLDER = 'f1';
const MiB = 1024 * 1024;
const SIZE = 256 * MiB;

const cleanups: (() => void | Promise<void>)[] = [];

async function cleanUp(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

afterEach(async () => {
  await cleanUp();
});

afterAll(async () => {
  await cleanUp();
});

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MiB }))
    h.update(chunk as Buffer);
  return h.digest('hex');
}

it('resumes a 256 MiB file after three cuts without fetching again what arrived', async () => {
  const base = mkdtempSync('/var/tmp/lanfold-big-');
  cleanups.push(() => rmSync(base, { recursive: true, force: true }));
  const masterState = path.join(base, 'master-state');
  const masterRoot = path.join(base, 'master');
  const replicaState = path.join(base, 'replica-state');
  const replicaRoot = path.join(base, 'replica');
  mkdirSync(masterRoot);
  mkdirSync(replicaRoot);

  // The file: 256 random MiB, hashed as it is written.
  const fd = openSync(path.join(masterRoot, 'big.bin'), 'w');
  const h = createHash('sha256');
  for (let i = 0; i < SIZE / MiB; i++) {
    const piece = randomBytes(MiB);
    h.update(piece);
    writeSync(fd, piece);
  }
  closeSync(fd);
  const sourceHash = h.digest('hex');
  writeFileSync(path.join(masterRoot, 'small.txt'), 'small\n');

  // Two devices, configured in-process (DeviceState is what the CLI commands call), the
  // replica pointed at the master through the proxy with `lanfold peer add`.
  const [masterDevice, replicaDevice] = await Promise.all([
    initDevice(masterState, { name: 'master', listen: '127.0.0.1:0', gui: '127.0.0.1:0' }),
    initDevice(replicaState, { name: 'replica', listen: '127.0.0.1:0', gui: '127.0.0.1:0' }),
  ]);
  const m = DeviceState.open(masterState);
  m.addFolder({ path: masterRoot, role: 'master', id: FOLDER });
  m.addPeer(replicaDevice.deviceId);
  m.shareFolder(FOLDER, replicaDevice.deviceId);
  const master = startDaemon(masterState);
  cleanups.push(() => stopAllDaemons().then(() => undefined));
  await master.ready(90_000);
  const masterPort = await waitFor(
    () =>
      (
        JSON.parse(readFileSync(path.join(masterState, 'daemon.json'), 'utf8')) as {
          listenPort?: number;
        }
      ).listenPort,
  );
  const proxy = await FaultProxy.start({ port: masterPort });
  cleanups.push(() => proxy.close());
  await lanfoldOk(['peer', 'add', `${masterDevice.deviceId}@127.0.0.1:${proxy.port}`], {
    state: replicaState,
  });
  DeviceState.open(replicaState).addFolder({
    path: replicaRoot,
    role: 'replica',
    id: FOLDER,
    upstreams: [masterDevice.deviceId],
  });
  const masterLog: VersionLog = await openLogReadonly({ state: masterState, folderId: FOLDER });
  cleanups.push(() => masterLog.close());

  const replica = startDaemon(replicaState);
  await replica.ready();
  const replicaLog: VersionLog = await openLogReadonly({ state: replicaState, folderId: FOLDER });
  cleanups.push(() => replicaLog.close());

  // Cut three times while the file streams: after 60, 130 and 200 MiB came through.
  const cutsAt: number[] = [];
  for (const step of [60 * MiB, 70 * MiB, 70 * MiB]) {
    await proxy.cutAfter(step, 'down');
    cutsAt.push(proxy.bytes.down);
  }
  const bigOnReplica = path.join(replicaRoot, 'big.bin');
  await waitFor(
    () =>
      masterLog.head() > 0 && replicaLog.head() === masterLog.head() && existsSync(bigOnReplica),
    {
      timeoutMs: 90_000,
      intervalMs: 100,
      what: 'the replica to hold the big file',
    },
  ).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}\nproxy: ${proxy.events.join('\n')}`);
  });
  const down = proxy.bytes.down;
  expect(proxy.cuts).toBe(3);
  expect(proxy.accepted).toBeGreaterThanOrEqual(4);
  expect(await sha256File(bigOnReplica)).toBe(sourceHash);
  expect(readFileSync(path.join(replicaRoot, 'small.txt'), 'utf8')).toBe('small\n');
  // Everything that came through before a cut was kept: the total is the file plus a few MiB.
  const detail = `${((down - SIZE) / MiB).toFixed(1)} MiB over the file size (cuts at ${cutsAt.join(', ')})\n${proxy.events.join('\n')}`;
  expect(down, detail).toBeLessThan(SIZE + 8 * MiB);
  expect(down, detail).toBeGreaterThan(SIZE);
  expect(existsSync(path.join(replicaRoot, '.lanfold-staging'))).toBe(false);
  expect(master.running && replica.running).toBe(true);
}, 115_000);
