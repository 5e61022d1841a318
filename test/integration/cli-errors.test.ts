/**
 * The `lanfold` CLI (compiled, from dist/) on bad input and broken state: each case must end
 * with one clear line on stderr and a non-zero exit, and leave nothing half-written. Then the
 * happy path of init / id / status / history / show / diff, with and without --json.
 */
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentStore } from '../../main/engine/store/content-store.js';
import { toRelPath } from '../../main/engine/relpath.js';
import {
  lanfoldOk,
  runLanfold,
  runLanfoldMany,
  startDaemon,
  stopAllDaemons,
  type CliOptions,
  type CliResult,
} from '../helpers/cli.js';
import { logPath, makeDevice, openLogReadonly, type TestDevice } from '../helpers/device.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

afterEach(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

/** Exit code `code`, and stderr is exactly one line "lanfold: ..." matching `pattern`. */
function expectOneLineError(r: CliResult, code: number, pattern: RegExp): void {
  const context = `exit ${r.code ?? r.signal}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;
  expect(r.code, context).toBe(code);
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, context).toHaveLength(1);
  expect(lines[0], context).toMatch(/^lanfold: /);
  expect(lines[0], context).toMatch(pattern);
  expect(r.stdout, context).not.toMatch(/READY/);
}

function sha(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** Every file below `dir` with its hash, to show that a failed command wrote nothing. */
function treeHashes(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const full = path.join(dir, name);
    if (name === 'daemon.log') continue; // the daemon's own log may record the failure
    try {
      out[name] = sha(full);
    } catch {
      out[name] = 'dir';
    }
  }
  return out;
}

/**
 * Nothing half-written: every file of `before` is unchanged, and no file appeared, except
 * (for a daemon that failed to start) device-level files a first start may create, which
 * are complete on their own; nothing new for any folder.
 */
function expectNothingWritten(
  dir: string,
  before: Record<string, string>,
  options: { allowDeviceFiles?: boolean } = {},
): void {
  const after = treeHashes(dir);
  for (const [name, hash] of Object.entries(before)) expect(after[name], name).toBe(hash);
  const added = Object.keys(after).filter((n) => !(n in before));
  const allowed = (n: string) =>
    options.allowDeviceFiles === true && !n.includes(path.sep) && !/\.db|lock|daemon\.json/.test(n);
  expect(
    added.filter((n) => !allowed(n)),
    'files written by a failed command',
  ).toEqual([]);
}

function expectNoDaemonLeftovers(device: TestDevice): void {
  expect(existsSync(path.join(device.state, 'daemon.lock')), 'daemon.lock left behind').toBe(false);
  expect(existsSync(path.join(device.state, 'daemon.json')), 'daemon.json left behind').toBe(false);
}

/**
 * Root reads any file whatever its mode, so permission cases run the CLI as `nobody`. Returns
 * the options for that (empty when not root), or undefined, saying why, when impossible.
 */
async function ordinaryUser(what: string): Promise<CliOptions | undefined> {
  if (process.getuid?.() !== 0) return {};
  const user: CliOptions = { uid: 65534, gid: 65534 };
  const probe = await runLanfold(['--version'], user).catch((err: unknown) => err);
  if (probe && typeof probe === 'object' && 'code' in probe && probe.code === 0) return user;
  console.log(`${what}: NOT CHECKED: running as root and cannot run as uid 65534:`, probe);
  return undefined;
}

describe('CLI errors', { timeout: 180_000 }, () => {
  it('a folder that does not exist', async () => {
    const device = await makeDevice();
    const before = treeHashes(device.state);
    const missing = path.join(path.dirname(device.folder), 'no-such-folder');
    expectOneLineError(
      await runLanfold(['folder', 'add', missing, '--master'], { state: device.state }),
      1,
      /Folder .*no-such-folder does not exist/,
    );
    // A file is not a folder either.
    const file = path.join(path.dirname(device.folder), 'a-file');
    writeFileSync(file, 'x');
    expectOneLineError(
      await runLanfold(['folder', 'add', file, '--master'], { state: device.state }),
      1,
      /a-file is not a directory/,
    );
    expectNothingWritten(device.state, before);
  });

  it('a folder that cannot be read', async () => {
    const user = await ordinaryUser('unreadable folder');
    if (!user) return;
    const asRoot = user.uid !== undefined;
    const device = await makeDevice({
      cli: user,
      prepare: (base) => {
        if (asRoot) chownSync(base, 65534, 65534);
      },
    });
    if (asRoot) chownSync(device.folder, 65534, 65534);
    const other = path.join(path.dirname(device.folder), 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'x.txt'), 'x');
    chmodSync(other, 0o000);
    const before = treeHashes(device.state);
    expectOneLineError(
      await runLanfold(['folder', 'add', other, '--master', '--id', 'other'], {
        ...user,
        state: device.state,
      }),
      1,
      /Folder .*other cannot be read: EACCES/,
    );
    expectNothingWritten(device.state, before);

    // A folder that becomes unreadable after it was added: the daemon says so in one line,
    // keeps running, and records the folder once it can be read again.
    chmodSync(device.folder, 0o000);
    const daemon = startDaemon(device.state, user);
    await daemon.ready();
    await waitFor(() => daemon.stderr.includes('\n'), { what: 'the folder error on stderr' });
    const lines = daemon.stderr.split('\n').filter((l) => l !== '');
    expect(lines, daemon.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^lanfold: folder f1: Folder .*folder cannot be read: EACCES/);
    expect(daemon.running).toBe(true);
    chmodSync(device.folder, 0o755);
    const log = await openLogReadonly(device);
    try {
      await waitFor(() => log.head() >= 1, { timeoutMs: 30_000, what: 'the folder to be scanned' });
    } finally {
      log.close();
    }
    expect((await daemon.stop()).code).toBe(0);
  });

  it('a subdirectory and a file that cannot be read are left out, and found once readable', async () => {
    const user = await ordinaryUser('unreadable content');
    if (!user) return;
    const asRoot = user.uid !== undefined;
    const device = await makeDevice({
      cli: user,
      prepare: (base) => {
        if (asRoot) chownSync(base, 65534, 65534);
      },
      populate: (dir) => {
        writeFileSync(path.join(dir, 'a.txt'), 'readable');
        writeFileSync(path.join(dir, 'secret.txt'), 'not for you', { mode: 0o600 });
        mkdirSync(path.join(dir, 'locked'), { mode: 0o700 });
        writeFileSync(path.join(dir, 'locked/x.txt'), 'inside');
      },
    });
    if (asRoot) chownSync(device.folder, 65534, 65534);
    else {
      chmodSync(path.join(device.folder, 'secret.txt'), 0o000);
      chmodSync(path.join(device.folder, 'locked'), 0o000);
    }
    const daemon = startDaemon(device.state, user);
    await daemon.ready();
    const log = await openLogReadonly(device);
    try {
      const paths = (): string[] => log.stateAt(log.head()).map((e) => e.path);
      expect(paths()).toEqual(['a.txt', 'locked']);
      const runtime = readFileSync(path.join(device.state, 'daemon.json'), 'utf8');
      expect(runtime).toContain('locked (EACCES)');
      expect(runtime).toContain('secret.txt (EACCES)');
      // A rescan must not take what it could not see as deleted.
      writeFileSync(path.join(device.folder, '.lanfoldignore'), '*.tmp\n');
      await waitFor(() => paths().includes('.lanfoldignore'), { what: 'the ignore file' });
      expect(paths()).toEqual(['.lanfoldignore', 'a.txt', 'locked']);
      chmodSync(path.join(device.folder, 'locked'), 0o755);
      chmodSync(path.join(device.folder, 'secret.txt'), 0o644);
      await waitFor(() => paths().includes('locked/x.txt') && paths().includes('secret.txt'), {
        what: 'the content to be recorded once readable',
      });
      // The directory is watched now.
      writeFileSync(path.join(device.folder, 'locked/later.txt'), 'later');
      await waitFor(() => paths().includes('locked/later.txt'), {
        what: 'a file made in the formerly unreadable directory',
      });
      expect(log.version(log.head())?.origin).toBe('watch');
    } finally {
      log.close();
    }
    expect((await daemon.stop()).code).toBe(0);
  });

  it('a state directory inside the synced folder', async () => {
    const base = makeTempDir();
    const folder = path.join(base, 'folder');
    mkdirSync(folder);
    const inside = path.join(folder, '.lanfold-state');
    await lanfoldOk(['init', '--name', 'x', '--listen', '127.0.0.1:0'], { state: inside });
    const before = treeHashes(inside);
    expectOneLineError(
      await runLanfold(['folder', 'add', folder, '--master'], { state: inside }),
      1,
      /state directory .* and the folder .* overlap/,
    );
    expectNothingWritten(inside, before);
    // The other way round: a folder inside the state directory.
    const state = path.join(base, 'state');
    await lanfoldOk(['init', '--name', 'y', '--listen', '127.0.0.1:0'], { state });
    mkdirSync(path.join(state, 'synced'));
    const before2 = treeHashes(state);
    expectOneLineError(
      await runLanfold(['folder', 'add', path.join(state, 'synced'), '--master'], { state }),
      1,
      /overlap/,
    );
    expectNothingWritten(state, before2);
  });

  it('a second daemon on the same state directory', async () => {
    const device = await makeDevice();
    const first = startDaemon(device.state);
    await first.ready();
    const runtime = readFileSync(path.join(device.state, 'daemon.json'), 'utf8');
    const second = await runLanfold(['start'], { state: device.state });
    expectOneLineError(
      second,
      1,
      new RegExp(`Another Lanfold daemon \\(pid ${first.pid}\\) is using this state directory`),
    );
    expect(first.running).toBe(true);
    expect(readFileSync(path.join(device.state, 'daemon.lock'), 'utf8').trim()).toBe(
      String(first.pid),
    );
    expect(JSON.parse(readFileSync(path.join(device.state, 'daemon.json'), 'utf8')).pid).toBe(
      JSON.parse(runtime).pid,
    );
    expect(await first.stop()).toEqual({ code: 0, signal: null, killed: false });
    expectNoDaemonLeftovers(device);
  });

  it('a corrupt log database at start', async () => {
    const device = await makeDevice();
    const file = logPath(device);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from('this is not a database '.repeat(300)));
    const before = treeHashes(device.state);
    const r = await runLanfold(['start'], { state: device.state });
    expectOneLineError(r, 1, /version log database .*log\.db is damaged or not a database/);
    expectNothingWritten(device.state, before, { allowDeviceFiles: true });
    expectNoDaemonLeftovers(device);
    expectOneLineError(
      await runLanfold(['history', 'f1'], { state: device.state }),
      1,
      /damaged or not a database/,
    );
    // status still shows the device and says what is wrong with the folder.
    const status = await runLanfold(['status', '--json'], { state: device.state });
    expect(status.code, status.stderr).toBe(0);
    const parsed = JSON.parse(status.stdout) as { folders: { id: string; error: string }[] };
    expect(parsed.folders[0]?.error).toMatch(/damaged or not a database/);
  });

  it('a database with a newer schema', async () => {
    const device = await makeDevice();
    const daemon = startDaemon(device.state);
    await daemon.ready();
    expect((await daemon.stop()).code).toBe(0);
    const db = new Database(logPath(device));
    db.pragma('user_version = 99');
    db.close();
    const before = treeHashes(device.state);
    expectOneLineError(
      await runLanfold(['start'], { state: device.state }),
      1,
      /schema 99, newer than this Lanfold knows/,
    );
    expectNothingWritten(device.state, before, { allowDeviceFiles: true });
    expectNoDaemonLeftovers(device);
    expectOneLineError(
      await runLanfold(['history', 'f1', '--json'], { state: device.state }),
      1,
      /schema 99, newer than this Lanfold knows/,
    );
  });

  it('an unknown folder ID', async () => {
    const device = await makeDevice();
    for (const args of [
      ['history', 'nope'],
      ['show', 'nope', '1'],
      ['diff', 'nope', '1', '2'],
      ['diff', 'nope', '1', '2', 'a.txt', '--json'],
    ]) {
      expectOneLineError(
        await runLanfold(args, { state: device.state }),
        1,
        /No folder with ID "nope" \(known folders: f1\)/,
      );
    }
  });

  it('bad CLI arguments', async () => {
    const device = await makeDevice({
      populate: (dir) => writeFileSync(path.join(dir, 'a.txt'), 'a\n'),
    });
    const daemon = startDaemon(device.state);
    await daemon.ready();
    const s = { state: device.state };
    const cases: [string[], RegExp][] = [
      [['history', 'f1', '--limit', 'abc'], /--limit must be a positive whole number, not "abc"/],
      [['history', 'f1', '--limit', '0'], /--limit must be a positive whole number/],
      [['history', 'f1', '--before', '-3'], /--before must be a positive whole number/],
      [['show', 'f1', '0'], /VERSION must be a positive whole number, not "0"/],
      [['show', 'f1', 'v1.5'], /VERSION must be a positive whole number/],
      [['diff', 'f1', '0', '1'], /V1 must be a positive whole number, not "0"/],
      [['diff', 'f1', '1', 'x'], /V2 must be a positive whole number, not "x"/],
      [['history', 'f1', '--bogus'], /unknown option '--bogus'/],
      [['show', 'f1'], /missing required argument 'version'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['folder', 'add', device.folder], /--master/],
      [['init'], /required option '--name <name>' not specified/],
    ];
    const results = await runLanfoldMany(
      cases.map(([args]) => args),
      s,
    );
    cases.forEach(([, pattern], i) => expectOneLineError(results[i]!, 2, pattern));
    // Versions that do not exist, and a path outside the folder, are errors too (exit 1).
    expectOneLineError(await runLanfold(['show', 'f1', '9'], s), 1, /Version 9 does not exist/);
    expectOneLineError(
      await runLanfold(['diff', 'f1', '1', '7'], s),
      1,
      /Version 7 does not exist/,
    );
    expectOneLineError(
      await runLanfold(['diff', 'f1', '1', '1', '../etc/passwd'], s),
      1,
      /Refused path "..\/etc\/passwd"/,
    );
    expect(daemon.running).toBe(true);
  });
});

describe('CLI happy path', { timeout: 180_000 }, () => {
  it('init, id, status, history, show and diff, with and without --json', async () => {
    const base = makeTempDir();
    const state = path.join(base, 'state');
    const folder = path.join(base, 'folder');
    mkdirSync(folder);
    const text1 = ['line 1', 'line 2', 'line 3', 'line 4', 'line 5', ''].join('\n');
    writeFileSync(path.join(folder, 'notes.txt'), text1);
    mkdirSync(path.join(folder, 'sub'));
    writeFileSync(path.join(folder, 'sub/data.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));

    const init = await lanfoldOk(['init', '--name', 'laptop', '--listen', '127.0.0.1:0'], {
      state,
    });
    const grouped = /Device ID: ((?:[A-Z2-7]{4}-){12}[A-Z2-7]{4})$/m.exec(init)?.[1];
    expect(grouped, init).toBeDefined();
    expect((await lanfoldOk(['id'], { state })).trim()).toBe(grouped);
    const idJson = JSON.parse(await lanfoldOk(['id', '--json'], { state })) as {
      deviceId: string;
      name: string;
    };
    expect(idJson).toMatchObject({ deviceId: grouped!.replaceAll('-', ''), name: 'laptop' });
    await lanfoldOk(['folder', 'add', folder, '--master', '--id', 'docs'], { state });

    const statusBefore = await lanfoldOk(['status'], { state });
    expect(statusBefore).toMatch(/Daemon not running/);

    const daemon = startDaemon(state);
    await daemon.ready();
    const device = { state, folderId: 'docs' };
    const log = await openLogReadonly(device);
    let text2: string;
    try {
      // v1 is the first scan; wait until its content is retained, so v1 can be diffed later.
      const v1 = log.entryAt(toRelPath('notes.txt'), 1)!;
      await waitFor(
        () => {
          const store = new ContentStore(path.join(state, 'folders/docs/content.db'), {
            readonly: true,
          });
          try {
            return [...v1.chunks!].every((c) => store.has(c.hash));
          } finally {
            store.close();
          }
        },
        { what: 'the first version of notes.txt to be retained' },
      );
      text2 = ['line 1', 'line 2', 'line three', 'line 4', 'line 5', 'line 6', ''].join('\n');
      writeFileSync(path.join(folder, 'notes.txt'), text2);
      await waitFor(() => log.head() >= 2, { what: 'v2' });
      expect(log.head()).toBe(2);
    } finally {
      log.close();
    }

    const status = await lanfoldOk(['status'], { state });
    expect(status).toContain(`Device laptop (${grouped})`);
    expect(status).toContain(`Daemon running (pid ${daemon.pid})`);
    expect(status).toMatch(/^docs\s+master\s+v2\s+2\s+/m);
    const statusJson = JSON.parse(await lanfoldOk(['status', '--json'], { state })) as {
      device: { id: string; name: string };
      daemon: { running: boolean; pid: number };
      folders: { id: string; version: number; files: number; dirs: number; error: unknown }[];
    };
    expect(statusJson.device).toMatchObject({ id: idJson.deviceId, name: 'laptop' });
    expect(statusJson.daemon).toEqual({ running: true, pid: daemon.pid });
    expect(statusJson.folders).toHaveLength(1);
    expect(statusJson.folders[0]).toMatchObject({
      id: 'docs',
      version: 2,
      files: 2,
      dirs: 1,
      error: null,
    });

    const history = await lanfoldOk(['history', 'docs'], { state });
    expect(history).toMatch(/^VERSION\s+TIME\s+METHOD/m);
    expect(history).toMatch(/^v2\s.*\s1pc\s+1\s.*watch/m);
    expect(history).toMatch(/^v1\s.*\sscan\s+3\s.*initial-scan/m);
    const historyJson = JSON.parse(await lanfoldOk(['history', 'docs', '--json'], { state })) as {
      head: number;
      versions: { seq: number; origin: string; changes: number }[];
    };
    expect(historyJson.head).toBe(2);
    expect(historyJson.versions.map((v) => [v.seq, v.origin, v.changes])).toEqual([
      [2, 'watch', 1],
      [1, 'initial-scan', 3],
    ]);
    const limited = JSON.parse(
      await lanfoldOk(['history', 'docs', '--limit', '1', '--json'], { state }),
    ) as { versions: unknown[] };
    expect(limited.versions).toHaveLength(1);

    const show = await lanfoldOk(['show', 'docs', 'v2'], { state });
    expect(show).toMatch(/^Version 2 of docs: /);
    expect(show).toMatch(/^modify\s+file\s+.*notes\.txt$/m);
    const show1 = await lanfoldOk(['show', 'docs', '1'], { state });
    expect(show1).toMatch(/^add\s+dir\s+sub\/$/m);
    const showJson = JSON.parse(await lanfoldOk(['show', 'docs', '2', '--json'], { state })) as {
      version: { seq: number };
      operations: { path: string; op: string; kind: string; size: number }[];
    };
    expect(showJson.version.seq).toBe(2);
    expect(showJson.operations).toEqual([
      expect.objectContaining({
        path: 'notes.txt',
        op: 'modify',
        kind: 'file',
        size: Buffer.byteLength(text2),
      }),
    ]);

    const diffAll = await lanfoldOk(['diff', 'docs', '1', '2'], { state });
    expect(diffAll.trim()).toMatch(/^changed\s+notes\.txt$/);
    const diffAllJson = JSON.parse(
      await lanfoldOk(['diff', 'docs', '1', '2', '--json'], { state }),
    ) as {
      paths: { path: string }[];
    };
    expect(diffAllJson.paths.map((p) => p.path)).toEqual(['notes.txt']);

    const diff = await lanfoldOk(['diff', 'docs', '1', '2', 'notes.txt'], { state });
    expect(diff).toContain('--- notes.txt@v1');
    expect(diff).toContain('+++ notes.txt@v2');
    expect(diff).toMatch(/^-line 3$/m);
    expect(diff).toMatch(/^\+line three$/m);
    expect(diff).toMatch(/^\+line 6$/m);
    expect(diff).toMatch(/^ line 2$/m);
    expect(diff).not.toContain('\x1b['); // no colours when not a terminal
    const diffJson = JSON.parse(
      await lanfoldOk(['diff', 'docs', '1', '2', 'notes.txt', '--json'], { state }),
    ) as { path: string; from: number; to: number; kind: string };
    expect(diffJson).toMatchObject({ path: 'notes.txt', from: 1, to: 2, kind: 'text' });
    const same = await lanfoldOk(['diff', 'docs', '2', '2', 'notes.txt'], { state });
    expect(same.trim()).toBe('notes.txt is the same in v2 and v2.');
    const binary = await lanfoldOk(['diff', 'docs', '1', '2', 'sub/data.bin'], { state });
    expect(binary.trim()).toMatch(/sub\/data\.bin/);

    expect(await daemon.stop()).toEqual({ code: 0, signal: null, killed: false });
    expect(await lanfoldOk(['status'], { state })).toMatch(/Daemon not running/);
  });
});
