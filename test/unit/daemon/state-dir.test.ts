import { mkdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkStateOutside,
  defaultStateDir,
  isInside,
  statePaths,
} from '../../../main/daemon/state-dir.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const R = path.resolve('/srv');

describe('isInside', () => {
  const cases: [name: string, inner: string, outer: string, expected: boolean][] = [
    ['the same directory', `${R}/a`, `${R}/a`, true],
    ['a child', `${R}/a/b`, `${R}/a`, true],
    ['a deep descendant', `${R}/a/b/c/d`, `${R}/a`, true],
    ['the parent', `${R}/a`, `${R}/a/b`, false],
    ['a sibling', `${R}/b`, `${R}/a`, false],
    ['a sibling sharing a prefix', `${R}/ab`, `${R}/a`, false],
    ['a child whose name starts with two dots', `${R}/a/..state`, `${R}/a`, true],
    ['a sibling whose name starts with two dots', `${R}/..a`, `${R}/a`, false],
    ['an unnormalised path that climbs back in', `${R}/x/../a/b`, `${R}/a`, true],
    ['a trailing separator', `${R}/a/b/`, `${R}/a/`, true],
  ];
  it.each(cases)('answers for %s', (_name, inner, outer, expected) => {
    expect(isInside(inner, outer)).toBe(expected);
  });
});

describe('checkStateOutside', () => {
  const tempDir = useTempDirs();

  it('accepts a state directory beside the folder', () => {
    expect(() => checkStateOutside(`${R}/state`, `${R}/folder`)).not.toThrow();
    expect(() => checkStateOutside(`${R}/folder-state`, `${R}/folder`)).not.toThrow();
  });

  const refused: [name: string, state: string, folder: string][] = [
    ['a state directory inside the folder', `${R}/folder/.lanfold`, `${R}/folder`],
    ['a folder inside the state directory', `${R}/state`, `${R}/state/folders/x`],
    ['a state directory equal to the folder', `${R}/folder`, `${R}/folder`],
    ['a state directory named ..state inside the folder', `${R}/folder/..state`, `${R}/folder`],
    ['a relative state directory inside the folder', 'folder/state', 'folder'],
  ];
  it.each(refused)('refuses %s', (_name, state, folder) => {
    const err = lanfoldErrorOf(() => checkStateOutside(state, folder));
    expect(err.code).toBe('STATE_INSIDE_FOLDER');
    expect(err.message).toContain(path.resolve(folder));
    expect(err.hint).toMatch(/outside/);
  });

  it('sees through a symlink that puts the state directory inside the folder', () => {
    const base = tempDir('state');
    const folder = path.join(base, 'folder');
    mkdirSync(path.join(folder, 'inner'), { recursive: true });
    symlinkSync(path.join(folder, 'inner'), path.join(base, 'link'));
    const err = lanfoldErrorOf(() => checkStateOutside(path.join(base, 'link', 'state'), folder));
    expect(err.code).toBe('STATE_INSIDE_FOLDER');
  });

  it('sees through a symlink that puts the folder inside the state directory', () => {
    const base = tempDir('state');
    const state = path.join(base, 'state');
    mkdirSync(path.join(state, 'data'), { recursive: true });
    symlinkSync(path.join(state, 'data'), path.join(base, 'folder-link'));
    const err = lanfoldErrorOf(() => checkStateOutside(state, path.join(base, 'folder-link')));
    expect(err.code).toBe('STATE_INSIDE_FOLDER');
  });
});

describe('statePaths', () => {
  it('puts every file of the device in one absolute directory', () => {
    const p = statePaths('relative/state');
    const dir = path.resolve('relative/state');
    expect(p.dir).toBe(dir);
    expect(p.device).toBe(path.join(dir, 'device.json'));
    expect(p.cert).toBe(path.join(dir, 'cert.pem'));
    expect(p.key).toBe(path.join(dir, 'key.pem'));
    expect(p.folders).toBe(path.join(dir, 'folders.json'));
    expect(p.lock).toBe(path.join(dir, 'daemon.lock'));
    expect(p.logFile).toBe(path.join(dir, 'daemon.log'));
    expect(p.runtime).toBe(path.join(dir, 'daemon.json'));
    expect(p.folderData('photos')).toBe(path.join(dir, 'folders', 'photos'));
  });
});

describe('defaultStateDir', () => {
  it('uses LANFOLD_STATE when set', () => {
    expect(defaultStateDir({ LANFOLD_STATE: '/custom/state' })).toBe('/custom/state');
  });

  it('falls back to the platform configuration directory', () => {
    const dir = defaultStateDir({ XDG_CONFIG_HOME: '/xdg' });
    if (process.platform === 'linux') expect(dir).toBe(path.join('/xdg', 'lanfold'));
    expect(defaultStateDir({}).startsWith(os.homedir())).toBe(true);
  });
});
