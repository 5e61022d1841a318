import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Resolutions } from '../../../main/daemon/api/resolve.js';
import { DeviceState, initDevice } from '../../../main/daemon/device.js';
import { recordVerdict, verdictLogFile, verdictSentence } from '../../../main/daemon/verdict.js';
import { TxStore } from '../../../main/engine/twophase/tx-store.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { useTempDirs } from '../helpers/temp-dir.js';

const PEER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';

describe('verdict', () => {
  const tempDir = useTempDirs();

  it('writes a verdict where the coordinator reads it, and refuses replicas and empty folders', async () => {
    const base = tempDir('verdict');
    await initDevice(path.join(base, 'state'), { name: 'v' });
    const state = DeviceState.open(path.join(base, 'state'));
    mkdirSync(path.join(base, 'm'));
    state.addPeer(PEER);
    state.addFolder({ path: path.join(base, 'm'), role: 'master', id: 'm1' });
    state.addFolder({ path: path.join(base, 'r'), role: 'replica', id: 'r1', upstreams: [PEER] });
    expect(() => verdictLogFile(state, 'r1')).toThrow(/is a replica here/);
    expect(() => verdictLogFile(state, 'm1')).toThrow(/has no versions yet/);
    expect(() => verdictLogFile(state, 'zz')).toThrow();

    const file = path.join(state.folderDataDir('m1'), 'log.db');
    mkdirSync(path.dirname(file), { recursive: true });
    new TxStore(file).close(); // the folder's log exists once it was opened
    expect(verdictLogFile(state, 'm1')).toBe(file);
    recordVerdict(file, 12, 'reject', 5);
    recordVerdict(file, 12, 'approve', 6);
    const txs = new TxStore(file, { readonly: true });
    try {
      expect(txs.verdict(10, 12)).toEqual({ version: 12, verdict: 'approve', done: false });
      expect(txs.verdict(12, 20)).toBeUndefined();
    } finally {
      txs.close();
    }
    expect(verdictSentence('m1', 12, 'approve')).toMatch(/replicas will apply them/);
    expect(verdictSentence('m1', 12, 'reject')).toMatch(/master restores the files/);
  });
});

describe('Resolutions', () => {
  const tempDir = useTempDirs();

  it('keeps the choices in a file, so a new instance (a restarted daemon) still has them', () => {
    const dir = tempDir('resolutions');
    const fileOf = (id: string) => path.join(dir, `${id}.json`);
    const first = new Resolutions(fileOf);
    first.keep('r1', 'notes.txt', 'modified');
    first.keep('r1', 'gone.txt', 'deleted');
    first.forget('r1', 'gone.txt');
    first.settle('r1', { keptAs: 'a.conflict-1.txt', at: 7 });
    const second = new Resolutions(fileOf);
    expect(second.isKept('r1', 'notes.txt', 'modified')).toBe(true);
    expect(second.isKept('r1', 'notes.txt', 'added')).toBe(false); // another kind: a new change
    expect(second.isKept('r1', 'gone.txt', 'deleted')).toBe(false);
    expect(second.isSettled('r1', { keptAs: 'a.conflict-1.txt', at: 7 })).toBe(true);
    expect(second.isKept('r2', 'notes.txt', 'modified')).toBe(false);
  });

  it('reports a damaged file in words, and works in memory without one', () => {
    const dir = tempDir('resolutions-bad');
    writeFileSync(path.join(dir, 'r1.json'), '{"version": 2}');
    const r = new Resolutions((id) => path.join(dir, `${id}.json`));
    expect(() => r.isKept('r1', 'a', 'added')).toThrow(/kept local changes .* is damaged/);
    const memory = new Resolutions();
    memory.keep('r1', 'a', 'added');
    expect(memory.isKept('r1', 'a', 'added')).toBe(true);
  });
});
