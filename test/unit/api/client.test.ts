import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../../../main/api/contract.js';
import { LanfoldApiError, LanfoldClient, type WebSocketLike } from '../../../main/api/client.js';

interface Sent {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A fetch that records requests and answers with `status` and `body`. */
function fakeFetch(status: number, body: unknown, sent: Sent[]): typeof fetch {
  return (input, init) => {
    sent.push({
      url: typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      method: init?.method ?? 'GET',
      headers: init?.headers as Record<string, string>,
      body: init?.body as string | undefined,
    });
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return Promise.resolve(new Response(text, { status }));
  };
}

const version = {
  seq: 4,
  epoch: 1,
  createdAt: 1,
  method: 'scan',
  reason: 'first scan of the folder',
  origin: 'initial-scan',
  changes: 2,
  bytes: 10,
} as const;

async function apiError(p: Promise<unknown>): Promise<LanfoldApiError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LanfoldApiError);
  return err as LanfoldApiError;
}

describe('LanfoldClient requests', () => {
  it('sends the token, fills path parameters and the query, and parses the answer', async () => {
    const sent: Sent[] = [];
    const client = new LanfoldClient({
      baseUrl: 'http://127.0.0.1:9/',
      token: 'tok',
      fetch: fakeFetch(
        200,
        {
          folder: 'a b',
          head: 4,
          versions: [{ ...version, commit: null }],
          nextBefore: null,
          extra: 1,
        },
        sent,
      ),
    });
    const h = await client.history('a b', { limit: 10, before: undefined });
    expect(h).toEqual({
      folder: 'a b',
      head: 4,
      versions: [{ ...version, commit: null }],
      nextBefore: null,
    });
    expect(sent).toEqual([
      {
        url: 'http://127.0.0.1:9/api/folders/a%20b/history?limit=10',
        method: 'GET',
        headers: { Authorization: 'Bearer tok' },
        body: undefined,
      },
    ]);
  });

  it('sends bodies as JSON with their content type', async () => {
    const sent: Sent[] = [];
    const client = new LanfoldClient({
      baseUrl: 'http://h:1',
      token: 't',
      fetch: fakeFetch(200, { written: 1, skipped: [], version }, sent),
    });
    await client.restore('f1', { path: 'docs/a.txt', version: 3 });
    expect(sent[0]).toMatchObject({
      url: 'http://h:1/api/folders/f1/restore',
      method: 'POST',
      headers: { Authorization: 'Bearer t', 'Content-Type': 'application/json' },
      body: '{"path":"docs/a.txt","version":3}',
    });
  });

  it('turns an error answer into a LanfoldApiError with status, code and hint', async () => {
    const client = new LanfoldClient({
      baseUrl: 'http://h:1',
      token: 't',
      fetch: fakeFetch(
        404,
        { error: { code: 'FOLDER_UNKNOWN', message: 'No folder "x"', hint: 'known: f1' } },
        [],
      ),
    });
    const err = await apiError(client.folder('x'));
    expect(err).toMatchObject({
      status: 404,
      code: 'FOLDER_UNKNOWN',
      message: 'No folder "x"',
      hint: 'known: f1',
    });
  });

  it('reports an answer that is not an error body', async () => {
    const client = new LanfoldClient({
      baseUrl: 'http://h:1',
      token: 't',
      fetch: fakeFetch(502, 'Bad Gateway', []),
    });
    expect(await apiError(client.status())).toMatchObject({ status: 502, code: 'HTTP_ERROR' });
  });

  it('reports an answer outside the contract', async () => {
    const client = new LanfoldClient({
      baseUrl: 'http://h:1',
      token: 't',
      fetch: fakeFetch(200, { peers: 'none' }, []),
    });
    expect(await apiError(client.peers())).toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('reports an unreachable daemon as status 0, NETWORK', async () => {
    const client = new LanfoldClient({
      baseUrl: 'http://h:1',
      token: 't',
      fetch: () => Promise.reject(new TypeError('fetch failed')),
    });
    expect(await apiError(client.status())).toMatchObject({ status: 0, code: 'NETWORK' });
  });
});

/** A WebSocket double: tests open, message and close it by hand. */
class FakeSocket implements WebSocketLike {
  static made: FakeSocket[] = [];
  readyState = 0;
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  closedWith: number | undefined;

  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }

  open(): void {
    this.readyState = 1;
    (this.onopen as ((e: unknown) => void) | null)?.({});
  }

  receive(data: unknown): void {
    (this.onmessage as ((e: { data: unknown }) => void) | null)?.({ data });
  }

  drop(): void {
    this.readyState = 3;
    (this.onclose as ((e: unknown) => void) | null)?.({});
  }

  close(code?: number): void {
    this.closedWith = code;
    this.drop();
  }
}

describe('LanfoldClient.subscribe', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.made = [];
  });
  afterEach(() => vi.useRealTimers());

  function subscribe(events: ApiEvent[], states: boolean[]): () => void {
    const client = new LanfoldClient({
      baseUrl: 'http://127.0.0.1:7',
      token: 'a b',
      WebSocket: FakeSocket,
      reconnect: { minMs: 100, maxMs: 400 },
    });
    return client.subscribe((e) => events.push(e), { onConnection: (c) => states.push(c) });
  }

  it('connects with the token in the query and passes on valid events only', () => {
    const events: ApiEvent[] = [];
    subscribe(events, []);
    const ws = FakeSocket.made[0]!;
    expect(ws.url).toBe('ws://127.0.0.1:7/api/events?token=a%20b');
    ws.open();
    ws.receive(JSON.stringify({ type: 'config', what: 'peers' }));
    ws.receive('not json');
    ws.receive(JSON.stringify({ type: 'future-event' }));
    ws.receive(Buffer.from('{}'));
    expect(events).toEqual([{ type: 'config', what: 'peers' }]);
  });

  it('reconnects with a growing, bounded delay, reset by a successful connection', () => {
    const states: boolean[] = [];
    subscribe([], states);
    FakeSocket.made[0]!.drop(); // never opened
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = FakeSocket.made.length;
      let waited = 0;
      while (FakeSocket.made.length === before) {
        vi.advanceTimersByTime(50);
        waited += 50;
      }
      delays.push(waited);
      FakeSocket.made.at(-1)!.drop();
    }
    expect(delays).toEqual([100, 200, 400, 400]);
    vi.advanceTimersByTime(400);
    FakeSocket.made.at(-1)!.open();
    FakeSocket.made.at(-1)!.drop();
    const before = FakeSocket.made.length;
    vi.advanceTimersByTime(100);
    expect(FakeSocket.made.length).toBe(before + 1);
    expect(states).toEqual([true, false]);
  });

  it('stops for good when unsubscribed', () => {
    const off = subscribe([], []);
    const ws = FakeSocket.made[0]!;
    ws.open();
    off();
    expect(ws.closedWith).toBe(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.made).toHaveLength(1);
  });
});
