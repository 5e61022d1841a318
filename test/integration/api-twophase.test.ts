/**
 * The control API's two-phase and deletion-guard surface on a real daemon (in-process, on
 * 127.0.0.1 port 0): history with each version's delivery record, a mass deletion held and
 * shown with its counts and as a `held` event, approve/reject validated (400, 404, 409)
 * and carried out (a rejection writes the files back), the device's listen address, and
 * the status that keeps coming over the WebSocket.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LanfoldApiError, LanfoldClient } from '../../main/api/client.js';
import type { ApiEvent } from '../../main/api/contract.js';
import { Daemon } from '../../main/daemon/daemon.js';
import { DeviceState, initDevice } from '../../main/daemon/device.js';
import { statePaths } from '../../main/daemon/state-dir.js';
import { silentLogger } from '../../main/engine/logger.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const PEER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';
const FILES = Array.from({ length: 8 }, (_, i) => `f${i}.txt`);

let stateDir: string;
let folder: string;
let daemon: Daemon;
let client: LanfoldClient;
const events: ApiEvent[] = [];
let unsubscribe: () => void = () => undefined;

async function apiError(p: Promise<unknown>): Promise<LanfoldApiError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LanfoldApiError);
  return err as LanfoldApiError;
}

beforeAll(async () => {
  const base = makeTempDir();
  stateDir = path.join(base, 'state');
  folder = path.join(base, 'folder');
  mkdirSync(folder);
  for (const f of FILES) writeFileSync(path.join(folder, f), `content of ${f}\n`);
  await initDevice(stateDir, { name: 'api-2pc', listen: '127.0.0.1:0', gui: '127.0.0.1:0' });
  const state = DeviceState.open(stateDir);
  state.addPeer(PEER);
  state.addFolder({ path: folder, role: 'master', id: 'm1' });
  state.addFolder({ path: path.join(base, 'copy'), role: 'replica', id: 'r1', upstreams: [PEER] });
  daemon = await Daemon.start(stateDir, silentLogger, {}, { staticDir: base });
  const runtime = JSON.parse(readFileSync(statePaths(stateDir).runtime, 'utf8')) as { gui: string };
  const token = readFileSync(statePaths(stateDir).apiToken, 'utf8').trim();
  client = new LanfoldClient({ baseUrl: `http://${runtime.gui}`, token, WebSocket });
  unsubscribe = client.subscribe((e) => events.push(e));
  await waitFor(async () => (await client.history('m1', { limit: 1 })).head > 0, {
    what: 'the first scan',
  });
});

afterAll(async () => {
  unsubscribe();
  await daemon?.stop();
  removeTempDirs();
});

describe('Control API: two-phase records and the deletion guard', () => {
  it('says how each version of a master reached the replicas, and nothing on a replica', async () => {
    const h = await client.history('m1');
    expect(h.versions[0]!.commit).toEqual({ outcome: 'committed', attempts: [], downstream: [] });
    const v = await client.version('m1', 1);
    expect(v.version.commit?.outcome).toBe('committed');
  });

  it('keeps sending the status with the new head as versions are recorded', async () => {
    const before = (await client.status()).folders.find((f) => f.id === 'm1')!.head;
    writeFileSync(path.join(folder, 'extra.txt'), 'one more\n');
    await waitFor(
      () =>
        events.some(
          (e) =>
            e.type === 'status' && e.status.folders.some((f) => f.id === 'm1' && f.head > before),
        ),
      { what: 'a status event with the new head' },
    );
  });

  it('refuses a verdict when nothing is held, on a replica, or for a bad version', async () => {
    const head = (await client.history('m1', { limit: 1 })).head;
    const none = await apiError(client.approveDeletion('m1', head));
    expect([none.status, none.code]).toEqual([409, 'NOTHING_HELD']);
    expect(none.message).toMatch(/No deletion is held in folder "m1"/);
    const replica = await apiError(client.rejectDeletion('r1', 1));
    expect([replica.status, replica.code]).toEqual([409, 'NOT_MASTER']);
    const unknown = await apiError(client.approveDeletion('nope', 1));
    expect(unknown.status).toBe(404);
    const future = await apiError(client.approveDeletion('m1', head + 50));
    expect([future.status, future.code]).toEqual([404, 'VERSION_UNKNOWN']);
    for (const body of [{}, { version: 0 }, { version: 'x' }, { version: 1, extra: true }]) {
      const bad = await apiError(
        (
          client as unknown as {
            call: (n: string, p: unknown, q: unknown, b: unknown) => Promise<unknown>;
          }
        ).call('approveDeletion', { id: 'm1' }, undefined, body),
      );
      expect([bad.status, bad.code]).toEqual([400, 'BAD_REQUEST']);
      expect(bad.message).toMatch(/Invalid body/);
    }
  });

  it('holds a mass deletion, shows its counts and a held event; reject writes the files back', async () => {
    const gone = FILES.slice(0, 6);
    for (const f of gone) rmSync(path.join(folder, f));
    const held = await waitFor(async () => (await client.folder('m1')).twoPhase?.held ?? false, {
      what: 'the deletion to be held',
    });
    expect(held).toMatchObject({ deleted: 6, before: FILES.length + 1 });
    expect(held.reason).toMatch(/deletes 6 of 9 files/);
    await waitFor(() => events.some((e) => e.type === 'held' && e.folder === 'm1' && e.held));
    const released = (await client.folder('m1')).twoPhase!.released;
    const old = await apiError(client.rejectDeletion('m1', released));
    expect([old.status, old.code]).toEqual([409, 'NOTHING_HELD']);
    expect(old.message).toMatch(/reached the replicas already/);

    const r = await client.rejectDeletion('m1', held.version);
    expect(r).toMatchObject({ folder: 'm1', version: held.version, verdict: 'reject' });
    expect(r.done).toMatch(/the master restores the files/);
    await waitFor(() => gone.every((f) => existsSync(path.join(folder, f))), {
      what: 'the files to be written back',
    });
    expect(readFileSync(path.join(folder, gone[0]!), 'utf8')).toBe(`content of ${gone[0]}\n`);
    await waitFor(() => events.some((e) => e.type === 'verdict' && e.verdict === 'reject'));
    await waitFor(() => events.some((e) => e.type === 'held' && e.folder === 'm1' && !e.held), {
      what: 'the held event that ends the hold',
    });
    await waitFor(async () => (await client.folder('m1')).twoPhase?.held === null);
  });

  it('saves a new listen address for the next start and refuses a malformed one', async () => {
    const start = (await client.status()).device;
    expect(start.restartNeeded).toBe(false);
    expect(start.listening).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(start.listening).not.toBe('127.0.0.1:0');
    for (const listen of ['nohost', '127.0.0.1:70000', '']) {
      const bad = await apiError(client.updateDevice({ listen }));
      expect(bad.status).toBe(400);
    }
    const none = await apiError(client.updateDevice({}));
    expect(none.message).toMatch(/name or listen/);
    const r = await client.updateDevice({ listen: '127.0.0.1:47299' });
    expect(r).toMatchObject({ listen: '127.0.0.1:47299', restartNeeded: true });
    const saved = JSON.parse(readFileSync(statePaths(stateDir).device, 'utf8')) as {
      listen: string;
    };
    expect(saved.listen).toBe('127.0.0.1:47299');
    expect((await client.status()).device).toMatchObject({
      listen: '127.0.0.1:47299',
      listening: start.listening,
      restartNeeded: true,
    });
    const back = await client.updateDevice({ listen: start.listen });
    expect(back.restartNeeded).toBe(false);
  });

  it('validates the two-phase policy and the deletion guard in the settings', async () => {
    for (const patch of [{ twoPhasePolicy: 'most' }, { deletionGuardRatio: 1.5 }]) {
      const bad = await apiError(client.updateSettings('m1', patch as never));
      expect(bad.status).toBe(400);
      expect(bad.message).toMatch(/twoPhasePolicy|deletionGuardRatio/);
    }
    const r = await client.updateSettings('m1', { twoPhasePolicy: 'all', deletionGuardRatio: 1 });
    expect(r.settings).toMatchObject({ twoPhasePolicy: 'all', deletionGuardRatio: 1 });
    expect((await client.folder('m1')).twoPhase?.policy).toBe('all');
  });
});
