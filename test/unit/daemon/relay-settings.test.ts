import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FoldersFileSchema, readConfig } from '../../../main/daemon/config.js';
import { DeviceState, initDevice } from '../../../main/daemon/device.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const RELAY = 'B'.repeat(52);
const MASTER = 'C'.repeat(52);
const BELOW = 'D'.repeat(52);

describe('relay settings of a folder', () => {
  const tempDir = useTempDirs();

  async function setup(): Promise<{ base: string; state: DeviceState }> {
    const base = tempDir('relay');
    await initDevice(path.join(base, 'state'), { name: 'test' });
    const state = DeviceState.open(path.join(base, 'state'));
    for (const id of [RELAY, MASTER, BELOW]) state.addPeer(id);
    mkdirSync(path.join(base, 'master'));
    return { base, state };
  }

  it('keeps an ordered list of upstreams, and relay off by default', async () => {
    const { base, state } = await setup();
    const f = state.addFolder({
      path: path.join(base, 'r'),
      role: 'replica',
      id: 'docs',
      upstreams: [RELAY, MASTER],
    });
    expect(f.upstreams).toEqual([RELAY, MASTER]);
    expect(f.relay).toBe(false);
  });

  it.each([
    ['a device listed twice', [RELAY, RELAY], /listed twice/],
    ['an unknown device', [RELAY, 'E'.repeat(52)], /not a known peer/],
  ])('refuses upstreams with %s', async (_name, upstreams, message) => {
    const { base, state } = await setup();
    const err = lanfoldErrorOf(() =>
      state.addFolder({ path: path.join(base, 'r'), role: 'replica', id: 'docs', upstreams }),
    );
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(err.message).toMatch(message);
    expect(state.folders).toEqual([]);
  });

  it("refuses this device's own ID as an upstream", async () => {
    const { base, state } = await setup();
    const err = lanfoldErrorOf(() =>
      state.addFolder({
        path: path.join(base, 'r'),
        role: 'replica',
        id: 'docs',
        upstreams: [state.device.deviceId],
      }),
    );
    expect(err.message).toMatch(/own ID/);
  });

  it('turns relay on and off, writes folders.json, and then lets the relay share', async () => {
    const { base, state } = await setup();
    state.addFolder({
      path: path.join(base, 'r'),
      role: 'replica',
      id: 'docs',
      upstreams: [MASTER],
    });
    expect(lanfoldErrorOf(() => state.shareFolder('docs', BELOW)).hint).toMatch(/relay on/);
    expect(state.setRelay('docs', true).relay).toBe(true);
    expect(readConfig(state.paths.folders, FoldersFileSchema).folders[0]!.relay).toBe(true);
    expect(state.shareFolder('docs', BELOW).sharedWith).toEqual([BELOW]);
    expect(lanfoldErrorOf(() => state.shareFolder('docs', MASTER)).message).toMatch(/upstream/);
    expect(state.setRelay('docs', false).relay).toBe(false);
    expect(DeviceState.open(state.paths.dir).folder('docs').relay).toBe(false);
  });

  it('refuses relay on a master folder and on an unknown folder', async () => {
    const { base, state } = await setup();
    state.addFolder({ path: path.join(base, 'master'), role: 'master', id: 'm' });
    expect(lanfoldErrorOf(() => state.setRelay('m', true)).message).toMatch(/master here/);
    expect(lanfoldErrorOf(() => state.setRelay('nope', true)).code).toBe('FOLDER_UNKNOWN');
  });

  it("sets a relay's hop method and policy, and refuses the master's settings on a replica", async () => {
    const { base, state } = await setup();
    state.addFolder({
      path: path.join(base, 'r'),
      role: 'replica',
      id: 'docs',
      upstreams: [MASTER],
    });
    const set = state.setFolderSettings('docs', { commitMode: 'two-phase', twoPhasePolicy: 'all' });
    expect([set.commitMode, set.twoPhasePolicy]).toEqual(['two-phase', 'all']);
    expect(DeviceState.open(state.paths.dir).folder('docs').settings.commitMode).toBe('two-phase');
    const before = state.folder('docs').settings;
    const err = lanfoldErrorOf(() => state.setFolderSettings('docs', { deletionGuardRatio: 0.1 }));
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(err.message).toMatch(/replica here; its deletionGuardRatio is set on its master/);
    expect(state.folder('docs').settings).toEqual(before);
  });
});
