import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../main/engine/clock.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import {
  Batcher,
  DEFAULT_BATCHER_OPTIONS,
  type Batch,
  type BatcherOptions,
} from '../../../../main/engine/watch/batcher.js';

const OPTIONS: BatcherOptions = { quietMs: 30, maxDelayMs: 200 };

function setup(start = 1000, options = OPTIONS) {
  const clock = new ManualClock(start);
  const batches: Batch[] = [];
  const batcher = new Batcher(clock, (b) => batches.push(b), options);
  const touch = (p?: string) => batcher.touch(p === undefined ? undefined : toRelPath(p));
  const paths = (b: Batch | undefined) => [...(b?.paths ?? [])].sort();
  return { clock, batches, batcher, touch, paths };
}

describe('Batcher', () => {
  it('closes a batch once no event arrived for the quiet period', () => {
    const { clock, batches, batcher, touch, paths } = setup();
    touch('a');
    expect(batcher.pending).toBe(true);
    clock.advance(29);
    expect(batches).toHaveLength(0);
    clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(paths(batches[0])).toEqual(['a']);
    expect(batches[0]).toMatchObject({ openedAt: 1000, lastEventAt: 1000, full: false });
    expect(batcher.pending).toBe(false);
    expect(clock.pending()).toBe(0);
  });

  it('restarts the quiet period on every event and gathers all paths', () => {
    const { clock, batches, touch, paths } = setup();
    touch('a');
    clock.advance(20);
    touch('b');
    clock.advance(20);
    touch('a');
    clock.advance(29);
    expect(batches).toHaveLength(0);
    clock.advance(1);
    expect(batches).toHaveLength(1);
    expect(paths(batches[0])).toEqual(['a', 'b']);
    expect(batches[0]).toMatchObject({ openedAt: 1000, lastEventAt: 1040 });
  });

  it('cuts continuous events at the maximum delay', () => {
    const { clock, batches, touch, paths } = setup();
    for (let t = 0; t < 500; t += 10) {
      touch(`f${t}`);
      clock.advance(10);
    }
    // Batches are cut at 200 ms after each opening: events at 0..190 then 200..390.
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches[0]!.openedAt).toBe(1000);
    expect(batches[0]!.lastEventAt).toBe(1190);
    expect(batches[0]!.paths.size).toBe(20);
    expect(batches[1]!.openedAt).toBe(1200);
    expect(paths(batches[1])).toContain('f200');
    for (const b of batches) expect(b.lastEventAt - b.openedAt).toBeLessThan(OPTIONS.maxDelayMs);
    clock.advance(1000);
    const all = batches.flatMap((b) => [...b.paths]);
    expect(all).toHaveLength(50);
    expect(new Set(all).size).toBe(50);
  });

  it('does not let a batch cut by the maximum delay fire again at its old quiet time', () => {
    const { clock, batches, touch } = setup();
    for (let t = 0; t < 200; t += 10) {
      touch('hot');
      clock.advance(10);
    }
    expect(batches).toHaveLength(1);
    clock.advance(1000);
    expect(batches).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('marks a batch full when a path-less event asks for a rescan', () => {
    const { clock, batches, touch, paths } = setup();
    touch('a');
    touch();
    touch('b');
    clock.advance(30);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.full).toBe(true);
    expect(paths(batches[0])).toEqual(['a', 'b']);
  });

  it('opens a batch with only a rescan request', () => {
    const { clock, batches, batcher, touch } = setup();
    touch();
    expect(batcher.pending).toBe(true);
    clock.advance(30);
    expect(batches).toEqual([{ paths: new Set(), openedAt: 1000, lastEventAt: 1000, full: true }]);
  });

  it('starts the next batch clean after a full one', () => {
    const { clock, batches, touch } = setup();
    touch();
    clock.advance(30);
    touch('x');
    clock.advance(30);
    expect(batches.map((b) => b.full)).toEqual([true, false]);
    expect(batches[1]!.openedAt).toBe(1030);
  });

  it('keeps the maximum delay of the first event of a rescan-only batch', () => {
    const { clock, batches, touch } = setup();
    touch();
    for (let i = 0; i < 30; i++) {
      clock.advance(10);
      touch('p');
    }
    expect(batches[0]?.openedAt).toBe(1000);
    expect(batches[0]?.full).toBe(true);
    expect(batches[0]?.lastEventAt).toBeLessThan(1200);
  });

  it('flushes now on demand, and does nothing when empty', () => {
    const { clock, batches, batcher, touch } = setup();
    batcher.flush();
    expect(batches).toHaveLength(0);
    touch('a');
    batcher.flush();
    expect(batches).toHaveLength(1);
    expect(clock.pending()).toBe(0);
    clock.advance(1000);
    expect(batches).toHaveLength(1);
  });

  it('hands each batch its own set of paths', () => {
    const { clock, batches, touch } = setup();
    touch('a');
    clock.advance(30);
    touch('b');
    clock.advance(30);
    expect(batches[0]!.paths).not.toBe(batches[1]!.paths);
    expect([...batches[0]!.paths]).toEqual(['a']);
    expect([...batches[1]!.paths]).toEqual(['b']);
  });

  it('cancels its timers and drops the open batch on dispose', () => {
    const { clock, batches, batcher, touch } = setup();
    touch('a');
    touch();
    expect(clock.pending()).toBe(2);
    batcher.dispose();
    expect(clock.pending()).toBe(0);
    expect(batcher.pending).toBe(false);
    clock.advance(10_000);
    expect(batches).toHaveLength(0);
  });

  it('works again after dispose', () => {
    const { clock, batches, batcher, touch } = setup();
    touch('a');
    batcher.dispose();
    touch('b');
    clock.advance(30);
    expect(batches.map((b) => [...b.paths])).toEqual([['b']]);
    expect(batches[0]!.openedAt).toBe(1000);
  });

  it('holds back a path still being written when the maximum delay cuts the batch', () => {
    const { clock, batches, touch, paths } = setup(1000, { ...OPTIONS, maxHoldMs: 1000 });
    touch('done');
    for (let t = 0; t < 400; t += 10) {
      touch('growing'); // a large file being written: an event every 10 ms
      clock.advance(10);
    }
    // Cut at 200 ms: `done` settled long ago and goes; `growing` is still changing and waits.
    expect(batches.map(paths)).toEqual([['done']]);
    clock.advance(30); // `growing` settles: its own batch, recorded whole
    expect(batches.map(paths)).toEqual([['done'], ['growing']]);
    expect(batches[1]).toMatchObject({ lastEventAt: 1390 });
  });

  it('records a path that never settles once it has been held back maxHoldMs', () => {
    const { clock, batches, touch, paths } = setup(1000, { ...OPTIONS, maxHoldMs: 500 });
    for (let t = 0; t < 800; t += 10) {
      touch('log');
      clock.advance(10);
    }
    expect(batches.length).toBeGreaterThanOrEqual(1);
    expect(paths(batches[0])).toEqual(['log']);
    // Not before it had been changing for maxHoldMs, and not never.
    expect(batches[0]!.lastEventAt).toBeGreaterThanOrEqual(1500);
    expect(batches[0]!.lastEventAt).toBeLessThan(1800);
  });

  it('flushes held-back paths on demand', () => {
    const { clock, batches, batcher, touch, paths } = setup(1000, {
      ...OPTIONS,
      maxHoldMs: 10_000,
    });
    for (let t = 0; t < 300; t += 10) {
      touch('growing');
      clock.advance(10);
    }
    expect(batches).toHaveLength(0);
    batcher.flush();
    expect(batches.map(paths)).toEqual([['growing']]);
    expect(batcher.pending).toBe(false);
  });

  it('accepts events from inside the batch callback', () => {
    const clock = new ManualClock(0);
    const batches: Batch[] = [];
    const batcher = new Batcher(
      clock,
      (b) => {
        batches.push(b);
        if (batches.length === 1) batcher.touch(toRelPath('retry'));
      },
      OPTIONS,
    );
    batcher.touch(toRelPath('first'));
    clock.advance(30);
    expect(batcher.pending).toBe(true);
    clock.advance(30);
    expect(batches.map((b) => [...b.paths])).toEqual([['first'], ['retry']]);
    expect(clock.pending()).toBe(0);
  });

  it('defaults to a 30 ms quiet period, a 2 s maximum delay and a 30 s hold', () => {
    expect(DEFAULT_BATCHER_OPTIONS).toEqual({ quietMs: 30, maxDelayMs: 2000, maxHoldMs: 30_000 });
    const clock = new ManualClock(0);
    const batches: Batch[] = [];
    const batcher = new Batcher(clock, (b) => batches.push(b));
    batcher.touch(toRelPath('settled'));
    for (let i = 0; i < 300; i++) {
      batcher.touch(toRelPath('f'));
      clock.advance(10);
    }
    expect(batches.map((b) => [...b.paths])).toEqual([['settled']]);
    expect(batches[0]?.openedAt).toBe(0);
    clock.advance(30);
    expect(batches.map((b) => [...b.paths])).toEqual([['settled'], ['f']]);
    expect(batches[1]?.lastEventAt).toBe(2990);
  });
});
