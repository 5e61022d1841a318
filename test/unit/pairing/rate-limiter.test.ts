import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../main/engine/clock.js';
import { AttemptLimiter } from '../../../main/pairing/rate-limiter.js';

function limiter() {
  const clock = new ManualClock(1_000_000);
  return { clock, limiter: new AttemptLimiter({ maxFailures: 4, windowMs: 60_000, clock }) };
}

describe('AttemptLimiter', () => {
  it('refuses the fifth try within a minute after four failures', () => {
    const { clock, limiter: l } = limiter();
    for (let i = 0; i < 4; i++) {
      expect(l.begin()).toBeDefined();
      clock.advance(1000);
    }
    expect(l.recentFailures()).toBe(4);
    expect(l.begin()).toBeUndefined();
    expect(l.retryAfterMs()).toBe(56_000);
  });

  it('allows tries again once the oldest failure leaves the window', () => {
    const { clock, limiter: l } = limiter();
    for (let i = 0; i < 4; i++) l.begin();
    clock.advance(59_999);
    expect(l.begin()).toBeUndefined();
    clock.advance(1);
    expect(l.begin()).toBeDefined();
  });

  it('counts a try as failed until it succeeds, and forgets a success', () => {
    const { limiter: l } = limiter();
    const t = l.begin()!;
    expect(l.recentFailures()).toBe(1);
    t.succeeded();
    expect(l.recentFailures()).toBe(0);
  });

  it('counts tries running at the same time', () => {
    const { limiter: l } = limiter();
    const open = [l.begin(), l.begin(), l.begin(), l.begin()];
    expect(open.every(Boolean)).toBe(true);
    expect(l.begin()).toBeUndefined();
  });
});
