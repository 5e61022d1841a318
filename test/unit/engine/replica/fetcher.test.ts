import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../main/engine/clock.js';
import { bulkBuffers } from '../../../../main/engine/buffer-pool.js';
import {
  ChunkUnavailable,
  FETCH_WINDOW_BYTES,
  Fetcher,
  LinkLost,
} from '../../../../main/engine/replica/fetcher.js';
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
    await tick(); // asked for apart: two gets (see 'batched gets' for runs asked for together)
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
    await tick();
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
    await tick();
    const forged = run(8, parts);
    await tick();
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

  describe('batched gets', () => {
    const MIB = 1024 * 1024;
    /** Fills the 4 MiB window with runs of big.bin, of 1 MiB each unless `sizes` says. */
    function fillWindow(fetcher: Fetcher, sizes = [MIB, MIB, MIB, MIB]) {
      for (const [i, size] of sizes.entries())
        fetcher
          .fetchRun({
            path: toRelPath('big.bin'),
            version: 1,
            index: i,
            chunks: [{ hash: Buffer.alloc(32, i), fast: 0n, size }],
          })
          .catch(() => undefined);
    }
    /** The paths a get asks for, in order. */
    const pathsOf = (get: Extract<Message, { t: 'get' }>) => [
      get.path,
      ...(get.more ?? []).map((r) => r.path),
    ];
    const small = (fetcher: Fetcher, name: string, data: Buffer, version = 1) =>
      fetcher.fetchRun({
        path: toRelPath(name),
        version,
        index: 0,
        chunks: [{ hash: sha(data), fast: 0n, size: data.length }],
      });

    it('asks for runs that wait together with one get once a whole run fits the window', async () => {
      const { fetcher, requests, tick } = setup();
      fillWindow(fetcher, [MIB, MIB, MIB, 900 * 1024]); // 124 KiB of the window left
      await tick();
      const files = ['a', 'b', 'c'].map((n) => Buffer.alloc(50 * 1024, n));
      const got = files.map((f, i) => small(fetcher, `${'abc'[i]}.txt`, f));
      await tick();
      // a.txt alone would fit, but the three together make a better get once room comes.
      expect(requests).toHaveLength(4);
      fetcher.onAnswer(requests[3]!.id, undefined, 'gone');
      await tick();
      expect(requests).toHaveLength(5);
      const batch = requests[4]!;
      expect(pathsOf(batch)).toEqual(['a.txt', 'b.txt', 'c.txt']);
      fetcher.onAnswer(batch.id, Buffer.concat(files));
      const bytes = await Promise.all(got);
      expect(bytes.map((b, i) => b.equals(files[i]!))).toEqual([true, true, true]);
      fetcher.abort('done');
    });

    it('splits a batched answer by run, checks each run, and fails only a run that does not match', async () => {
      const { fetcher, requests, tick } = setup();
      fillWindow(fetcher);
      const files = [Buffer.from('first file'), Buffer.from('second'), Buffer.from('third file!')];
      const got = files.map((f, i) => small(fetcher, `f${i}.txt`, f));
      for (const g of got) g.catch(() => undefined);
      await tick();
      expect(requests).toHaveLength(4);
      fetcher.onAnswer(requests[3]!.id, Buffer.alloc(MIB)); // not big.bin's chunk: that run fails
      await tick();
      expect(requests).toHaveLength(5);
      const batch = requests[4]!;
      expect(pathsOf(batch)).toEqual(['f0.txt', 'f1.txt', 'f2.txt']);
      expect(batch.more?.map((r) => r.hash)).toEqual([
        sha(files[1]!).toString('hex'),
        sha(files[2]!).toString('hex'),
      ]);
      fetcher.onAnswer(batch.id, Buffer.concat([files[0]!, Buffer.from('SECOND'), files[2]!]));
      expect((await got[0]!).equals(files[0]!)).toBe(true);
      await expect(got[1]!).rejects.toThrow(/did not match/);
      expect((await got[2]!).equals(files[2]!)).toBe(true);
      fetcher.abort('done');
    });

    /** Two small runs asked for while the window is full, then sent as one get once room comes. */
    async function batchOfTwo(files: [Buffer, Buffer]) {
      const { fetcher, requests, tick } = setup();
      fillWindow(fetcher);
      const got = files.map((f, i) => small(fetcher, `f${i}.txt`, f));
      for (const g of got) g.catch(() => undefined);
      await tick();
      fetcher.onAnswer(requests[0]!.id, undefined, 'gone');
      await tick();
      // The gone 1 MiB run went alone; the two small ones wait for a whole run of room.
      fetcher.onAnswer(requests[1]!.id, undefined, 'gone');
      await tick();
      const batch = requests.find((r) => r.path === 'f0.txt')!;
      expect(batch.more?.map((r) => r.path)).toEqual(['f1.txt']);
      /** The runs asked for on their own after the batch. */
      const alone = () => requests.filter((r) => r.path.startsWith('f') && r !== batch);
      return { fetcher, tick, got, batch, alone };
    }

    it('asks for each run of a batch on its own when the upstream cannot serve them all', async () => {
      const files: [Buffer, Buffer] = [Buffer.from('kept'), Buffer.from('superseded')];
      const { fetcher, tick, got, batch, alone } = await batchOfTwo(files);
      fetcher.onAnswer(batch.id, undefined, 'superseded');
      await tick();
      expect(alone().map((r) => [r.path, r.more])).toEqual([
        ['f0.txt', undefined],
        ['f1.txt', undefined],
      ]);
      fetcher.onAnswer(alone()[0]!.id, files[0]);
      fetcher.onAnswer(alone()[1]!.id, undefined, 'superseded');
      expect((await got[0]!).equals(files[0])).toBe(true);
      await expect(got[1]!).rejects.toBeInstanceOf(ChunkUnavailable);
      fetcher.abort('done');
    });

    it('asks for each run on its own when a batched answer has the wrong length (a file changed upstream)', async () => {
      const files: [Buffer, Buffer] = [
        Buffer.from('changed upstream'),
        Buffer.from('still the same'),
      ];
      const { fetcher, tick, got, batch, alone } = await batchOfTwo(files);
      // The head's f0.txt is longer now: every byte after it is shifted.
      fetcher.onAnswer(batch.id, Buffer.concat([Buffer.from('changed upstream!!'), files[1]]));
      await tick();
      expect(alone().map((r) => [r.path, r.more])).toEqual([
        ['f0.txt', undefined],
        ['f1.txt', undefined],
      ]);
      fetcher.onAnswer(alone()[0]!.id, Buffer.from('changed upstream!!'));
      fetcher.onAnswer(alone()[1]!.id, files[1]);
      await expect(got[0]!).rejects.toThrow(/did not match/);
      expect((await got[1]!).equals(files[1])).toBe(true);
      fetcher.abort('done');
    });

    it('never batches runs of different versions, nor past 1 MiB', async () => {
      const { fetcher, requests, tick } = setup();
      fillWindow(fetcher);
      const half = Buffer.alloc(600 * 1024, 7);
      const runs = [
        small(fetcher, 'v1.txt', Buffer.from('one')),
        small(fetcher, 'v2.txt', Buffer.from('two'), 2),
        small(fetcher, 'h1.bin', half, 2),
        small(fetcher, 'h2.bin', half, 2),
      ];
      for (const r of runs) r.catch(() => undefined);
      await tick();
      for (let i = 0; i < 4; i++) fetcher.onAnswer(requests[i]!.id, undefined, 'gone');
      await tick();
      const asked = requests.filter((r) => r.path !== 'big.bin').map(pathsOf);
      expect(asked).toEqual([['v1.txt'], ['v2.txt', 'h1.bin'], ['h2.bin']]);
      fetcher.abort('done');
    });

    it('lets each run of a pooled answer release its own piece', async () => {
      const { fetcher, requests, tick } = setup();
      fillWindow(fetcher);
      const files = [Buffer.alloc(100 * 1024, 1), Buffer.alloc(200 * 1024, 2)];
      const got = files.map((f, i) => small(fetcher, `p${i}.bin`, f));
      await tick();
      fetcher.onAnswer(requests[0]!.id, undefined, 'gone');
      await tick();
      const batch = requests.find((r) => r.path === 'p0.bin')!;
      const frame = bulkBuffers.take(files[0]!.length + files[1]!.length);
      files[0]!.copy(frame, 0);
      files[1]!.copy(frame, files[0]!.length);
      const idle = bulkBuffers.idle;
      fetcher.onAnswer(batch.id, frame);
      const [a, b] = await Promise.all(got);
      bulkBuffers.release(a!);
      expect(bulkBuffers.idle).toBe(idle); // b still reads the frame
      expect(b!.equals(files[1]!)).toBe(true);
      bulkBuffers.release(b!);
      expect(bulkBuffers.idle).toBe(idle + 1);
      fetcher.abort('done');
    });
  });
});
