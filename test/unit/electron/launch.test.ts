import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { electronBinary } from '../../../main/electron/launch.js';
import { makeTempDir, removeTempDirs } from '../../helpers/temp.js';

/** A project root with an electron package, optionally with path.txt and the binary. */
function project(opts: { pathTxt?: string; binary?: boolean }): string {
  const root = makeTempDir('lanfold-launch-');
  writeFileSync(path.join(root, 'package.json'), '{"name":"x"}');
  const pkg = path.join(root, 'node_modules', 'electron');
  mkdirSync(path.join(pkg, 'dist'), { recursive: true });
  writeFileSync(path.join(pkg, 'package.json'), '{"name":"electron","main":"index.js"}');
  writeFileSync(path.join(pkg, 'index.js'), 'throw new Error("must not be loaded");');
  if (opts.pathTxt !== undefined) writeFileSync(path.join(pkg, 'path.txt'), opts.pathTxt);
  if (opts.binary) writeFileSync(path.join(pkg, 'dist', 'electron'), '');
  return root;
}

describe('electronBinary', () => {
  afterEach(() => removeTempDirs());

  it('finds the binary named by path.txt without loading the electron module', () => {
    const root = project({ pathTxt: 'electron', binary: true });
    expect(electronBinary(root)).toBe(
      path.join(root, 'node_modules', 'electron', 'dist', 'electron'),
    );
  });

  it('reports none when path.txt is missing (the download never happened)', () => {
    expect(electronBinary(project({}))).toBeUndefined();
  });

  it('reports none when path.txt names a file that is absent', () => {
    expect(electronBinary(project({ pathTxt: 'electron' }))).toBeUndefined();
  });

  it('reports none when the electron package is not installed', () => {
    const root = makeTempDir('lanfold-launch-');
    writeFileSync(path.join(root, 'package.json'), '{"name":"x"}');
    expect(electronBinary(root)).toBeUndefined();
  });
});
