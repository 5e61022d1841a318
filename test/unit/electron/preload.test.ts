/**
 * Runs the preload as Electron's sandbox does: CommonJS, with a `require` that knows only
 * 'electron' (here the fake), so the test also proves the preload loads no other file.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import ts from 'typescript';
import { beforeEach, describe, expect, it } from 'vitest';
import type { LanfoldBridge } from '../../../main/electron/channels.js';
import { BRIDGE_NAME, CHANNELS } from '../../../main/electron/channels.js';
import type { NativeBridge } from '../../../renderer/src/lib/native-bridge.js';
import * as fakeElectron from './fake-electron.js';

/** The UI's view of the bridge (renderer/src/lib/native-bridge.ts) must match the preload's. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const bridgesAgree: Same<LanfoldBridge, NativeBridge> = true;

const SOURCE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../preload/preload.cts',
);

function loadPreload(): void {
  const js = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    fileName: 'preload.cts',
  }).outputText;
  const sandboxRequire = (id: string): unknown => {
    if (id === 'electron') return fakeElectron;
    throw new Error(`a sandboxed preload cannot require ${id}`);
  };
  const module = { exports: {} };
  vm.runInNewContext(js, {
    require: sandboxRequire,
    module,
    exports: module.exports,
    Object,
    Promise,
  });
}

function bridge(): LanfoldBridge {
  const api = fakeElectron.contextBridge.exposed.get(BRIDGE_NAME);
  if (!api) throw new Error('nothing exposed');
  return api as LanfoldBridge;
}

describe('preload', () => {
  beforeEach(() => {
    fakeElectron.resetFakes();
    loadPreload();
  });

  it('exposes one object, window.lanfold, with exactly the five functions', () => {
    expect(bridgesAgree).toBe(true);
    expect([...fakeElectron.contextBridge.exposed.keys()]).toEqual(['lanfold']);
    const api = bridge();
    expect(Object.keys(api).sort()).toEqual([
      'getStartAtLogin',
      'notify',
      'pickFolder',
      'revealPath',
      'setStartAtLogin',
    ]);
    for (const fn of Object.values(api)) expect(typeof fn).toBe('function');
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('invokes the contract channels with the arguments', async () => {
    fakeElectron.ipcRenderer.invoke.mockResolvedValueOnce('/home/a/docs');
    await expect(bridge().pickFolder()).resolves.toBe('/home/a/docs');
    await bridge().revealPath('/home/a/docs/x.txt');
    await bridge().notify('Title', 'Body');
    await bridge().getStartAtLogin();
    await bridge().setStartAtLogin(true);
    expect(fakeElectron.ipcRenderer.invoke.mock.calls).toEqual([
      ['lanfold:pick-folder'],
      ['lanfold:reveal-path', '/home/a/docs/x.txt'],
      ['lanfold:notify', 'Title', 'Body'],
      ['lanfold:get-start-at-login'],
      ['lanfold:set-start-at-login', true],
    ]);
    const used = fakeElectron.ipcRenderer.invoke.mock.calls.map((c) => c[0]).sort();
    expect(used).toEqual([...CHANNELS].sort());
  });
});
