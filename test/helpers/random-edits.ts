/**
 * Small random edits of a folder for convergence tests (seeded): create, rewrite, append to,
 * rename and delete files, some text (text deltas) and some binary, in a few directories.
 */
import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import type { Rng } from './random.js';

const DIRS = ['', 'docs', 'docs/old', 'media'];

export class RandomEdits {
  private next = 0;
  readonly counts = new Map<string, number>();

  constructor(
    private readonly rng: Rng,
    private readonly root: string,
  ) {
    for (const d of DIRS) mkdirSync(path.join(root, d), { recursive: true });
  }

  private files(): string[] {
    const out: string[] = [];
    for (const d of DIRS)
      for (const n of readdirSync(path.join(this.root, d)))
        if (statSync(path.join(this.root, d, n)).isFile()) out.push(d === '' ? n : `${d}/${n}`);
    return out.sort();
  }

  private content(): Buffer {
    return this.rng.chance(0.7)
      ? this.rng.text(this.rng.int(0, 40_000))
      : this.rng.bytes(this.rng.int(1, this.rng.chance(0.2) ? 600_000 : 20_000));
  }

  private count(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  /** Makes one random edit; returns what it did. */
  step(): string {
    const files = this.files();
    const r = this.rng.next();
    const full = (rel: string) => path.join(this.root, rel);
    if (files.length === 0 || r < 0.3) {
      const rel = path.posix.join(this.rng.pick(DIRS), `file ${this.next++}.txt`);
      writeFileSync(full(rel), this.content());
      this.count('create');
      return `create ${rel}`;
    }
    const rel = this.rng.pick(files);
    if (r < 0.5) {
      writeFileSync(full(rel), this.content());
      this.count('rewrite');
      return `rewrite ${rel}`;
    }
    if (r < 0.7) {
      appendFileSync(full(rel), this.rng.text(this.rng.int(1, 2000)));
      this.count('append');
      return `append to ${rel}`;
    }
    if (r < 0.85) {
      const to = path.posix.join(this.rng.pick(DIRS), `moved ${this.next++}.txt`);
      renameSync(full(rel), full(to));
      this.count('rename');
      return `rename ${rel} -> ${to}`;
    }
    unlinkSync(full(rel));
    this.count('delete');
    return `delete ${rel}`;
  }
}
