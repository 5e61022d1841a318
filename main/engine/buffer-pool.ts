/**
 * Reusable buffers for the bulk path of a transfer: chunk runs the master reads to serve,
 * and the frames that carry them into a replica. A fresh 1 MiB buffer for every run costs
 * page faults on every use (the allocator hands large freed blocks back to the system, so
 * each new one is fresh memory): on the development machine filling fresh 1 MiB buffers
 * took ~30× as long as filling one kept buffer, and the external memory drove most of a
 * transfer's garbage collections.
 *
 * A buffer is lent with `take` and comes back with `release`, called by whoever knows the
 * bytes are no longer read (the staged file was written, the socket took the frame). A
 * buffer never released is simply garbage; `release` of anything not lent is ignored, so a
 * view released twice, or a buffer that never came from here, is harmless. A buffer cut in
 * pieces for several holders (`share`) comes back after each of them released its piece
 * once.
 */
export class BufferPool {
  private readonly free: ArrayBuffer[] = [];
  /** Lent blocks, with the releases each still waits for. */
  private readonly lent = new WeakMap<ArrayBufferLike, number>();

  constructor(
    /** Bytes of each pooled buffer; larger requests get a buffer of their own. */
    readonly capacity: number,
    /** Buffers kept for reuse at most (the rest go to the garbage collector). */
    private readonly maxFree: number,
  ) {}

  /** A buffer of `size` bytes, contents undefined. */
  take(size: number): Buffer {
    if (size > this.capacity) return Buffer.allocUnsafeSlow(size);
    // A new block is not zero-filled (a frame that is never given back, such as a delta part
    // whose inline files are kept until the apply, then costs what a fresh frame always did);
    // callers only ever see the `size` bytes they asked for and then filled.
    const block = this.free.pop() ?? Buffer.allocUnsafeSlow(this.capacity).buffer;
    this.lent.set(block, 1);
    return Buffer.from(block, 0, size);
  }

  /**
   * Splits the loan of the buffer `view` lies in among `holders`, each of which releases
   * its own piece once: the buffer comes back with the last of those releases.
   */
  share(view: Uint8Array, holders: number): void {
    if (this.lent.has(view.buffer)) this.lent.set(view.buffer, Math.max(1, holders));
  }

  /** Gives back the buffer `view` lies in (or one holder's piece of it); nothing may read or write it afterwards. */
  release(view: Uint8Array): void {
    const block = view.buffer;
    const waiting = this.lent.get(block);
    if (waiting === undefined) return;
    if (waiting > 1) {
      this.lent.set(block, waiting - 1);
      return;
    }
    this.lent.delete(block);
    if (this.free.length < this.maxFree) this.free.push(block as ArrayBuffer);
  }

  /** Buffers waiting to be reused (tests). */
  get idle(): number {
    return this.free.length;
  }
}

/**
 * The process's pool for chunk runs and the frames that carry them: room for a run of
 * MAX_CHUNK_BYTES (1 MiB) and its message header; 16 kept, more than a fetch window's worth.
 */
export const bulkBuffers = new BufferPool(1024 * 1024 + 4096, 16);

/**
 * Frames over a run's size that can be given back: a delta's parts (up to 4 MiB of entries
 * and inline files), which the replica returns once it staged every inline file of the part.
 * Without reuse each part was fresh memory: on the 20,000-file set, copying the parts into
 * fresh frames took ~0.57 s of the replica's main thread, mostly page faults.
 */
export const frameBuffers = new BufferPool(8 * 1024 * 1024, 2);
