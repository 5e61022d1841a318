import { describe, expect, it } from 'vitest';
import type { ResponseOf } from '../../../main/api/contract.js';
import { ApiHttpError } from '../../../main/daemon/api/http.js';
import {
  matchRoute,
  runRoute,
  type Implementations,
  type RouteMatch,
} from '../../../main/daemon/api/routes.js';

const version = {
  seq: 7,
  epoch: 1,
  createdAt: 1,
  method: '1pc',
  reason: 'one file changed',
  origin: 'watch',
  changes: 1,
  bytes: 0,
  commit: null,
} as const;

function fail(): never {
  throw new Error('not called in this test');
}

/** Implementations that record their input; `history` and `restore` answer. */
function fakeImpl(calls: unknown[], historyAnswer?: ResponseOf<'history'>): Implementations {
  const record =
    <T>(answer: T) =>
    (input: unknown): T => {
      calls.push(input);
      return answer;
    };
  return {
    status: fail,
    folder: fail,
    history: record(
      historyAnswer ?? { folder: 'f1', head: 7, versions: [version], nextBefore: null },
    ),
    version: fail,
    changes: fail,
    diff: fail,
    files: fail,
    addFolder: fail,
    shareFolder: fail,
    updateSettings: fail,
    restore: record({ written: 1, skipped: [], version }),
    pauseFolder: record({ changed: ['f1'], folders: [{ id: 'f1', paused: true }] }),
    resumeFolder: fail,
    pauseAll: record({ changed: [], folders: [] }),
    resumeAll: fail,
    resolveLocalChange: record({ path: 'a.txt', action: 'keep', done: 'Kept' }),
    resolveConflict: fail,
    approveDeletion: record({ folder: 'f1', version: 7, verdict: 'approve', done: 'Approved' }),
    rejectDeletion: fail,
    peers: fail,
    addPeer: fail,
    removePeer: fail,
    updateDevice: fail,
    devices: fail,
    createInvite: fail,
    inviteStatus: fail,
    cancelInvite: fail,
    joinPairing: fail,
    offers: fail,
    acceptOffer: fail,
  };
}

function match(method: string, path: string): RouteMatch {
  const m = matchRoute(method, path);
  if (!m || 'allowed' in m) throw new Error(`no route for ${method} ${path}`);
  return m;
}

async function rejection(p: Promise<unknown>): Promise<ApiHttpError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiHttpError);
  return err as ApiHttpError;
}

describe('matchRoute', () => {
  it('finds endpoints and decodes their path parameters', () => {
    expect(match('GET', '/api/status').name).toBe('status');
    const v = match('GET', '/api/folders/my%20docs/versions/12');
    expect(v.name).toBe('version');
    expect(v.params).toEqual({ id: 'my docs', version: '12' });
    expect(match('DELETE', '/api/peers/ABC').params).toEqual({ deviceId: 'ABC' });
  });

  it('tells a wrong method from an unknown path', () => {
    expect(matchRoute('DELETE', '/api/folders/f1')).toEqual({ allowed: ['GET'] });
    expect(matchRoute('PUT', '/api/peers')).toEqual({ allowed: ['GET', 'POST'] });
    expect(matchRoute('GET', '/api/nothing')).toBeUndefined();
    expect(matchRoute('GET', '/api/folders//history')).toBeUndefined();
    expect(matchRoute('GET', '/api/folders/f1/history/extra')).toBeUndefined();
  });

  it('refuses a bad escape with 400', () => {
    expect(() => matchRoute('GET', '/api/folders/%E0%A4%A/history')).toThrow(ApiHttpError);
  });
});

