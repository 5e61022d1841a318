import { describe, expect, it } from 'vitest';
import { loadFastHasher } from '../../../main/engine/fast-hash.js';

describe('loadFastHasher', () => {
  // Reference XXH64 values (seed 0).
  it.each([
    ['', 0xef46db3751d8e999n],
    ['a', 0xd24ec4f1a98c6e5bn],
    ['abc', 0x44bc2cf5ad770999n],
  ])('hashes %j to the canonical xxhash64 value', async (text, value) => {
    const hasher = await loadFastHasher();
    expect(hasher.hash(Buffer.from(text))).toBe(value);
  });

  it('hashes only the bytes of a view, and gives the same value on every call', async () => {
    const hasher = await loadFastHasher();
    const big = Buffer.from('xxabcxx');
    expect(hasher.hash(big.subarray(2, 5))).toBe(0x44bc2cf5ad770999n);
    const other = await loadFastHasher();
    expect(other.hash(Buffer.from('abc'))).toBe(hasher.hash(Buffer.from('abc')));
  });
});
