import { describe, expect, it } from 'vitest';
import { BufferPool } from '../../../main/engine/buffer-pool.js';

describe('BufferPool', () => {
  it('lends a buffer of the asked size and reuses it once released', () => {
    const pool = new BufferPool(1024, 2);
    const a = pool.take(100);
    expect(a.length).toBe(100);
    expect(a.buffer.byteLength).toBe(1024);
    a.fill(1);
    pool.release(a.subarray(10, 20)); // a view into the buffer gives it back as well
    expect(pool.idle).toBe(1);
    const b = pool.take(1024);
    expect(b.buffer).toBe(a.buffer);
    expect(pool.idle).toBe(0);
  });

  it('never hands out a buffer twice when it is released twice', () => {
    const pool = new BufferPool(64, 4);
    const a = pool.take(64);
    pool.release(a);
    pool.release(a);
    expect(pool.idle).toBe(1);
    const b = pool.take(64);
    const c = pool.take(64);
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(b.buffer);
    // a released buffer lent again is released by its new holder only once as well
    pool.release(a);
    pool.release(b);
    expect(pool.idle).toBe(1);
  });

  it('ignores buffers it did not lend, and lends larger requests a buffer of their own', () => {
    const pool = new BufferPool(64, 4);
    pool.release(Buffer.alloc(64));
    pool.release(Buffer.allocUnsafe(10));
    expect(pool.idle).toBe(0);
    const big = pool.take(65);
    expect(big.length).toBe(65);
    pool.release(big);
    expect(pool.idle).toBe(0);
  });

  it('takes a shared buffer back after each holder released its piece once', () => {
    const pool = new BufferPool(64, 4);
    const a = pool.take(60);
    pool.share(a, 3);
    const pieces = [a.subarray(0, 20), a.subarray(20, 40), a.subarray(40, 60)];
    pool.release(pieces[0]!);
    pool.release(pieces[1]!);
    expect(pool.idle).toBe(0); // the third piece is still being read
    pool.release(pieces[2]!);
    expect(pool.idle).toBe(1);
    // Sharing a buffer the pool did not lend changes nothing.
    const foreign = Buffer.alloc(64);
    pool.share(foreign, 2);
    pool.release(foreign);
    expect(pool.idle).toBe(1);
  });

  it('keeps at most maxFree buffers for reuse', () => {
    const pool = new BufferPool(16, 2);
    const lent = [pool.take(16), pool.take(16), pool.take(16)];
    for (const b of lent) pool.release(b);
    expect(pool.idle).toBe(2);
  });
});
