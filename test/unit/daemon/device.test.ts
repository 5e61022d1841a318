import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeviceState, initDevice } from '../../../main/daemon/device.js';
import { readConfig, FoldersFileSchema } from '../../../main/daemon/config.js';
import { DEFAULT_FOLDER_SETTINGS } from '../../../main/engine/folder-settings.js';
import { deviceIdOfCert } from '../../../main/transport/identity.js';
import { lanfoldErrorOf, lanfoldRejectionOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

describe('initDevice', () => {
  const tempDir = useTempDirs();

  it('creates the identity and configuration of a new device', async () => {
    const dir = path.join(tempDir('device'), 'state');
    const device = await initDevice(dir, { name: 'laptop', listen: '127.0.0.1:5000' });
    expect(device).toMatchObject({
      version: 1,
      name: 'laptop',
      listen: '127.0.0.1:5000',
      gui: '127.0.0.1:47211',
    });
    const cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    expect(device.deviceId).toBe(deviceIdOfCert(cert));
    expect(readFileSync(path.join(dir, 'key.pem'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    if (process.platform !== 'win32') {
      expect(statSync(path.join(dir, 'key.pem')).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o777).toBe(0o700);
    }
    const state = DeviceState.open(dir);
    expect(state.device).toEqual(device);
    expect(state.folders).toEqual([]);
  });

  it('keeps LAN discovery on unless the device is created without it', async () => {
    const base = tempDir('discovery');
    const on = await initDevice(path.join(base, 'on'), { name: 'a' });
    const off = await initDevice(path.join(base, 'off'), { name: 'b', discovery: false });
    expect([on.discovery, off.discovery]).toEqual([true, false]);
    expect(DeviceState.open(path.join(base, 'off')).device.discovery).toBe(false);
  });

  it('refuses to create a device twice in the same directory', async () => {
    const dir = tempDir('device');
    const first = await initDevice(dir, { name: 'one' });
    const err = await lanfoldRejectionOf(initDevice(dir, { name: 'two' }));
    expect(err.code).toBe('BAD_ARGUMENT');
    expect(err.message).toContain(dir);
    expect(DeviceState.open(dir).device).toEqual(first);
  });

  it('refuses a bad name or address before writing anything', async () => {
    const dir = path.join(tempDir('device'), 'state');
    await expect(initDevice(dir, { name: '' })).rejects.toThrow();
    await expect(initDevice(dir, { name: 'x', listen: 'nowhere' })).rejects.toThrow();
    expect(() => statSync(dir)).toThrow(/ENOENT/);
  });

  it('keeps an existing folders.json', async () => {
    const dir = tempDir('device');
    const folders = {
      version: 1,
      folders: [
        {
          id: 'kept',
          path: '/data/kept',
          role: 'master',
          createdAt: 1,
          settings: DEFAULT_FOLDER_SETTINGS,
        },
      ],
    };
    writeFileSync(path.join(dir, 'folders.json'), JSON.stringify(folders));
    await initDevice(dir, { name: 'x' });
    expect(DeviceState.open(dir).folders.map((f) => f.id)).toEqual(['kept']);
  });
});

describe('DeviceState', () => {
  const tempDir = useTempDirs();

  /** A device in `<base>/state` and a folder at `<base>/data`. */
  async function setup(): Promise<{ base: string; state: DeviceState; data: string }> {
    const base = tempDir('device');
    await initDevice(path.join(base, 'state'), { name: 'test' });
    const data = path.join(base, 'data');
    mkdirSync(data);
    return { base, state: DeviceState.open(path.join(base, 'state')), data };
  }

  it('refuses to open a directory with no device', () => {
    const err = lanfoldErrorOf(() => DeviceState.open(tempDir('device')));
    expect(err.code).toBe('STATE_MISSING');
  });

  it('adds a folder by its real path and writes it to folders.json', async () => {
    const { base, state, data } = await setup();
    symlinkSync(data, path.join(base, 'data-link'));
    const folder = state.addFolder({
      path: path.join(base, 'data-link'),
      role: 'master',
      id: 'docs',
    });
    expect(folder).toMatchObject({ id: 'docs', path: data, role: 'master' });
    expect(folder.settings).toEqual(DEFAULT_FOLDER_SETTINGS);
    expect(state.folder('docs')).toEqual(folder);
    expect(readConfig(state.paths.folders, FoldersFileSchema).folders).toMatchObject([folder]);
    expect(DeviceState.open(state.paths.dir).folders).toMatchObject([folder]);
  });

  it('makes up a valid ID when none is given', async () => {
    const { state, data } = await setup();
    const folder = state.addFolder({ path: data, role: 'master' });
    expect(folder.id).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
  });

  it('reports a missing path as FOLDER_MISSING', async () => {
    const { base, state } = await setup();
    const err = lanfoldErrorOf(() =>
      state.addFolder({ path: path.join(base, 'nope'), role: 'master' }),
    );
    expect(err.code).toBe('FOLDER_MISSING');
  });

  it('reports a file given as the folder as FOLDER_MISSING', async () => {
    const { base, state } = await setup();
    writeFileSync(path.join(base, 'file'), 'x');
    const err = lanfoldErrorOf(() =>
      state.addFolder({ path: path.join(base, 'file'), role: 'master' }),
    );
    expect(err.code).toBe('FOLDER_MISSING');
  });

  it.each([['.hidden'], ['a/b'], ['a b'], ['x'.repeat(65)], ['-dash']])(
    'refuses the folder ID %j',
    async (id) => {
      const { state, data } = await setup();
      const err = lanfoldErrorOf(() => state.addFolder({ path: data, role: 'master', id }));
      expect(err.code).toBe('BAD_ARGUMENT');
      expect(state.folders).toEqual([]);
    },
  );

  it('refuses an ID already in use', async () => {
    const { base, state, data } = await setup();
    state.addFolder({ path: data, role: 'master', id: 'same' });
    mkdirSync(path.join(base, 'other'));
    const err = lanfoldErrorOf(() =>
      state.addFolder({ path: path.join(base, 'other'), role: 'master', id: 'same' }),
    );
    expect(err.code).toBe('FOLDER_EXISTS');
  });

  it.each([
    ['the same folder again', '.', '.'],
    ['a folder inside an existing one', '.', 'inner'],
    ['a folder holding an existing one', 'inner', '.'],
  ])('refuses %s', async (_name, first, second) => {
    const { state, data } = await setup();
    mkdirSync(path.join(data, 'inner'));
    state.addFolder({ path: path.resolve(data, first), role: 'master', id: 'first' });
    const err = lanfoldErrorOf(() =>
      state.addFolder({ path: path.resolve(data, second), role: 'master', id: 'second' }),
    );
    expect(err.code).toBe('FOLDER_EXISTS');
    expect(err.message).toContain('"first"');
    expect(state.folders.map((f) => f.id)).toEqual(['first']);
    expect(readConfig(state.paths.folders, FoldersFileSchema).folders).toHaveLength(1);
  });

  it('refuses a folder nested in an existing one under a name starting with two dots', async () => {
    const { state, data } = await setup();
    mkdirSync(path.join(data, '..inner'));
    state.addFolder({ path: data, role: 'master', id: 'first' });
    const err = lanfoldErrorOf(() =>
      state.addFolder({ path: path.join(data, '..inner'), role: 'master', id: 'second' }),
    );
    expect(err.code).toBe('FOLDER_EXISTS');
  });

  it('accepts a sibling folder whose name extends an existing one', async () => {
    const { base, state, data } = await setup();
    mkdirSync(path.join(base, 'data2'));
    state.addFolder({ path: data, role: 'master', id: 'a' });
    expect(state.addFolder({ path: path.join(base, 'data2'), role: 'master', id: 'b' }).id).toBe(
      'b',
    );
  });

  it('refuses a folder that holds the state directory', async () => {
    const { base, state } = await setup();
    const err = lanfoldErrorOf(() => state.addFolder({ path: base, role: 'master', id: 'all' }));
    expect(err.code).toBe('STATE_INSIDE_FOLDER');
  });

  it('refuses a folder inside the state directory', async () => {
    const { state } = await setup();
    const inside = path.join(state.paths.dir, 'sync');
    mkdirSync(inside);
    const err = lanfoldErrorOf(() => state.addFolder({ path: inside, role: 'master', id: 'in' }));
    expect(err.code).toBe('STATE_INSIDE_FOLDER');
  });

  it('names the known folders when one is unknown', async () => {
    const { state, data } = await setup();
    expect(lanfoldErrorOf(() => state.folder('x')).hint).toContain('none');
    state.addFolder({ path: data, role: 'master', id: 'docs' });
    const err = lanfoldErrorOf(() => state.folder('x'));
    expect(err.code).toBe('FOLDER_UNKNOWN');
    expect(err.hint).toContain('docs');
  });

  it('sees folders added by another process after a reload', async () => {
    const { state, data } = await setup();
    const other = DeviceState.open(state.paths.dir);
    other.addFolder({ path: data, role: 'master', id: 'later' });
    expect(state.folders).toEqual([]);
    state.reloadFolders();
    expect(state.folders.map((f) => f.id)).toEqual(['later']);
  });

  it('places each folder data directory under the state directory', async () => {
    const { state } = await setup();
    expect(state.folderDataDir('docs')).toBe(path.join(state.paths.dir, 'folders', 'docs'));
  });
});
