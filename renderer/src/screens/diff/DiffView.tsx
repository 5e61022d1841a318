/**
 * A text diff drawn from the API's line runs, inline or side by side. Unchanged stretches
 * are folded (a button opens each); long lines wrap. The rows are virtualised (measured as
 * they are drawn) so that a diff of a large file stays fast.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import type { LineOp } from '../../api/types';
import { formatCount } from '../../lib/format';
import {
  inlineRows,
  splitRows,
  type FoldRow,
  type InlineRow,
  type SplitRow,
} from '../../lib/diff-rows';

const ROW_HEIGHT = 22;

export type DiffLayout = 'split' | 'inline';

export function DiffView({
  ops,
  layout,
  label,
}: {
  ops: readonly LineOp[];
  layout: DiffLayout;
  label: string;
}) {
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const rows = useMemo(
    () => (layout === 'inline' ? inlineRows(ops, open) : splitRows(ops, open)),
    [ops, layout, open],
  );
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 30,
  });
  const unfold = (fold: number) => setOpen((s) => new Set([...s, fold]));
  return (
    <div
      ref={scroller}
      className={`diff diff-${layout}`}
      role="region"
      aria-label={label}
      tabIndex={0}
    >
      <div className="diff-spacer" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = rows[item.index]!;
          return (
            <div
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              className="diff-slot"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              {row.type === 'fold' ? (
                <Fold row={row} onOpen={unfold} />
              ) : row.type === 'line' ? (
                <Inline row={row} />
              ) : (
                <Split row={row} />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

function Fold({ row, onOpen }: { row: FoldRow; onOpen: (fold: number) => void }) {
  return (
    <div className="diff-row diff-fold">
      <button type="button" className="diff-fold-button" onClick={() => onOpen(row.fold)}>
        Show {formatCount(row.count)} unchanged {row.count === 1 ? 'line' : 'lines'}
      </button>
    </div>
  );
}

const signs = { equal: ' ', insert: '+', delete: '−' } as const;
const signWords = { equal: '', insert: 'added', delete: 'removed' } as const;

function Inline({ row }: { row: InlineRow }) {
  return (
    <div className={`diff-row diff-${row.kind}`}>
      <span className="diff-no" aria-hidden="true">
        {row.oldNo ?? ''}
      </span>
      <span className="diff-no" aria-hidden="true">
        {row.newNo ?? ''}
      </span>
      <span className="diff-sign" aria-hidden="true">
        {signs[row.kind]}
      </span>
      <span className="diff-text">
        {row.kind !== 'equal' && <span className="visually-hidden">{signWords[row.kind]}: </span>}
        {row.text}
      </span>
    </div>
  );
}

function Split({ row }: { row: SplitRow }) {
  return (
    <div className="diff-row diff-pair">
      <Side side={row.left} kind="delete" />
      <Side side={row.right} kind="insert" />
    </div>
  );
}

function Side({ side, kind }: { side: SplitRow['left']; kind: 'insert' | 'delete' }) {
  if (!side) return <span className="diff-side diff-empty" />;
  const cls = side.changed ? `diff-side diff-${kind}` : 'diff-side';
  return (
    <span className={cls}>
      <span className="diff-no" aria-hidden="true">
        {side.no}
      </span>
      <span className="diff-text">
        {side.changed && <span className="visually-hidden">{signWords[kind]}: </span>}
        {side.text}
      </span>
    </span>
  );
}
