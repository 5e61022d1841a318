/**
 * The control API of a real daemon (in-process, on 127.0.0.1 port 0), driven through the
 * one client: access rules (token, Origin, Host), validation, every endpoint, restore
 * recording a new version, live events over the WebSocket, and the static file server.
 */
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LanfoldApiError, LanfoldClient } from '../../main/api/client.js';
import type { ApiEvent } from '../../main/api/contract.js';
import { ApiEventHub, ApiServer } from '../../main/daemon/api/index.js';
import { Daemon } from '../../main/daemon/daemon.js';
import { DeviceState, initDevice } from '../../main/daemon/device.js';
import { statePaths } from '../../main/daemon/state-dir.js';
import { guiUrl } from '../../main/cli/commands/gui.js';
import { silentLogger } from '../../main/engine/logger.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const PEER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';

interface RawReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

let base: string;
let stateDir: string;
let folder: string;
let daemon: Daemon;
let port: number;
let token: string;
let client: LanfoldClient;

/** A request exactly as given (path not normalised, any Host), for the access rules. */
function raw(
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path: target, headers: { ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const auth = (): Record<string, string> => ({ Authorization: `Bearer ${token}` });

/** The status a WebSocket upgrade is refused with (0 when it opened). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? -1);
      ws.terminate();
    });
    ws.on('open', () => {
      resolve(0);
      ws.close();
    });
    ws.on('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

async function head(): Promise<number> {
  return (await client.history('f1', { limit: 1 })).head;
}

/** The entry of `rel` at f1's head, or undefined. */
async function entryAtHead(rel: string): Promise<{ seq: number; size: number } | undefined> {
  const { files } = await client.files('f1', { prefix: rel });
  return files.find((f) => f.path === rel);
}

/**
 * Writes a file into the master folder and waits for the version that records it (by the
 * file's entry, so versions that other writes cause do not confuse it), and for its content
 * to be retained (that runs after the commit); returns that version.
 */
async function writeAndRecord(rel: string, text: string): Promise<number> {
  const prev = (await entryAtHead(rel))?.seq ?? 0;
  mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
  writeFileSync(path.join(folder, rel), text);
  const size = Buffer.byteLength(text);
  const seq = await waitFor(
    async () => {
      const e = await entryAtHead(rel);
      return e !== undefined && e.seq > prev && e.size === size && e.seq;
    },
    { what: `a version of f1 recording ${rel}` },
  );
  await daemon.folder('f1')!.idle();
  return seq;
}

async function apiError(p: Promise<unknown>): Promise<LanfoldApiError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LanfoldApiError);
  return err as LanfoldApiError;
}

beforeAll(async () => {
  base = makeTempDir();
  stateDir = path.join(base, 'state');
  folder = path.join(base, 'folder');
  mkdirSync(folder);
  writeFileSync(path.join(folder, 'readme.txt'), 'hello\n');
  const staticDir = path.join(base, 'ui');
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Lanfold UI</title>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log("ui")');
  writeFileSync(path.join(base, 'secret.txt'), 'TOP SECRET');
  await initDevice(stateDir, { name: 'api-test', listen: '127.0.0.1:0', gui: '127.0.0.1:0' });
  DeviceState.open(stateDir).addFolder({ path: folder, role: 'master', id: 'f1' });
  daemon = await Daemon.start(stateDir, silentLogger, {}, { staticDir });
  const runtime = JSON.parse(readFileSync(statePaths(stateDir).runtime, 'utf8')) as { gui: string };
  port = Number(runtime.gui.split(':')[1]);
  token = readFileSync(statePaths(stateDir).apiToken, 'utf8').trim();
  client = new LanfoldClient({ baseUrl: `http://127.0.0.1:${port}`, token, WebSocket });
});

afterAll(async () => {
  await daemon?.stop();
  removeTempDirs();
});

