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
});
