/** The history tab: the version timeline on the left, the selected version on the right. */
import type { FolderDetail } from '../../api/types';
import { navigate } from '../../app/use-route';
import { ErrorBanner } from '../../components/Banner';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import { useHistory } from './use-history';
import { VersionDetail } from './VersionDetail';
import { VersionList } from './VersionList';

export function HistoryView({
  folder,
  selected,
}: {
  folder: FolderDetail;
  selected: number | undefined;
}) {
  const history = useHistory(folder.id);
  const current = selected ?? history.versions[0]?.seq;

  if (history.versions.length === 0) {
    if (history.error !== undefined)
      return (
        <ErrorBanner
          error={history.error}
          context="Could not load the history"
          onRetry={history.retry}
        />
      );
    if (history.loading || history.more) return <Loading what="the history" />;
    return (
      <EmptyState icon="history" title="No versions yet">
        {folder.role === 'master' ? (
          <p>
            Lanfold records a numbered version every time files in this folder change. Add or edit a
            file to make the first one.
          </p>
        ) : (
          <p>Versions appear here as this copy receives them from the master.</p>
        )}
      </EmptyState>
    );
  }
  return (
    <div className="history">
      <VersionList
        folderId={folder.id}
        history={history}
        selected={current}
        onSelect={(seq, how) =>
          navigate(
            { page: 'folder', folderId: folder.id, tab: 'history', version: seq },
            { replace: how === 'key' },
          )
        }
      />
      <div className="history-detail">
        {current !== undefined && <VersionDetail key={current} folder={folder} seq={current} />}
      </div>
    </div>
  );
}
