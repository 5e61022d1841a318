/**
 * `lanfold folder set FOLDER relay on|off` and `--replica-of` lists, through the compiled
 * CLI: each bad argument ends with one clear line and a non-zero exit, and leaves
 * folders.json as it was.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runLanfoldMany, type CliResult } from '../helpers/cli.js';
import { makeDevice } from '../helpers/device.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';

afterEach(() => removeTempDirs());

function oneLine(r: CliResult, code: number, pattern: RegExp): void {
  const context = `exit ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, context).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, context).toHaveLength(1);
  expect(lines[0], context).toMatch(pattern);
}

describe('folder set relay and upstream lists', () => {
  it('refuses bad settings, values, folders and lists, and writes nothing', async () => {
    const d = await makeDevice({ folderId: 'docs' });
    const folders = path.join(d.state, 'folders.json');
    const before = readFileSync(folders, 'utf8');
    const other = path.join(makeTempDir('relay-cli-'), 'replica');
    const s = ['--state', d.state];
    const results = await runLanfoldMany([
      [...s, 'folder', 'set', 'docs', 'colour', 'on'],
      [...s, 'folder', 'set', 'docs', 'relay', 'maybe'],
      [...s, 'folder', 'set', 'nope', 'relay', 'on'],
      [...s, 'folder', 'set', 'docs', 'relay', 'on'],
      [...s, 'folder', 'add', other, '--replica-of', 'A,,B', '--id', 'docs2'],
      [...s, 'folder', 'add', other, '--replica-of', 'not-an-id', '--id', 'docs2'],
    ]);
    oneLine(
      results[0]!,
      2,
      /unknown setting "colour"; settable: atomic-view, relay, commit-mode, two-phase-policy/,
    );
    oneLine(results[1]!, 2, /relay must be on or off, not "maybe"/);
    oneLine(results[2]!, 1, /No folder with ID "nope"/);
    oneLine(results[3]!, 1, /master here; only a replica folder can be a relay/);
    oneLine(results[4]!, 2, /device 2 of the list is empty/);
    expect(results[5]!.code).not.toBe(0);
    expect(readFileSync(folders, 'utf8')).toBe(before);
  }, 120_000);
});
