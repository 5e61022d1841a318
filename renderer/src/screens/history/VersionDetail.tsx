/**
 * One version: when, how (1PC/2PC) and why it was made, and its operations (a page at a
 * time). Each changed file can be compared with the version before, and on a master put
 * back as it was.
 */
import { useRef, useState } from 'react';
import { useClient } from '../../api/connection';
import { eventFolder, useLiveQuery } from '../../api/live';
import type { Entry, FolderDetail } from '../../api/types';
import { routeHref } from '../../app/routes';
import { ErrorBanner } from '../../components/Banner';
import { Icon } from '../../components/Icon';
import { Loading } from '../../components/Loading';
import { Pill } from '../../components/Pill';
import { formatBytes, formatCount, formatDateTime, formatVersion, plural } from '../../lib/format';
import { methodReason } from '../../model/commits';
import { canDiff, canRestore, methodWords, opWords, originWords } from '../../model/versions';
import { CommitRecord } from './CommitRecord';
import { RestoreDialog, type RestoreRequest } from './RestoreDialog';

const OPS_PAGE = 500;

export function VersionDetail({ folder, seq }: { folder: FolderDetail; seq: number }) {
  const client = useClient();
  const [limit, setLimit] = useState(OPS_PAGE);
  // While its delivery is open, a decision can come at each moment: look again on status.
  const open = useRef(false);
  const detail = useLiveQuery(
    `version:${folder.id}:${seq}:${limit}`,
    () => client.version(folder.id, seq, { limit }),
    (e) =>
      (eventFolder(e) === folder.id && e.type !== 'progress') ||
      (open.current && e.type === 'status'),
  );
  open.current = (detail.data?.version.commit?.outcome ?? 'committed') !== 'committed';
  const [restoring, setRestoring] = useState<RestoreRequest | undefined>();

  if (detail.error !== undefined)
    return (
      <ErrorBanner
        error={detail.error}
        context={`Could not load ${formatVersion(seq)}`}
        onRetry={detail.reload}
      />
    );
  const d = detail.data;
  if (!d) return <Loading what={formatVersion(seq)} />;
  const v = d.version;
  const m = methodWords[v.method];
  return (
    <article className="version-detail" aria-labelledby="version-title">
      <header className="version-detail-head">
        <div className="row">
          <h2 id="version-title" className="numeric">
            Version {formatCount(v.seq)}
          </h2>
          <Pill tone={m.tone} plain>
            {m.label}
          </Pill>
        </div>
        <dl className="facts">
          <dt>When</dt>
          <dd>{formatDateTime(v.createdAt)}</dd>
          <dt>Why</dt>
          <dd>{methodReason(v)}</dd>
          <dt>How</dt>
          <dd>{m.long}</dd>
          <dt>From</dt>
          <dd>{originWords[v.origin]}</dd>
          <dt>Size</dt>
          <dd className="numeric">
            {plural(v.changes, 'change')}, {formatBytes(v.bytes)} of new content
          </dd>
        </dl>
      </header>
      <CommitRecord version={v} />
      <section aria-labelledby="version-ops">
        <h3 id="version-ops" className="section-title">
          Operations <span className="count">{formatCount(d.total)}</span>
        </h3>
        {d.operations.length === 0 ? (
          <p className="muted">This version changed no files.</p>
        ) : (
          <ul className="op-list">
            {d.operations.map((e) => (
              <OperationRow
                key={`${e.op}:${e.path}`}
                entry={e}
                folder={folder}
                seq={v.seq}
                onRestore={setRestoring}
              />
            ))}
          </ul>
        )}
        {d.total > d.operations.length && (
          <button
            type="button"
            className="button button-small load-more"
            onClick={() => setLimit((l) => l + OPS_PAGE)}
          >
            Show {formatCount(Math.min(OPS_PAGE, d.total - d.operations.length))} more of{' '}
            {formatCount(d.total - d.operations.length)}
          </button>
        )}
      </section>
      <RestoreDialog
        folderId={folder.id}
        request={restoring}
        onClose={() => setRestoring(undefined)}
      />
    </article>
  );
}

function OperationRow({
  entry: e,
  folder,
  seq,
  onRestore,
}: {
  entry: Entry;
  folder: FolderDetail;
  seq: number;
  onRestore: (r: RestoreRequest) => void;
}) {
  const w = opWords[e.op];
  const master = folder.role === 'master';
  // A deleted file is restored from the version before its deletion.
  const restoreVersion = e.op === 'delete' ? seq - 1 : seq;
  return (
    <li className="op-row">
      <span className="op-kind">
        <Pill tone={w.tone} plain>
          {w.label}
        </Pill>
      </span>
      <span className="op-path mono">
        {e.op === 'move' && e.movedFrom !== null && (
          <>
            <span className="faint">{e.movedFrom}</span> <span aria-label="to">→</span>{' '}
          </>
        )}
        {e.path}
        {e.kind === 'dir' && '/'}
      </span>
      <span className="op-size numeric faint">{e.kind === 'file' ? formatBytes(e.size) : ''}</span>
      <span className="op-actions">
        {canDiff(e) && seq > 1 && (
          <a
            className="button button-small"
            href={routeHref({
              page: 'diff',
              folderId: folder.id,
              path: e.path,
              from: seq - 1,
              to: seq,
            })}
            aria-label={`Compare ${e.path} with ${formatVersion(seq - 1)}`}
          >
            <Icon name="diff" /> Compare
          </a>
        )}
        {master && canRestore(e) && restoreVersion >= 1 && (
          <button
            type="button"
            className="button button-small"
            onClick={() =>
              onRestore({ path: e.path, version: restoreVersion, deleted: e.op === 'delete' })
            }
            aria-label={
              e.op === 'delete'
                ? `Restore deleted ${e.path}`
                : `Restore ${e.path} as in ${formatVersion(seq)}`
            }
          >
            <Icon name="restore" /> Restore
          </button>
        )}
      </span>
    </li>
  );
}
