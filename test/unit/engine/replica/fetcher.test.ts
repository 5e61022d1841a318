import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../main/engine/clock.js';
import { FETCH_WINDOW_BYTES, Fetcher, LinkLost } from '../../../../main/engine/replica/fetcher.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import { memoryLinkPair } from '../../../../main/protocol/link.js';
import type { Message } from '../../../../main/protocol/messages.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest();

function setup(stallMs = 1000) {
  const clock = new ManualClock(0);
  const [replicaSide, masterSide] = memoryLinkPair(
    { deviceId: 'R', name: 'replica' },
    { deviceId: 'M', name: 'master' },
  );
  const requests: Extract<Message, { t: 'get' }>[] = [];
  masterSide.onMessage((m) => {
    if (m.t === 'get') requests.push(m);
  });
  const fetcher = new Fetcher(replicaSide, 'f1', clock, 4 * 1024 * 1024, stallMs);
  const closed: string[] = [];
  replicaSide.onClose((reason) => closed.push(reason));
  const fetch = (data: Buffer, index = 0) =>
    fetcher.fetch({
      path: toRelPath('a.bin'),
      version: 1,
      index,
      chunk: { hash: sha(data), fast: 0n, size: data.length },
    });
  const tick = () => new Promise((r) => setImmediate(r));
  return { clock, fetcher, requests, closed, fetch, tick, replicaSide };
}

describe('Fetcher', () => {
  it('keeps 4 MiB of requests in flight by default (within the documented 16 MiB), and no more', async () => {
    const [replicaSide, masterSide] = memoryLinkPair(
      { deviceId: 'R', name: 'replica' },
      { deviceId: 'M', name: 'master' },
    );
    const requests: Extract<Message, { t: 'get' }>[] = [];
    masterSide.onMessage((m) => {
      if (m.t === 'get') requests.push(m);
    });
    const fetcher = new Fetcher(replicaSide, 'f1', new ManualClock(0));
    expect(FETCH_WINDOW_BYTES).toBe(4 * 1024 * 1024);
    const size = 1024 * 1024;
    for (let i = 0; i < 20; i++)
      fetcher
        .fetch({
          path: toRelPath('big.bin'),
          version: 1,
          index: i,
          chunk: { hash: Buffer.alloc(32, i), fast: 0n, size },
        })
        .catch(() => undefined);
    await new Promise((r) => setImmediate(r));
    expect(requests).toHaveLength(4);
    fetcher.abort('done');
  });

  it('resolves with verified bytes and rejects bytes that do not match', async () => {
    const { fetcher, requests, fetch, tick } = setup();
    const good = Buffer.from('good chunk');
    const p1 = fetch(good, 0);
    const p2 = fetch(Buffer.from('expected'), 1);
    await tick();
    expect(requests.map((r) => r.index)).toEqual([0, 1]);
    fetcher.onAnswer(requests[0]!.id, good);
    fetcher.onAnswer(requests[1]!.id, Buffer.from('forged!!'));
    expect((await p1).equals(good)).toBe(true);
    await expect(p2).rejects.toThrow(/did not match/);
  });

  it('closes a link on which no answer arrives for the stall time, failing what is pending', async () => {
    const { clock, fetcher, requests, closed, fetch, tick } = setup(1000);
    const a = Buffer.from('a');
    const first = fetch(a, 0);
    const second = fetch(Buffer.from('b'), 1);
    const secondFails = expect(second).rejects.toBeInstanceOf(LinkLost);
    await tick();
    clock.advance(900);
    fetcher.onAnswer(requests[0]!.id, a); // progress: the clock starts again
    expect((await first).equals(a)).toBe(true);
    clock.advance(900);
    expect(closed).toEqual([]);
    clock.advance(100);
    await tick();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatch(/stalled/);
    await secondFails;
  });

  it('does not watch an idle link', async () => {
    const { clock, fetcher, requests, closed, fetch, tick } = setup(1000);
    const a = Buffer.from('a');
    const p = fetch(a);
    await tick();
    fetcher.onAnswer(requests[0]!.id, a);
    await p;
    clock.advance(10_000);
    expect(closed).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('asks for a run of chunks with one get and checks every chunk of the answer', async () => {
    const { fetcher, requests, tick } = setup();
    const parts = [Buffer.from('first chunk'), Buffer.from('second'), Buffer.from('third one')];
    const run = (index: number, bytes: Buffer[]) =>
      fetcher.fetchRun({
        path: toRelPath('a.bin'),
        version: 3,
        index,
        chunks: bytes.map((b) => ({ hash: sha(b), fast: 0n, size: b.length })),
      });
    const whole = run(5, parts);
    const forged = run(8, parts);
    const single = run(11, [parts[0]!]);
    await tick();
    expect(requests.map((r) => [r.index, r.count, r.hash])).toEqual([
      [5, 3, sha(parts[0]!).toString('hex')],
      [8, 3, sha(parts[0]!).toString('hex')],
      // One chunk is asked for as protocol 1 did: no count.
      [11, undefined, sha(parts[0]!).toString('hex')],
    ]);
    fetcher.onAnswer(requests[0]!.id, Buffer.concat(parts));
    // Same length, but the middle chunk is not the one asked for.
    fetcher.onAnswer(requests[1]!.id, Buffer.concat([parts[0]!, Buffer.from('SECOND'), parts[2]!]));
    fetcher.onAnswer(requests[2]!.id, parts[0]);
    expect((await whole).equals(Buffer.concat(parts))).toBe(true);
    await expect(forged).rejects.toThrow(/did not match/);
    expect((await single).equals(parts[0]!)).toBe(true);
    expect(fetcher.received).toBe(Buffer.concat(parts).length + parts[0]!.length);
  });

  it('refuses to ask for an empty run, more than 256 chunks, or more than 1 MiB', async () => {
    const { fetcher, requests, tick } = setup();
    const chunk = (size: number) => ({ hash: Buffer.alloc(32, 1), fast: 0n, size });
    const ask = (chunks: ReturnType<typeof chunk>[]) =>
      fetcher.fetchRun({ path: toRelPath('a.bin'), version: 1, index: 0, chunks });
    await expect(ask([])).rejects.toThrow(/not requestable/);
    await expect(ask(Array.from({ length: 257 }, () => chunk(10)))).rejects.toThrow(
      /not requestable/,
    );
    await expect(ask([chunk(1024 * 1024), chunk(1)])).rejects.toThrow(/not requestable/);
    await tick();
    expect(requests).toEqual([]);
  });

  it('counts a run by its bytes against the window', async () => {
    const { fetcher, requests, tick } = setup();
    const mib = (i: number) => ({ hash: Buffer.alloc(32, i), fast: 0n, size: 512 * 1024 });
    for (let i = 0; i < 6; i++)
      fetcher
        .fetchRun({
          path: toRelPath('big.bin'),
          version: 1,
          index: 2 * i,
          chunks: [mib(i), mib(i)],
        })
        .catch(() => undefined);
    await tick();
    // Six runs of 1 MiB; the 4 MiB window holds four.
    expect(requests.map((r) => r.index)).toEqual([0, 2, 4, 6]);
    fetcher.onAnswer(requests[0]!.id, undefined, 'gone');
    await tick();
    expect(requests.map((r) => r.index)).toEqual([0, 2, 4, 6, 8]);
    fetcher.abort('done');
  });
});
