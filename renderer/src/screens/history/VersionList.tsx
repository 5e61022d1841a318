/**
 * The version timeline: a virtualised list (only the rows in view exist in the page), read
 * a page at a time from the API as it scrolls. It is one tab stop, a listbox: arrow keys,
 * Page Up/Down, Home and End move the selection, which shows that version's operations.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import type { VersionInfo } from '../../api/types';
import { Pill } from '../../components/Pill';
import { formatCount, formatDateTime, formatTime, formatVersion, plural } from '../../lib/format';
import { methodWords } from '../../model/versions';
import { keyTarget, rowsPerPage, shouldLoadMore } from './history-list';
import type { HistoryList } from './use-history';

const ROW_HEIGHT = 52;
/** Start loading the next page this many rows before the end. */
const PREFETCH_ROWS = 40;

export function VersionList({
  folderId,
  history,
  selected,
  onSelect,
}: {
  folderId: string;
  history: HistoryList;
  selected: number | undefined;
  onSelect: (seq: number, how: 'click' | 'key') => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const { versions, more, loading } = history;
  const count = versions.length + (more ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (
      shouldLoadMore({
        lastRenderedIndex: lastIndex,
        loaded: versions.length,
        more,
        loading,
        failed: history.error !== undefined,
        prefetchRows: PREFETCH_ROWS,
      })
    )
      history.loadMore();
  }, [lastIndex, more, loading, versions.length, history]);

  const selectedIndex = selected === undefined ? -1 : versions.findIndex((v) => v.seq === selected);
  useEffect(() => {
    if (selectedIndex >= 0) virtualizer.scrollToIndex(selectedIndex, { align: 'auto' });
  }, [selectedIndex, virtualizer]);

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = rowsPerPage(scroller.current?.clientHeight ?? 400, ROW_HEIGHT);
    const next = keyTarget(e.key, selectedIndex, versions.length, page);
    if (next === undefined) return;
    e.preventDefault();
    const v = versions[next];
    if (v) onSelect(v.seq, 'key');
  };

  return (
    <div className="version-list">
      <div className="version-list-head">
        <span>Newest first</span>
        {versions[0] && <span className="numeric">latest {formatVersion(versions[0].seq)}</span>}
      </div>
      <div
        ref={scroller}
        className="version-scroller"
        role="listbox"
        tabIndex={0}
        aria-label={`Versions of ${folderId}, newest first`}
        aria-activedescendant={
          selectedIndex >= 0 ? `version-${versions[selectedIndex]!.seq}` : undefined
        }
        aria-busy={loading}
        onKeyDown={onKeyDown}
      >
        <div className="version-spacer" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const v = versions[item.index];
            if (!v)
              return (
                <div
                  key="more"
                  className="version-row version-more"
                  style={{ transform: `translateY(${item.start}px)`, height: item.size }}
                >
                  {history.error !== undefined ? (
                    <button type="button" className="button button-small" onClick={history.retry}>
                      Could not load older versions. Try again
                    </button>
                  ) : (
                    <span className="muted">Loading older versions…</span>
                  )}
                </div>
              );
            return (
              <VersionRow
                key={v.seq}
                version={v}
                selected={v.seq === selected}
                top={item.start}
                height={item.size}
                position={item.index + 1}
                setSize={more ? -1 : versions.length}
                onClick={() => onSelect(v.seq, 'click')}
              />
            );
          })}
        </div>
      </div>
    </div>
  );
}

function VersionRow({
  version: v,
  selected,
  top,
  height,
  position,
  setSize,
  onClick,
}: {
  version: VersionInfo;
  selected: boolean;
  top: number;
  height: number;
  position: number;
  setSize: number;
  onClick: () => void;
}) {
  const m = methodWords[v.method];
  return (
    <div
      id={`version-${v.seq}`}
      role="option"
      aria-selected={selected}
      aria-posinset={position}
      aria-setsize={setSize}
      aria-label={`${formatVersion(v.seq)}, ${formatDateTime(v.createdAt)}, ${m.label}, ${plural(v.changes, 'change')}, ${v.reason}`}
      className="version-row"
      style={{ transform: `translateY(${top}px)`, height }}
      onClick={onClick}
    >
      <div className="version-main">
        <span className="version-seq numeric">{formatVersion(v.seq)}</span>
        <span className="version-time" title={formatDateTime(v.createdAt)}>
          {formatTime(v.createdAt)}
        </span>
      </div>
      <div className="version-sub">
        <span className="version-changes numeric">
          {formatCount(v.changes)} {v.changes === 1 ? 'file' : 'files'}
        </span>
        <span className="version-reason truncate">{v.reason}</span>
      </div>
      <span className="version-method">
        <Pill tone={m.tone} plain title={m.long}>
          {m.label}
        </Pill>
      </span>
    </div>
  );
}
