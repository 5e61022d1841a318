import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  applyTextDelta,
  editsCost,
  makeTextDelta,
} from '../../../../main/engine/replication/text-delta.js';

/** Lines from a small alphabet (so that texts share lines), some with letters outside the BMP. */
const lineArb = fc
  .array(fc.constantFrom('a', 'b', 'é', '中', '😀', ' ', '1'), { maxLength: 6 })
  .map((cs) => `${cs.join('')}\n`);
const textArb = fc.tuple(fc.array(lineArb, { maxLength: 30 }), fc.boolean()).map(([lines, cut]) => {
  const t = lines.join('');
  return cut && t.endsWith('\n') ? t.slice(0, -1) : t;
});

/** Numbered lines of about `bytes` bytes, each distinct. */
function numbered(bytes: number): string[] {
  const lines: string[] = [];
  for (let size = 0, i = 0; size < bytes; i++) {
    const line = `line ${i} ${((i * 7919) % 100_003).toString(36)} lanfold sync\n`;
    lines.push(line);
    size += line.length;
  }
  return lines;
}

describe('makeTextDelta', () => {
  it('gives a script that turns the base into the target', () => {
    fc.assert(
      fc.property(textArb, textArb, (a, b) => {
        const base = Buffer.from(a);
        const edits = makeTextDelta(base, Buffer.from(b));
        expect(edits).toBeDefined();
        expect(applyTextDelta(base, edits!)?.toString()).toBe(b);
      }),
      { numRuns: 500 },
    );
  });

  it('sends a few edited lines of a large file as a small script', () => {
    const lines = numbered(900_000);
    const edited = [...lines];
    edited.splice(100, 1, 'a new line\n');
    edited.splice(9000, 0, 'inserted\n', 'twice\n');
    edited.splice(15_000, 2);
    const a = Buffer.from(lines.join(''));
    const b = Buffer.from(edited.join(''));
    const edits = makeTextDelta(a, b)!;
    expect(applyTextDelta(a, edits)?.equals(b)).toBe(true);
    expect(editsCost(edits)).toBeLessThan(500);
  });

  it('gives up on a file rewritten out of order (it goes as chunks) instead of diffing it at length', () => {
    const lines = numbered(900_000);
    const sorted = [...lines].sort();
    expect(
      makeTextDelta(Buffer.from(lines.join('')), Buffer.from(sorted.join(''))),
    ).toBeUndefined();
  });

  it('keeps refining within its budget and edits whole lines past it, still exactly', () => {
    // Many changed regions of long lines: the first are refined character by character,
    // the rest are replaced whole; the script is right either way.
    const lines = Array.from(
      { length: 300 },
      (_, i) => `${String(i).padStart(4, '0')} ${'x'.repeat(1500)}\n`,
    );
    const changed = lines.map((l, i) => (i % 2 === 0 ? l.replace('xxx', 'yyy') : l));
    const a = Buffer.from(lines.join(''));
    const b = Buffer.from(changed.join(''));
    const edits = makeTextDelta(a, b)!;
    expect(applyTextDelta(a, edits)?.equals(b)).toBe(true);
    const inserted = edits.filter((e) => e[0] === 1).map((e) => e[1]);
    expect(inserted[0]).toBe('yyy');
    expect(inserted.some((s) => s.length > 1500)).toBe(true);
  });
});
