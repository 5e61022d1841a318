/**
 * Comparing one file between two versions: the diff (side by side or inline), the two
 * versions to compare, and — on a master — putting the file back as it was in either.
 */
import { useState } from 'react';
import { useClient } from '../../api/connection';
import { eventFolder, useLiveQuery } from '../../api/live';
import type { Diff, FolderDetail } from '../../api/types';
import { Page } from '../../app/Page';
import { routeHref, type Route } from '../../app/routes';
import { navigate } from '../../app/use-route';
import { Banner, ErrorBanner } from '../../components/Banner';
import { Icon } from '../../components/Icon';
import { Loading } from '../../components/Loading';
import { Segmented } from '../../components/Segmented';
import { diffStats } from '../../lib/diff-rows';
import { formatBytes, formatCount, formatVersion } from '../../lib/format';
import { useQuery } from '../../lib/use-query';
import { RestoreDialog, type RestoreRequest } from '../history/RestoreDialog';
import { DiffView, type DiffLayout } from './DiffView';
import { VersionPicker } from './VersionPicker';

type DiffRoute = Extract<Route, { page: 'diff' }>;

const LAYOUT_KEY = 'lanfold.diffLayout';
const layouts: readonly { value: DiffLayout; label: string }[] = [
  { value: 'split', label: 'Side by side' },
  { value: 'inline', label: 'Inline' },
];

export function DiffScreen({ route }: { route: DiffRoute }) {
  const client = useClient();
  const { folderId, path, from, to } = route;
  const [layout, setLayout] = useState<DiffLayout>(() =>
    localStorage.getItem(LAYOUT_KEY) === 'inline' ? 'inline' : 'split',
  );
  const [restoring, setRestoring] = useState<RestoreRequest | undefined>();
  const folder = useLiveQuery(
    `folder:${folderId}`,
    () => client.folder(folderId),
    (e) => eventFolder(e) === folderId,
  );
  const diff = useQuery(`diff:${folderId}:${from}:${to}:${path}`, () =>
    client.diff(folderId, { from, to, path }),
  );
  const chooseLayout = (l: DiffLayout) => {
    localStorage.setItem(LAYOUT_KEY, l);
    setLayout(l);
  };
  const head = folder.data?.head ?? Math.max(from, to);

  return (
    <Page
      wide
      title={path}
      subtitle={`${folderId}: ${formatVersion(from)} → ${formatVersion(to)}`}
      before={
        <a
          className="back-link"
          href={routeHref({ page: 'folder', folderId, tab: 'history', version: to })}
        >
          <Icon name="arrow-left" /> History of {folderId}
        </a>
      }
      actions={
        <Segmented label="Diff layout" options={layouts} value={layout} onChange={chooseLayout} />
      }
    >
      <div className="stack">
        <div className="diff-toolbar">
          <VersionPicker
            from={from}
            to={to}
            head={head}
            onChange={(f, t) =>
              navigate({ page: 'diff', folderId, path, from: f, to: t }, { replace: true })
            }
          />
          {diff.data && <DiffSummary diff={diff.data} />}
          {folder.data?.role === 'master' && diff.data?.before && (
            <RestoreButtons folder={folder.data} path={path} from={from} onRestore={setRestoring} />
          )}
        </div>
        {diff.error !== undefined && (
          <ErrorBanner
            error={diff.error}
            context="Could not compare the file"
            onRetry={diff.reload}
          />
        )}
        {diff.loading && !diff.data && <Loading what="the differences" />}
        {diff.data && <DiffBody diff={diff.data} layout={layout} />}
      </div>
      <RestoreDialog
        folderId={folderId}
        request={restoring}
        onClose={() => setRestoring(undefined)}
      />
    </Page>
  );
}

function DiffSummary({ diff }: { diff: Diff }) {
  if (diff.kind !== 'text') return null;
  const s = diffStats(diff.ops);
  return (
    <p
      className="diff-stats numeric"
      aria-label={`${s.added} lines added, ${s.removed} lines removed`}
    >
      <span className="diff-stat-add">+{formatCount(s.added)}</span>{' '}
      <span className="diff-stat-del">−{formatCount(s.removed)}</span>
    </p>
  );
}

function DiffBody({ diff, layout }: { diff: Diff; layout: DiffLayout }) {
  const label = `Changes to ${diff.path} from ${formatVersion(diff.from)} to ${formatVersion(diff.to)}`;
  if (!diff.before && !diff.after)
    return (
      <Banner kind="info" title={`${diff.path} does not exist in either version`}>
        Pick other versions above.
      </Banner>
    );
  if (diff.kind === 'binary')
    return (
      <Banner kind="info" title="This file is not text, so its lines cannot be compared">
        {sizeChange(diff)}
      </Banner>
    );
  if (diff.kind === 'too-large')
    return (
      <Banner
        kind="info"
        title="This file is too large, or changed too much, to compare line by line"
      >
        {sizeChange(diff)}
      </Banner>
    );
  if (diff.ops.every((o) => o.kind === 'equal'))
    return (
      <Banner
        kind="ok"
        title={`${diff.path} is the same in ${formatVersion(diff.from)} and ${formatVersion(diff.to)}`}
      />
    );
  return (
    <>
      {!diff.before && (
        <p className="muted">The file was created in this range; every line is new.</p>
      )}
      {!diff.after && <p className="muted">The file was deleted in this range.</p>}
      <DiffView ops={diff.ops} layout={layout} label={label} />
    </>
  );
}

function sizeChange(diff: Diff): string {
  const a = diff.before ? formatBytes(diff.before.size) : 'absent';
  const b = diff.after ? formatBytes(diff.after.size) : 'absent';
  return `${formatVersion(diff.from)}: ${a} · ${formatVersion(diff.to)}: ${b}`;
}

function RestoreButtons({
  folder,
  path,
  from,
  onRestore,
}: {
  folder: FolderDetail;
  path: string;
  from: number;
  onRestore: (r: RestoreRequest) => void;
}) {
  if (from < 1 || from >= folder.head) return null;
  return (
    <div className="row diff-restore">
      <button type="button" className="button" onClick={() => onRestore({ path, version: from })}>
        <Icon name="restore" /> Restore {formatVersion(from)} of this file
      </button>
    </div>
  );
}
