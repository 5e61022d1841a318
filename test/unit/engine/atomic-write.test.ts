import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../../../main/engine/atomic-write.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const fsyncs = vi.hoisted(() => ({ n: 0 }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  return {
    ...fs,
    fsyncSync: (fd: number) => {
      fsyncs.n++;
      fs.fsyncSync(fd);
    },
  };
});

const Schema = z.strictObject({ version: z.number().int() });

describe('writeFileAtomic / readJsonFile', () => {
  const tempDir = useTempDirs();

  it('writes whole and reads back what matches the schema', () => {
    const file = path.join(tempDir('atomic'), 'state.json');
    writeFileAtomic(file, JSON.stringify({ version: 7 }));
    expect(readFileSync(file, 'utf8')).toBe('{"version":7}');
    expect(readJsonFile(file, Schema, 'The state', 'hint')).toEqual({ version: 7 });
  });

  it('fsyncs the file and its directory unless told the write need not be durable', () => {
    const file = path.join(tempDir('atomic'), 'daemon.json');
    fsyncs.n = 0;
    writeFileAtomic(file, 'one');
    expect(fsyncs.n).toBe(2);
    fsyncs.n = 0;
    writeFileAtomic(file, 'two', 0o600, { durable: false });
    expect(fsyncs.n).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe('two');
  });

  it('reads a missing file as undefined', () => {
    expect(readJsonFile(path.join(tempDir('atomic'), 'none.json'), Schema, 'x', 'y')).toBe(
      undefined,
    );
  });

  it.each([
    ['not JSON', '{"version": 7'],
    ['the wrong shape', '{"version": "seven"}'],
  ])('reports a file that is %s as damaged, naming it', (_what, text) => {
    const file = path.join(tempDir('atomic'), 'state.json');
    writeFileSync(file, text);
    const err = lanfoldErrorOf(() => readJsonFile(file, Schema, 'The state', 'move it aside'));
    expect(err.code).toBe('DB_CORRUPT');
    expect(err.message).toBe(`The state ${file} is damaged`);
  });
});
