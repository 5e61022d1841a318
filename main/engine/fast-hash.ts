/**
 * The xxhash64 "fast" hash kept per chunk, used only to tell cheaply whether a chunk is unchanged.
 */
import { createXXHash64, type IHasher } from 'hash-wasm';

/**
 * A one-shot xxhash64 over a byte range. The value is the canonical (big-endian) xxhash64
 * digest read as an unsigned 64-bit integer, so it equals `BigInt('0x' + xxhash64(data))`.
 */
export interface FastHasher {
  hash(data: Uint8Array): bigint;
}

let loading: Promise<IHasher> | undefined;

/**
 * Returns the process-wide fast hasher, compiling its WebAssembly module on first use.
 * One instance is shared safely because `hash` runs init, update and digest synchronously:
 * no other caller can interleave with it.
 */
export async function loadFastHasher(): Promise<FastHasher> {
  loading ??= createXXHash64().catch((err: unknown) => {
    // A failed load is not cached, so a later call can try again.
    loading = undefined;
    throw err;
  });
  const hasher = await loading;
  return {
    hash(data: Uint8Array): bigint {
      hasher.init();
      hasher.update(data);
      return digestToBigInt(hasher.digest('binary'));
    },
  };
}

function digestToBigInt(digest: Uint8Array): bigint {
  return Buffer.from(digest.buffer, digest.byteOffset, digest.length).readBigUInt64BE(0);
}
