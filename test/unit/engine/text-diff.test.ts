import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  diffBuffers,
  diffLines,
  formatUnified,
  looksBinary,
  MAX_TEXT_DIFF_BYTES,
  splitLines,
  type LineOp,
} from '../../../main/engine/text-diff.js';

/** The two texts a line diff goes between: equal+delete lines, and equal+insert lines. */
function sides(ops: readonly LineOp[]): { a: string; b: string } {
  let a = '';
  let b = '';
  for (const op of ops) {
    const text = op.lines.join('');
    if (op.kind !== 'insert') a += text;
    if (op.kind !== 'delete') b += text;
  }
  return { a, b };
}

/**
 * Applies a unified diff (as formatUnified writes it) to `a`, checking every hunk header
 * and context line on the way; returns the patched text.
 */
function applyUnified(a: string, patch: string): string {
  const src = splitLines(a);
  const out: string[] = [];
  let pos = 0;
  const rows = patch.split('\n');
  if (rows.at(-1) === '') rows.pop();
  let i = 0;
  while (i < rows.length) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(rows[i]!);
    if (!header) throw new Error(`expected a hunk header, got ${JSON.stringify(rows[i])}`);
    const [aStart, aCount, bStart, bCount] = header.slice(1).map(Number) as [
      number,
      number,
      number,
      number,
    ];
    const from = aCount === 0 ? aStart : aStart - 1;
    if (from < pos) throw new Error('hunks overlap or go backwards');
    out.push(...src.slice(pos, from));
    expect(out.length).toBe(bCount === 0 ? bStart : bStart - 1);
    pos = from;
    let seenA = 0;
    let seenB = 0;
    i++;
    while (i < rows.length && !rows[i]!.startsWith('@@')) {
      const sign = rows[i]![0];
      let text = rows[i]!.slice(1);
      i++;
      if (rows[i] === '\\ No newline at end of file') i++;
      else text += '\n';
      if (sign === ' ' || sign === '-') {
        expect(src[pos]).toBe(text);
        pos++;
        seenA++;
      }
      if (sign === ' ' || sign === '+') {
        out.push(text);
        seenB++;
      }
      if (sign !== ' ' && sign !== '-' && sign !== '+') throw new Error(`bad row sign ${sign}`);
    }
    expect([seenA, seenB]).toEqual([aCount, bCount]);
  }
  out.push(...src.slice(pos));
  return out.join('');
}

/** Texts built from a few distinct lines, so that diffs have both equal and changed runs. */
const lineArb = fc.constantFrom('a\n', 'b\n', 'c\n', '\n', 'déjà vu\n', 'x\r\n', '🙂\n', 'tail');
const textArb = fc.array(lineArb, { maxLength: 30 }).map((lines) => lines.join(''));
const anyTextArb = fc.oneof(textArb, fc.string({ unit: 'grapheme', maxLength: 60 }));

describe('splitLines', () => {
  const cases: [name: string, text: string, lines: string[]][] = [
    ['an empty text', '', []],
    ['one line', 'a\n', ['a\n']],
    ['a last line without a newline', 'a\nb', ['a\n', 'b']],
    ['blank lines', '\n\n', ['\n', '\n']],
    ['CRLF line ends', 'a\r\nb\r\n', ['a\r\n', 'b\r\n']],
  ];
  it.each(cases)('splits %s', (_name, text, lines) => {
    expect(splitLines(text)).toEqual(lines);
  });
});