describe('runRoute', () => {
  it('hands the implementation parsed values and checks its answer', async () => {
    const calls: unknown[] = [];
    const answer = await runRoute(
      fakeImpl(calls),
      match('GET', '/api/folders/f1/history'),
      new URLSearchParams('limit=5&before=9'),
      undefined,
    );
    expect(calls).toEqual([
      { params: { id: 'f1' }, query: { limit: 5, before: 9 }, body: undefined },
    ]);
    expect(answer).toMatchObject({ head: 7, nextBefore: null });
  });

  it.each([
    ['a word for a number', 'limit=ten', /limit.*whole number/],
    ['zero as a limit', 'limit=0', /limit/],
    ['a limit over 1000', 'limit=1001', /limit/],
    ['an unknown parameter', 'limit=5&colour=red', /colour/],
    ['a parameter given twice', 'limit=5&limit=6', /twice/],
  ])('refuses %s with 400', async (_name, qs, message) => {
    const err = await rejection(
      runRoute(
        fakeImpl([]),
        match('GET', '/api/folders/f1/history'),
        new URLSearchParams(qs),
        undefined,
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  it('refuses a malformed folder ID in the path with 400', async () => {
    const err = await rejection(
      runRoute(
        fakeImpl([]),
        match('GET', '/api/folders/..%2Fup/history'),
        new URLSearchParams(),
        undefined,
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/path parameter at "id"/);
  });

  it.each([
    ['no body', undefined, /needs a JSON body/],
    ['a body that is not an object', [1, 2], /Invalid body/],
    ['a missing field', { path: 'a.txt' }, /Invalid body at "version"/],
    ['a version of 0', { path: 'a.txt', version: 0 }, /version/],
    ['an unknown field', { path: 'a.txt', version: 1, force: true }, /force/],
  ])('refuses a restore with %s', async (_name, body, message) => {
    const err = await rejection(
      runRoute(fakeImpl([]), match('POST', '/api/folders/f1/restore'), new URLSearchParams(), body),
    );
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  it('refuses a body where none is taken', async () => {
    const err = await rejection(
      runRoute(fakeImpl([]), match('GET', '/api/folders/f1/history'), new URLSearchParams(), {}),
    );
    expect(err.message).toMatch(/takes no body/);
  });

  it('routes pausing one folder or the whole device, which take no body', async () => {
    const calls: unknown[] = [];
    const impl = fakeImpl(calls);
    expect(match('POST', '/api/folders/f1/pause').name).toBe('pauseFolder');
    expect(match('POST', '/api/resume').name).toBe('resumeAll');
    const one = await runRoute(
      impl,
      match('POST', '/api/folders/f1/pause'),
      new URLSearchParams(),
      undefined,
    );
    expect(one).toEqual({ changed: ['f1'], folders: [{ id: 'f1', paused: true }] });
    await runRoute(impl, match('POST', '/api/pause'), new URLSearchParams(), undefined);
    expect(calls).toEqual([
      { params: { id: 'f1' }, query: undefined, body: undefined },
      { params: undefined, query: undefined, body: undefined },
    ]);
    const err = await rejection(
      runRoute(impl, match('POST', '/api/pause'), new URLSearchParams(), { all: true }),
    );
    expect(err.message).toMatch(/takes no body/);
  });

  it.each([
    ['an unknown action', { path: 'a.txt', action: 'delete' }, /action/],
    ['no path', { action: 'keep' }, /path/],
    ['an empty path', { path: '', action: 'keep' }, /path/],
  ])('refuses resolving a local change with %s', async (_name, body, message) => {
    const err = await rejection(
      runRoute(
        fakeImpl([]),
        match('POST', '/api/folders/f1/local-changes/resolve'),
        new URLSearchParams(),
        body,
      ),
    );
    expect(err.status).toBe(400);
    expect(err.message).toMatch(message);
  });

  it('fails when an implementation answers outside the contract', async () => {
    const bad = fakeImpl([], { folder: 'f1', head: -1, versions: [], nextBefore: null });
    await expect(
      runRoute(bad, match('GET', '/api/folders/f1/history'), new URLSearchParams(), undefined),
    ).rejects.toThrow();
  });
});
