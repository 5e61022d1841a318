import { readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  DeviceConfigSchema,
  emptyFolders,
  FOLDER_ID_PATTERN,
  FoldersFileSchema,
  readConfig,
  writeConfig,
  type DeviceConfig,
} from '../../../main/daemon/config.js';
import { DEFAULT_FOLDER_SETTINGS } from '../../../main/engine/folder-settings.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const DEVICE: DeviceConfig = {
  version: 1,
  deviceId: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST',
  name: 'laptop',
  listen: '0.0.0.0:47210',
  gui: '127.0.0.1:47211',
  createdAt: 1_700_000_000_000,
  discovery: true,
};

/** What a user may write: defaults (such as newer optional fields) may be left out. */
const FOLDERS: z.input<typeof FoldersFileSchema> = {
  version: 1,
  folders: [
    {
      id: 'photos',
      path: '/data/photos',
      role: 'master',
      createdAt: 1_700_000_000_000,
      settings: DEFAULT_FOLDER_SETTINGS,
    },
  ],
};

describe('readConfig', () => {
  const tempDir = useTempDirs();

  function write(value: unknown): string {
    const file = path.join(tempDir('config'), 'device.json');
    writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
    return file;
  }

  it('reads a valid file', () => {
    expect(readConfig(write(DEVICE), DeviceConfigSchema)).toEqual(DEVICE);
    expect(readConfig(write(FOLDERS), FoldersFileSchema)).toMatchObject(FOLDERS);
  });

  it.each(['[::1]:47211', 'localhost:1', 'my-host.lan:65535', '10.0.0.2:0'])(
    'accepts the address %s',
    (gui) => {
      expect(readConfig(write({ ...DEVICE, gui }), DeviceConfigSchema).gui).toBe(gui);
    },
  );

  it('fills in default folder settings', () => {
    const partial = { ...FOLDERS, folders: [{ ...FOLDERS.folders[0], settings: {} }] };
    expect(readConfig(write(partial), FoldersFileSchema).folders[0]?.settings).toEqual(
      DEFAULT_FOLDER_SETTINGS,
    );
  });

  it('reports a missing file as STATE_MISSING with what to run', () => {
    const dir = tempDir('config');
    const err = lanfoldErrorOf(() => readConfig(path.join(dir, 'device.json'), DeviceConfigSchema));
    expect(err.code).toBe('STATE_MISSING');
    expect(err.message).toContain(dir);
    expect(err.hint).toMatch(/lanfold init/);
  });

  it('returns the fallback for a missing file when one is given', () => {
    const dir = tempDir('config');
    const fallback = emptyFolders();
    expect(readConfig(path.join(dir, 'folders.json'), FoldersFileSchema, fallback)).toBe(fallback);
  });

  it('does not use the fallback for a file that exists but is broken', () => {
    const file = write('{');
    expect(lanfoldErrorOf(() => readConfig(file, FoldersFileSchema, emptyFolders())).code).toBe(
      'BAD_CONFIG',
    );
  });

  it.each([
    ['an empty file', ''],
    ['a truncated object', '{"version": 1, "deviceId": '],
    ['a trailing comma', '{"version": 1,}'],
    ['plain text', 'hello'],
  ])('reports %s as BAD_CONFIG naming the file', (_name, text) => {
    const file = write(text);
    const err = lanfoldErrorOf(() => readConfig(file, DeviceConfigSchema));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/not valid JSON/);
  });

  const invalid: [name: string, value: unknown, field: string][] = [
    ['a wrong version', { ...DEVICE, version: 2 }, 'version'],
    [
      'a device ID in lower case',
      { ...DEVICE, deviceId: DEVICE.deviceId.toLowerCase() },
      'deviceId',
    ],
    ['a short device ID', { ...DEVICE, deviceId: 'ABC' }, 'deviceId'],
    ['an empty name', { ...DEVICE, name: '' }, 'name'],
    ['a name that is a number', { ...DEVICE, name: 5 }, 'name'],
    ['a listen address without a port', { ...DEVICE, listen: '0.0.0.0' }, 'listen'],
    ['a gui address with a path', { ...DEVICE, gui: '127.0.0.1:80/x' }, 'gui'],
    ['a port above 65535', { ...DEVICE, listen: '0.0.0.0:70000' }, 'listen'],
    ['a fractional creation time', { ...DEVICE, createdAt: 1.5 }, 'createdAt'],
    ['a missing field', { ...DEVICE, name: undefined }, 'name'],
  ];
  it.each(invalid)('reports %s as BAD_CONFIG naming the field', (_name, value, field) => {
    const file = write(value);
    const err = lanfoldErrorOf(() => readConfig(file, DeviceConfigSchema));
    expect(err.code).toBe('BAD_CONFIG');
    expect(err.message).toContain(file);
    expect(err.message).toContain(`invalid at ${field}:`);
  });

  it('names a nested field by its path', () => {
    const bad = {
      ...FOLDERS,
      folders: [
        FOLDERS.folders[0],
        { ...FOLDERS.folders[0], id: 'x', settings: { batchQuietMs: 1 } },
      ],
    };
    const err = lanfoldErrorOf(() => readConfig(write(bad), FoldersFileSchema));
    expect(err.message).toContain('invalid at folders.1.settings.batchQuietMs:');
  });

  it.each([
    ['an ID starting with a dot', '.hidden'],
    ['an ID with a slash', 'a/b'],
    ['an empty ID', ''],
    ['an ID of 65 characters', 'a'.repeat(65)],
  ])('refuses a folder with %s', (_name, id) => {
    const bad = { ...FOLDERS, folders: [{ ...FOLDERS.folders[0], id }] };
    const err = lanfoldErrorOf(() => readConfig(write(bad), FoldersFileSchema));
    expect(err.message).toContain('invalid at folders.0.id:');
  });

  it('reports an unknown key, and a value that is not an object, at the top level', () => {
    const extra = lanfoldErrorOf(() =>
      readConfig(write({ ...DEVICE, extra: 1 }), DeviceConfigSchema),
    );
    expect(extra.code).toBe('BAD_CONFIG');
    expect(extra.message).toMatch(/extra/);
    const notObject = lanfoldErrorOf(() => readConfig(write('[]'), DeviceConfigSchema));
    expect(notObject.message).toContain('invalid at top level');
  });

  it('rethrows read errors other than a missing file', () => {
    const dir = tempDir('config');
    mkdirSync(path.join(dir, 'device.json'));
    expect(() => readConfig(path.join(dir, 'device.json'), DeviceConfigSchema)).toThrow(/EISDIR/);
  });
});

describe('FOLDER_ID_PATTERN', () => {
  it.each(['a', 'photos', 'A-b_c.d', 'x'.repeat(64), '9lives'])('accepts %s', (id) => {
    expect(FOLDER_ID_PATTERN.test(id)).toBe(true);
  });
  it.each(['', '-a', '_a', '.a', 'a b', 'a/b', 'é', 'x'.repeat(65)])('refuses %j', (id) => {
    expect(FOLDER_ID_PATTERN.test(id)).toBe(false);
  });
});

describe('writeConfig', () => {
  const tempDir = useTempDirs();

  it('writes pretty JSON that readConfig reads back, private to the user, leaving no temp file', () => {
    const dir = tempDir('config');
    const file = path.join(dir, 'folders.json');
    writeConfig(file, FOLDERS);
    expect(readConfig(file, FoldersFileSchema)).toMatchObject(FOLDERS);
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(FOLDERS, null, 2)}\n`);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['folders.json']);
  });

  it('replaces an existing file', () => {
    const file = path.join(tempDir('config'), 'folders.json');
    writeConfig(file, FOLDERS);
    writeConfig(file, emptyFolders());
    expect(readConfig(file, FoldersFileSchema)).toEqual(emptyFolders());
  });
});