describe('control API: access', () => {
  it('reports its real port in daemon.json and keeps its token private', () => {
    expect(port).toBeGreaterThan(0);
    expect(daemon.guiAddress).toBe(`127.0.0.1:${port}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (process.platform !== 'win32') {
      expect(statSync(statePaths(stateDir).apiToken).mode & 0o777).toBe(0o600);
    }
    expect(guiUrl(stateDir)).toBe(`http://127.0.0.1:${port}/#token=${token}`);
  });

  it('refuses requests without a token or with a wrong one (401)', async () => {
    const none = await raw('GET', '/api/status');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(none.text)).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
    expect((await raw('GET', '/api/status', { Authorization: `Bearer ${token}x` })).status).toBe(
      401,
    );
    expect((await raw('GET', `/api/status?token=${token}`)).status).toBe(401);
    const wrong = new LanfoldClient({ baseUrl: `http://127.0.0.1:${port}`, token: 'nope' });
    expect((await apiError(wrong.status())).status).toBe(401);
    const events = `ws://127.0.0.1:${port}/api/events`;
    expect(await upgradeStatus(events)).toBe(401);
    expect(await upgradeStatus(`${events}?token=wrong`)).toBe(401);
    expect(await upgradeStatus(`${events}?token=${token}`)).toBe(0);
  });

  it('refuses a foreign Origin and a foreign Host (403), and allows no CORS', async () => {
    const evil = await raw('GET', '/api/status', { ...auth(), Origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    expect(evil.headers['access-control-allow-origin']).toBeUndefined();
    const own = await raw('GET', '/api/status', { ...auth(), Origin: `http://localhost:${port}` });
    expect(own.status).toBe(200);
    expect(own.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await raw('OPTIONS', '/api/status', { Origin: 'http://evil.example' });
    expect(preflight.status).toBe(403);
    expect(
      (await raw('GET', '/api/status', { ...auth(), Host: `rebound.example:${port}` })).status,
    ).toBe(403);
    expect((await raw('GET', '/', { Host: 'rebound.example' })).status).toBe(403);
    const events = `ws://127.0.0.1:${port}/api/events?token=${token}`;
    expect(await upgradeStatus(events, { Origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(events, { Origin: `http://127.0.0.1:${port}` })).toBe(0);
  });

  it('sets the security headers on every answer', async () => {
    for (const target of ['/api/status', '/', '/nothing']) {
      const r = await raw('GET', target, auth());
      expect(r.headers['content-security-policy']).toBe(
        "default-src 'self'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
      );
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('no-referrer');
    }
  });
});

describe('control API: validation', () => {
  it('answers bad bodies and parameters with 400 and a clear error', async () => {
    const json = { ...auth(), 'Content-Type': 'application/json' };
    const badJson = await raw('POST', '/api/folders', json, '{"role":');
    expect(badJson.status).toBe(400);
    expect(JSON.parse(badJson.text)).toMatchObject({
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/not valid JSON/) },
    });
    const badSettings = await apiError(
      client.updateSettings('f1', { commitMode: 'three-phase' as 'auto' }),
    );
    expect(badSettings).toMatchObject({ status: 400, code: 'BAD_REQUEST' });
    expect(badSettings.message).toMatch(/commitMode/);
    expect((await raw('GET', '/api/folders/f1/history?limit=ten', auth())).status).toBe(400);
    expect((await raw('GET', '/api/folders/f1/history?color=red', auth())).status).toBe(400);
    expect(
      (await raw('POST', '/api/folders', json, '{"role":"master","path":"relative"}')).status,
    ).toBe(400);
    expect(
      (await raw('POST', '/api/folders/f1/restore', json, '{"path":"../x","version":1}')).status,
    ).toBe(400);
    expect(
      (await raw('POST', '/api/folders', { ...auth(), 'Content-Type': 'text/plain' }, '{}')).status,
    ).toBe(415);
    expect(
      (await raw('POST', '/api/folders', json, JSON.stringify({ pad: 'x'.repeat(70_000) }))).status,
    ).toBe(413);
  });

  it('answers an unknown folder with 404, an unknown endpoint with 404, a wrong method with 405', async () => {
    expect(await apiError(client.folder('nope'))).toMatchObject({
      status: 404,
      code: 'FOLDER_UNKNOWN',
    });
    expect((await apiError(client.history('nope'))).status).toBe(404);
    expect((await apiError(client.diff('nope', { from: 1, to: 1, path: 'a' }))).status).toBe(404);
    expect((await apiError(client.restore('nope', { path: 'a', version: 1 }))).status).toBe(404);
    expect((await apiError(client.version('f1', 99_999))).code).toBe('VERSION_UNKNOWN');
    expect((await raw('GET', '/api/nothing', auth())).status).toBe(404);
    const wrongMethod = await raw('DELETE', '/api/status', auth());
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe('GET');
  });
});

describe('control API: folders and history', () => {
  it('reports status and folder detail', async () => {
    // The master's catch-up rescan after start-up may still run: wait until it is in sync.
    const status = await waitFor(async () => {
      const s = await client.status();
      return s.folders.find((f) => f.id === 'f1')?.state === 'in-sync' && s;
    });
    expect(status.device).toEqual({
      id: daemon.state.device.deviceId,
      name: expect.any(String),
      listen: '127.0.0.1:0',
      listening: `127.0.0.1:${daemon.listenPort}`,
      restartNeeded: false,
    });
    expect(status.daemon.pid).toBe(process.pid);
    const f1 = status.folders.find((f) => f.id === 'f1')!;
    expect(f1).toMatchObject({ role: 'master', path: folder, state: 'in-sync', error: null });
    expect(f1.head).toBeGreaterThanOrEqual(1);
    const detail = await client.folder('f1');
    expect(detail.settings.commitMode).toBeDefined();
    expect(detail.totals?.files).toBeGreaterThanOrEqual(1);
    expect(detail.upstream).toBeNull();
  });

  it('pages through the history, newest first', async () => {
    for (let i = 0; i < 3; i++) await writeAndRecord(`page-${i}.txt`, `page ${i}\n`);
    const latest = await head();
    expect(latest).toBeGreaterThanOrEqual(4);
    const seen: number[] = [];
    let before: number | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await client.history('f1', { limit: 2, ...(before ? { before } : {}) });
      expect(page.versions.length).toBeLessThanOrEqual(2);
      seen.push(...page.versions.map((v) => v.seq));
      if (page.nextBefore === null) break;
      before = page.nextBefore;
    }
    // Newest first, every version once, down to v1 (later versions may have arrived meanwhile).
    expect(seen[0]).toBeGreaterThanOrEqual(latest);
    expect(seen).toEqual(Array.from({ length: seen[0]! }, (_, i) => seen[0]! - i));
  });

  it('diffs an edited text file, lists a version and the changes between two', async () => {
    const a = await writeAndRecord('notes.txt', 'one\ntwo\nthree\n');
    const b = await writeAndRecord('notes.txt', 'one\n2\nthree\n');
    const diff = await client.diff('f1', { from: a, to: b, path: 'notes.txt' });
    expect(diff).toMatchObject({ kind: 'text', path: 'notes.txt', from: a, to: b });
    expect(diff.kind === 'text' && diff.ops).toEqual([
      { kind: 'equal', lines: ['one\n'] },
      { kind: 'delete', lines: ['two\n'] },
      { kind: 'insert', lines: ['2\n'] },
      { kind: 'equal', lines: ['three\n'] },
    ]);
    const created = await client.diff('f1', { from: 0, to: a, path: 'notes.txt' });
    expect(created.before).toBeNull();
    const version = await client.version('f1', b);
    expect(version.operations.map((o) => [o.path, o.op])).toEqual([['notes.txt', 'modify']]);
    const changes = await client.changes('f1', { from: a - 1, to: b });
    expect(changes.changes.map((c) => c.path)).toEqual(['notes.txt']);
    expect((await apiError(client.diff('f1', { from: a, to: b, path: 'never.txt' }))).code).toBe(
      'NOT_A_FILE',
    );
  });

  it('lists the files of a version page by page', async () => {
    await writeAndRecord('list/a.txt', 'a');
    const v = await writeAndRecord('list/b.txt', 'bb');
    const first = await client.files('f1', { version: v, prefix: 'list/', limit: 1 });
    const second = await client.files('f1', { version: v, prefix: 'list/', limit: 1, offset: 1 });
    expect(first.total).toBe(2);
    expect([...first.files, ...second.files].map((f) => [f.path, f.size])).toEqual([
      ['list/a.txt', 1],
      ['list/b.txt', 2],
    ]);
    const older = await client.files('f1', { version: v - 1, prefix: 'list/' });
    expect(older.files.map((f) => f.path)).toEqual(['list/a.txt']);
  });

  it('restores a file and a directory, each as a new version', async () => {
    const a = await writeAndRecord('restore/doc.txt', 'original\n');
    await writeAndRecord('restore/doc.txt', 'changed\n');
    const before = await head();
    const result = await client.restore('f1', { path: 'restore/doc.txt', version: a });
    expect(result.written).toBe(1);
    expect(result.version).toMatchObject({ origin: 'restore' });
    expect(result.version!.seq).toBeGreaterThan(before);
    expect((await entryAtHead('restore/doc.txt'))?.seq).toBe(result.version!.seq);
    expect(readFileSync(path.join(folder, 'restore/doc.txt'), 'utf8')).toBe('original\n');
    expect(
      (await client.restore('f1', { path: 'restore/doc.txt', version: a })).version,
    ).toBeNull();

    await writeAndRecord('restore/sub/x.txt', 'x\n');
    const withDir = await writeAndRecord('restore/sub/y.txt', 'y\n');
    rmSync(path.join(folder, 'restore/sub'), { recursive: true });
    await waitFor(async () => (await entryAtHead('restore/sub')) === undefined, {
      what: 'the deletion of restore/sub to be recorded',
    });
    const dir = await client.restore('f1', { path: 'restore/sub', version: withDir });
    expect(dir).toMatchObject({ written: 3, skipped: [], version: { origin: 'restore' } });
    expect(readFileSync(path.join(folder, 'restore/sub/y.txt'), 'utf8')).toBe('y\n');
    const missing = await apiError(client.restore('f1', { path: 'restore/none.txt', version: a }));
    expect(missing).toMatchObject({ status: 400, code: 'NOT_A_FILE' });
  });

  it('changes settings: persisted, and applied to the next version', async () => {
    const set = await client.updateSettings('f1', { commitMode: 'two-phase' });
    expect(set).toMatchObject({ settings: { commitMode: 'two-phase' }, restartNeeded: false });
    const saved = JSON.parse(readFileSync(statePaths(stateDir).folders, 'utf8')) as {
      folders: { id: string; settings: { commitMode: string } }[];
    };
    expect(saved.folders.find((f) => f.id === 'f1')?.settings.commitMode).toBe('two-phase');
    const v = await writeAndRecord('settings.txt', 'one file');
    expect((await client.version('f1', v)).version).toMatchObject({
      method: '2pc',
      reason: 'folder is set to two-phase',
    });
    expect((await client.updateSettings('f1', { batchQuietMs: 40 })).restartNeeded).toBe(true);
    expect((await client.updateSettings('f1', { commitMode: 'auto' })).settings).toMatchObject({
      commitMode: 'auto',
      batchQuietMs: 40,
    });
  });
});

describe('control API: peers, replicas and the device', () => {
  it('adds a peer, a replica folder following it, shares a folder, renames the device', async () => {
    const grouped = PEER.toLowerCase()
      .match(/.{1,4}/g)!
      .join('-');
    const peer = await client.addPeer({ deviceId: grouped, name: 'nas' });
    expect(peer).toMatchObject({ deviceId: PEER, name: 'nas', connected: false });
    expect((await client.peers()).map((p) => p.deviceId)).toEqual([PEER]);

    const shared = await client.shareFolder('f1', PEER);
    expect(shared.sharedWith).toEqual([PEER]);
    const detail = await client.folder('f1');
    expect(detail.replicas).toEqual([
      {
        deviceId: PEER,
        name: 'nas',
        connected: false,
        version: null,
        connectedAt: null,
        lag: null,
      },
    ]);

    const replicaPath = path.join(base, 'replica');
    const added = await client.addFolder({
      role: 'replica',
      path: replicaPath,
      id: 'r1',
      upstreams: [PEER],
    });
    expect(added).toMatchObject({ id: 'r1', role: 'replica', upstreams: [PEER] });
    const r1 = await waitFor(
      async () =>
        (await client.status()).folders.find((f) => f.id === 'r1' && f.state === 'offline'),
      { what: 'replica r1 to be open (and offline)' },
    );
    expect(r1.role).toBe('replica');
    expect((await client.folder('r1')).upstream).toMatchObject({
      deviceId: PEER,
      connected: false,
    });
    expect(await apiError(client.restore('r1', { path: 'a.txt', version: 1 }))).toMatchObject({
      status: 409,
      code: 'NOT_MASTER',
    });
    expect((await apiError(client.updateSettings('r1', { commitMode: 'auto' }))).code).toBe(
      'NOT_MASTER',
    );
    expect((await apiError(client.addFolder({ role: 'master', path: replicaPath }))).status).toBe(
      409,
    );

    const renamed = await client.updateDevice({ name: '  renamed  ' });
    expect(renamed).toEqual({
      id: daemon.state.device.deviceId,
      name: 'renamed',
      listen: '127.0.0.1:0',
      restartNeeded: false,
    });
    expect((await client.status()).device.name).toBe('renamed');
    expect(DeviceState.open(stateDir).device.name).toBe('renamed');

    await client.removePeer(PEER);
    expect(await client.peers()).toEqual([]);
    expect((await client.folder('f1')).sharedWith).toEqual([]);
    expect((await apiError(client.removePeer(PEER))).status).toBe(404);
  });
});

describe('control API: events and static files', () => {
  it('sends a status at once, then a version event when a file is written', async () => {
    const events: ApiEvent[] = [];
    const off = client.subscribe((e) => events.push(e));
    try {
      await waitFor(() => events.some((e) => e.type === 'status'), {
        what: 'the first status event',
      });
      const before = await head();
      writeFileSync(path.join(folder, 'event.txt'), 'live');
      const v = await waitFor(
        () =>
          events.find((e) => e.type === 'version' && e.folder === 'f1' && e.version.seq > before),
        { what: 'a version event' },
      );
      expect(v.type === 'version' && v.version.origin).toBe('watch');
      await client.updateDevice({ name: 'evented' });
      await waitFor(() => events.some((e) => e.type === 'config' && e.what === 'device'), {
        what: 'a config event',
      });
    } finally {
      off();
    }
  });

  it('serves the renderer build with content types, and nothing outside it', async () => {
    const index = await raw('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.text).toContain('Lanfold UI');
    const js = await raw('GET', '/assets/app.js');
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const target of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
    ]) {
      const r = await raw('GET', target);
      expect(r.status, target).toBe(404);
      expect(r.text, target).not.toContain('TOP SECRET');
    }
    expect((await raw('POST', '/', {}, '')).status).toBe(405);
  });

  it('explains how to build the UI when there is no build', async () => {
    const hub = new ApiEventHub(silentLogger);
    const server = new ApiServer({
      backend: daemon,
      hub,
      token,
      logger: silentLogger,
      staticDir: path.join(base, 'no-ui'),
    });
    try {
      const other = await server.listen('127.0.0.1:0');
      const page = await fetch(`http://127.0.0.1:${other}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('npm run build:renderer');
      expect((await fetch(`http://127.0.0.1:${other}/app.js`)).status).toBe(404);
    } finally {
      await server.close();
      hub.close();
    }
  });
});
