/**
 * The control API through the command line (compiled CLI in dist/, `npm run build`):
 * `lanfold start --gui 127.0.0.1:0` overrides device.json's address, reports the port it
 * got, and `lanfold gui-url` prints an address whose token the API accepts; --gui refuses
 * anything but a loopback address. Also the diff worker, which loads the compiled text-diff.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LanfoldClient } from '../../main/api/client.js';
import { diffText } from '../../main/daemon/api/diff-runner.js';
import {
  CLI_PATH,
  DaemonProcess,
  lanfoldEnv,
  lanfoldOk,
  REPO_ROOT,
  runLanfold,
} from '../helpers/cli.js';
import { makeDevice } from '../helpers/device.js';
import { removeTempDirs } from '../helpers/temp.js';

const running: DaemonProcess[] = [];
const servers: Server[] = [];

/** `lanfold start` with extra arguments. */
function start(state: string, args: readonly string[]): DaemonProcess {
  const child = spawn(process.execPath, [CLI_PATH, '--state', state, 'start', ...args], {
    env: lanfoldEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const d = new DaemonProcess(child);
  running.push(d);
  return d;
}

/** A port that is taken (by a server of this test). */
async function takenPort(): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no address');
  return address.port;
}

describe('lanfold start --gui and gui-url', () => {
  afterEach(async () => {
    for (const d of running.splice(0)) await d.stop();
    for (const s of servers.splice(0)) s.close();
    removeTempDirs();
  });

  it('serves the API where --gui says, and gui-url prints a signed-in address', async () => {
    const device = await makeDevice();
    const taken = await takenPort();
    await lanfoldOk(
      ['init', '--name', 'x', '--listen', '127.0.0.1:0', '--gui', `127.0.0.1:${taken}`],
      {
        state: `${device.state}-busy`,
      },
    );

    // device.json's address (port 0 here) is overridden by --gui.
    const daemon = start(device.state, ['--gui', '127.0.0.1:0']);
    await daemon.ready();
    const url = (await lanfoldOk(['gui-url'], { state: device.state })).trim();
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/#token=([A-Za-z0-9_-]{43})$/.exec(url);
    expect(m, url).not.toBeNull();
    expect(daemon.stdout).toContain(`Control API and UI on http://127.0.0.1:${m![1]} `);
    const client = new LanfoldClient({ baseUrl: `http://127.0.0.1:${m![1]}`, token: m![2]! });
    const status = await client.status();
    expect(status.folders.map((f) => f.id)).toEqual([device.folderId]);
    expect(status.daemon.pid).toBe(daemon.pid);
    const json = JSON.parse(await lanfoldOk(['gui-url', '--json'], { state: device.state })) as {
      url: string;
    };
    expect(json.url).toBe(url);

    // A daemon whose GUI address is taken keeps syncing, and says why the UI is missing.
    const busy = start(`${device.state}-busy`, []);
    await busy.ready();
    expect(busy.stderr).toMatch(/control API is not running: .*EADDRINUSE/);
    const noUrl = await runLanfold(['gui-url'], { state: `${device.state}-busy` });
    expect(noUrl.code).toBe(1);
    expect(noUrl.stderr).toMatch(/control API does not.*EADDRINUSE/);
  });

  it('refuses a --gui address that is not on this computer, and gui-url without a daemon', async () => {
    const device = await makeDevice();
    const r = await runLanfold(['start', '--gui', '0.0.0.0:47299'], { state: device.state });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--gui must be a loopback HOST:PORT/);
    const url = await runLanfold(['gui-url'], { state: device.state });
    expect(url.code).toBe(1);
    expect(url.stderr).toMatch(/daemon is not running/);
  });
});

describe('diffText in a worker (the compiled text-diff module)', () => {
  const workerModule = pathToFileURL(path.join(REPO_ROOT, 'dist/main/engine/text-diff.js'));
  const lines = (n: number, tag: (i: number) => string) =>
    Buffer.from(
      Array.from({ length: n }, (_, i) => `${tag(i)} line ${i} of a long text\n`).join(''),
    );

  it('diffs large texts off the daemon thread', async () => {
    const a = lines(8000, () => 'same');
    const b = lines(8000, (i) => (i === 4000 ? 'CHANGED' : 'same'));
    expect(a.length).toBeGreaterThan(128 * 1024);
    const result = await diffText(a, b, { workerModule });
    expect(result.kind).toBe('text');
    const ops = result.kind === 'text' ? result.ops : [];
    expect(ops.map((o) => [o.kind, o.lines.length])).toEqual([
      ['equal', 4000],
      ['delete', 1],
      ['insert', 1],
      ['equal', 3999],
    ]);
  });

  it('gives up at the deadline and answers too-large', async () => {
    const a = lines(30_000, (i) => `a${i % 7}`);
    const b = lines(30_000, (i) => `b${i % 11}`);
    const started = Date.now();
    await expect(diffText(a, b, { workerModule, deadlineMs: 50 })).resolves.toEqual({
      kind: 'too-large',
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