describe('diffLines', () => {
  it('gives one equal op for identical texts', () => {
    expect(diffLines('a\nb\n', 'a\nb\n')).toEqual([{ kind: 'equal', lines: ['a\n', 'b\n'] }]);
  });

  it('gives nothing for two empty texts', () => {
    expect(diffLines('', '')).toEqual([]);
  });

  it('finds a changed line between equal ones', () => {
    expect(diffLines('a\nb\nc\n', 'a\nB\nc\n')).toEqual([
      { kind: 'equal', lines: ['a\n'] },
      { kind: 'delete', lines: ['b\n'] },
      { kind: 'insert', lines: ['B\n'] },
      { kind: 'equal', lines: ['c\n'] },
    ]);
  });

  it('tells a missing final newline apart', () => {
    const ops = diffLines('a\nb\n', 'a\nb')!;
    expect(ops).toEqual([
      { kind: 'equal', lines: ['a\n'] },
      { kind: 'delete', lines: ['b\n'] },
      { kind: 'insert', lines: ['b'] },
    ]);
  });

  it('produces ops that turn a into b, never two of a kind in a row', () => {
    fc.assert(
      fc.property(anyTextArb, anyTextArb, (a, b) => {
        const ops = diffLines(a, b);
        expect(ops).toBeDefined();
        expect(sides(ops!)).toEqual({ a, b });
        for (let i = 1; i < ops!.length; i++) expect(ops![i]!.kind).not.toBe(ops![i - 1]!.kind);
        for (const op of ops!) expect(op.lines.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });

  it('gives up (undefined) when the texts have too many distinct lines', () => {
    const many = Array.from({ length: 64_000 }, (_, i) => `${i}\n`).join('');
    expect(diffLines(many, 'x\n')).toBeUndefined();
    expect(diffLines('x\n', many)).toBeUndefined();
  });

  it('handles the largest number of distinct lines it can encode', () => {
    // The first 63230 distinct lines are encoded; lines are shared between both texts.
    const lines = Array.from({ length: 63_230 }, (_, i) => `${i}\n`);
    const a = lines.join('');
    const b = lines.slice(1).join('') + lines[0]!;
    const ops = diffLines(a, b);
    expect(ops).toBeDefined();
    expect(sides(ops!)).toEqual({ a, b });
  });
});

describe('formatUnified', () => {
  const numbered = (n: number, change: (i: number) => string | undefined = () => undefined) =>
    Array.from({ length: n }, (_, i) => `${change(i + 1) ?? i + 1}\n`).join('');

  it('is empty when nothing changed', () => {
    expect(formatUnified(diffLines('a\n', 'a\n')!)).toBe('');
    expect(formatUnified([])).toBe('');
  });

  it('writes one hunk with three lines of context, like diff -u', () => {
    const a = numbered(10);
    const b = numbered(10, (i) => (i === 5 ? 'five' : undefined));
    expect(formatUnified(diffLines(a, b)!, { labelA: 'a.txt', labelB: 'b.txt' })).toBe(
      [
        '--- a.txt',
        '+++ b.txt',
        '@@ -2,7 +2,7 @@',
        ' 2',
        ' 3',
        ' 4',
        '-5',
        '+five',
        ' 6',
        ' 7',
        ' 8',
        '',
      ].join('\n'),
    );
  });

  it('marks lines without a final newline', () => {
    expect(formatUnified(diffLines('x\ny', 'x\nz')!)).toBe(
      [
        '@@ -1,2 +1,2 @@',
        ' x',
        '-y',
        '\\ No newline at end of file',
        '+z',
        '\\ No newline at end of file',
        '',
      ].join('\n'),
    );
  });

  it('writes additions to an empty text and removal of everything', () => {
    expect(formatUnified(diffLines('', 'p\nq\n')!)).toBe('@@ -0,0 +1,2 @@\n+p\n+q\n');
    expect(formatUnified(diffLines('p\nq\n', '')!)).toBe('@@ -1,2 +0,0 @@\n-p\n-q\n');
  });

  it('numbers a pure insertion after the line it follows', () => {
    expect(formatUnified(diffLines('1\n2\n3\n', '1\nx\n2\n3\n')!, { context: 0 })).toBe(
      '@@ -1,0 +2,1 @@\n+x\n',
    );
    expect(formatUnified(diffLines('1\n2\n3\n', '1\n3\n')!, { context: 0 })).toBe(
      '@@ -2,1 +1,0 @@\n-2\n',
    );
  });

  it('merges changes whose contexts touch into one hunk', () => {
    // Changes at lines 2 and 9: 6 unchanged lines between, exactly twice the context.
    const a = numbered(12);
    const merged = numbered(12, (i) => (i === 2 || i === 9 ? `changed ${i}` : undefined));
    const out = formatUnified(diffLines(a, merged)!);
    expect(out.match(/^@@/gm)).toHaveLength(1);
    expect(out.split('\n')[0]).toBe('@@ -1,12 +1,12 @@');
  });

  it('keeps changes further apart in separate hunks', () => {
    // Changes at lines 2 and 10: 7 unchanged lines between.
    const a = numbered(14);
    const split = numbered(14, (i) => (i === 2 || i === 10 ? `changed ${i}` : undefined));
    const out = formatUnified(diffLines(a, split)!);
    expect(out.match(/^@@.*$/gm)).toEqual(['@@ -1,5 +1,5 @@', '@@ -7,7 +7,7 @@']);
  });

  it('uses the requested context', () => {
    const a = numbered(10);
    const b = numbered(10, (i) => (i === 5 ? 'five' : undefined));
    expect(formatUnified(diffLines(a, b)!, { context: 1 })).toBe(
      '@@ -4,3 +4,3 @@\n 4\n-5\n+five\n 6\n',
    );
  });

  it('colours headers, additions and deletions only when asked', () => {
    const ops = diffLines('a\nb\n', 'a\nc\n')!;
    const plain = formatUnified(ops, { labelA: 'x', labelB: 'y' });
    expect(plain).not.toContain('\x1b[');
    const coloured = formatUnified(ops, { color: true, labelA: 'x', labelB: 'y' });
    expect(coloured).toContain('\x1b[1m--- x\x1b[0m');
    expect(coloured).toContain('\x1b[36m@@ -1,2 +1,2 @@\x1b[0m');
    expect(coloured).toContain('\x1b[31m-b\x1b[0m');
    expect(coloured).toContain('\x1b[32m+c\x1b[0m');
    expect(coloured).toContain('\n a\n');
  });

  it('writes hunks that patch a into b, for any context', () => {
    fc.assert(
      fc.property(anyTextArb, anyTextArb, fc.integer({ min: 0, max: 4 }), (a, b, context) => {
        const out = formatUnified(diffLines(a, b)!, { context });
        if (a === b) expect(out).toBe('');
        else expect(applyUnified(a, out)).toBe(b);
      }),
      { numRuns: 500 },
    );
  });
});

describe('looksBinary', () => {
  it('looks for a NUL in the first 8000 bytes only', () => {
    expect(looksBinary(Buffer.from('plain text\n'))).toBe(false);
    expect(looksBinary(Buffer.from([0x41, 0x00, 0x42]))).toBe(true);
    const late = Buffer.alloc(9000, 0x41);
    late[8000] = 0;
    expect(looksBinary(late)).toBe(false);
    late[7999] = 0;
    expect(looksBinary(late)).toBe(true);
  });
});

describe('diffBuffers', () => {
  it('diffs two texts', () => {
    const result = diffBuffers(Buffer.from('a\nb\n'), Buffer.from('a\nc\n'));
    expect(result.kind).toBe('text');
    if (result.kind === 'text') expect(sides(result.ops)).toEqual({ a: 'a\nb\n', b: 'a\nc\n' });
  });

  it('decodes UTF-8 on both sides', () => {
    const result = diffBuffers(Buffer.from('naïve\n'), Buffer.from('naïve café\n'));
    expect(result).toEqual({
      kind: 'text',
      ops: [
        { kind: 'delete', lines: ['naïve\n'] },
        { kind: 'insert', lines: ['naïve café\n'] },
      ],
    });
  });

  it('calls a side with a NUL binary', () => {
    expect(diffBuffers(Buffer.from([1, 0, 2]), Buffer.from('text'))).toEqual({ kind: 'binary' });
    expect(diffBuffers(Buffer.from('text'), Buffer.from([0]))).toEqual({ kind: 'binary' });
  });

  it('refuses inputs over the size bound', () => {
    const big = Buffer.alloc(MAX_TEXT_DIFF_BYTES + 1, 0x61);
    expect(diffBuffers(big, Buffer.from('a'))).toEqual({ kind: 'too-large' });
    expect(diffBuffers(Buffer.from('a'), big)).toEqual({ kind: 'too-large' });
  });

  it('accepts inputs right at the size bound', () => {
    const edge = Buffer.alloc(MAX_TEXT_DIFF_BYTES, 0x61);
    expect(diffBuffers(edge, Buffer.from('a')).kind).toBe('text');
  });

  it('reports texts with too many distinct lines as too large', () => {
    const many = Buffer.from(Array.from({ length: 64_000 }, (_, i) => `${i}\n`).join(''));
    expect(diffBuffers(many, Buffer.from('x\n'))).toEqual({ kind: 'too-large' });
  });

  it('diffs empty buffers as text with no ops', () => {
    expect(diffBuffers(Buffer.alloc(0), Buffer.alloc(0))).toEqual({ kind: 'text', ops: [] });
  });
});
