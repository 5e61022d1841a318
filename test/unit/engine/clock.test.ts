import { describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../../main/engine/clock.js';

describe('ManualClock', () => {
  it('moves time only when advanced', () => {
    const clock = new ManualClock(500);
    expect(clock.now()).toBe(500);
    clock.advance(25);
    expect(clock.now()).toBe(525);
  });

  it('fires timers in time order, ties in the order they were set, at their own time', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`late@${clock.now()}`), 31);
    clock.advance(30);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(30);
    expect(clock.pending()).toBe(1);
    clock.advance(1);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20', 'late@31']);
    expect(clock.pending()).toBe(0);
  });

  it('fires timers set by a timer when they fall within the same advance', () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 10);
    clock.advance(15);
    expect(fired).toEqual([10, 15]);
  });

  it('never fires a cancelled timer, and treats a negative delay as zero', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    const t = clock.setTimeout(() => fired.push('cancelled'), 10);
    clock.setTimeout(() => fired.push('now'), -50);
    t.cancel();
    t.cancel();
    expect(clock.pending()).toBe(1);
    clock.advance(0);
    expect(fired).toEqual(['now']);
    clock.advance(100);
    expect(fired).toEqual(['now']);
  });
});

describe('systemClock', () => {
  it('reads the wall clock and runs real timers that can be cancelled', async () => {
    const before = Date.now();
    expect(systemClock.now()).toBeGreaterThanOrEqual(before);
    let cancelledFired = false;
    systemClock.setTimeout(() => (cancelledFired = true), 1).cancel();
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 5));
    expect(cancelledFired).toBe(false);
  });
});
