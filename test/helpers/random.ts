/** A small seeded pseudo-random generator (mulberry32), so a failing run can be replayed by its seed. */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  bytes(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) out[i] = Math.floor(this.next() * 256);
    return out;
  }

  /** Lines of printable text, about `n` bytes. */
  text(n: number): Buffer {
    const words = [
      'alpha',
      'beta',
      'gamma',
      'delta',
      'lanfold',
      'sync',
      'version',
      'chunk',
      'é',
      '中',
    ];
    const parts: string[] = [];
    let size = 0;
    while (size < n) {
      const w = this.pick(words);
      const sep = this.chance(0.15) ? '\n' : ' ';
      parts.push(w, sep);
      size += Buffer.byteLength(w) + 1;
    }
    return Buffer.from(parts.join('')).subarray(0, n);
  }
}

/** A seed from LANFOLD_SEED, or a fresh one. */
export function seedFromEnv(): number {
  const raw = process.env.LANFOLD_SEED;
  if (raw !== undefined && /^\d+$/.test(raw)) return Number(raw) >>> 0;
  return (Date.now() ^ (process.pid << 16)) >>> 0;
}
