/**
 * A replica's local edits (not sent to the master; kept as conflict copies when the master
 * changes the same file) and the conflict copies kept so far, each with its choices: keep
 * it, or revert to the master's version (for a conflict: delete the copy). Reverting asks
 * first and says what will be lost.
 */
import { useState } from 'react';
import { useClient } from '../../api/connection';
import type { FolderDetail, ResolveResult } from '../../api/types';
import { useAnnounce } from '../../app/Announcer';
import { Banner, ErrorBanner } from '../../components/Banner';
import { ConfirmDialog } from '../../components/Dialog';
import { Pill } from '../../components/Pill';
import { formatCount, formatDateTime } from '../../lib/format';
import { useAction } from '../../lib/use-action';
import {
  changeWords,
  discardQuestion,
  isConflictCopy,
  revertQuestion,
  type RevertQuestion,
} from './resolve-words';

type Pending =
  | { readonly what: 'change'; readonly path: string; readonly q: RevertQuestion }
  | { readonly what: 'conflict'; readonly path: string; readonly q: RevertQuestion };

export function LocalChanges({
  folder,
  onChanged,
}: {
  folder: FolderDetail;
  onChanged: () => void;
}) {
  const client = useClient();
  const announce = useAnnounce();
  const [pending, setPending] = useState<Pending>();
  const [done, setDone] = useState<ResolveResult>();
  const resolve = useAction(
    async (what: 'change' | 'conflict', path: string, action: 'keep' | 'revert') => {
      const result =
        what === 'change'
          ? await client.resolveLocalChange(folder.id, { path, action })
          : await client.resolveConflict(folder.id, { keptAs: path, action });
      setDone(result);
      setPending(undefined);
      announce(result.done);
      onChanged();
      return result;
    },
  );
  const run = (what: 'change' | 'conflict', path: string, action: 'keep' | 'revert') => {
    setDone(undefined);
    void resolve.run(what, path, action);
  };
  const open = folder.localChanges.filter((c) => !c.kept);
  const kept = folder.localChanges.filter((c) => c.kept);
  return (
    <>
      {done && (
        <Banner kind="ok" title={done.done}>
          {done.action === 'keep'
            ? 'It stays on this computer. The master does not get it.'
            : 'This copy matches the master there again.'}
        </Banner>
      )}
      {resolve.error !== undefined && !pending && (
        <ErrorBanner error={resolve.error} context="Could not do that" />
      )}
      <section className="card" aria-labelledby="folder-local">
        <div className="card-header">
          <h2 id="folder-local">
            Changes on this computer{' '}
            {folder.localChangesTotal > 0 && (
              <span className="count">{formatCount(folder.localChangesTotal)}</span>
            )}
          </h2>
        </div>
        {folder.localChanges.length === 0 ? (
          <div className="card-body">
            <p className="muted">None. This copy matches the master’s version.</p>
          </div>
        ) : (
          <>
            <p className="card-body card-intro muted">
              A replica does not send its edits to the master. Keep a change to say you meant it, or
              revert it to the master’s version. If the master changes one of these files, your
              version is kept beside it as a conflict copy.
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Change</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...open, ...kept].map((c) => (
                  <tr key={c.path} data-testid={`local-${c.path}`}>
                    <td className="mono">{c.path}</td>
                    <td>
                      {c.kind === 'added' && isConflictCopy(c.path)
                        ? 'Your copy from a conflict'
                        : (changeWords[c.kind] ?? c.kind)}
                      {c.kept && (
                        <>
                          {' '}
                          <Pill tone="idle">Kept</Pill>
                        </>
                      )}
                    </td>
                    <td className="row-actions">
                      {!c.kept && (
                        <button
                          type="button"
                          className="button button-small"
                          onClick={() => run('change', c.path, 'keep')}
                          disabled={resolve.busy}
                          aria-label={`Keep ${c.path}`}
                        >
                          Keep
                        </button>
                      )}
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => {
                          resolve.clear();
                          setPending({
                            what: 'change',
                            path: c.path,
                            q: revertQuestion(c.path, c.kind),
                          });
                        }}
                        disabled={resolve.busy}
                        aria-label={`Revert ${c.path}`}
                      >
                        Revert…
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {folder.localChangesTotal > folder.localChanges.length && (
              <p className="card-footer muted">
                and {formatCount(folder.localChangesTotal - folder.localChanges.length)} more
              </p>
            )}
          </>
        )}
      </section>
      <section className="card" aria-labelledby="folder-conflicts">
        <div className="card-header">
          <h2 id="folder-conflicts">
            Conflicts{' '}
            {folder.conflicts.length > 0 && (
              <span className="count">{formatCount(folder.conflicts.length)}</span>
            )}
          </h2>
        </div>
        {folder.conflicts.length === 0 ? (
          <div className="card-body">
            <p className="muted">
              None. When the master changes a file you edited here, your version is kept beside it
              as a copy and listed here.
            </p>
          </div>
        ) : (
          <>
            <p className="card-body card-intro muted">
              The master changed these files after you edited them here. Its version is in place;
              yours was kept under the name shown. Keep your copy, or delete it.
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Your version was kept as</th>
                  <th scope="col">When</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {folder.conflicts.map((c) => (
                  <tr key={`${c.path}:${c.keptAs}`} data-testid={`conflict-${c.path}`}>
                    <td className="mono">{c.path}</td>
                    <td className="mono">{c.keptAs}</td>
                    <td className="nowrap">{formatDateTime(c.at)}</td>
                    <td className="row-actions">
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => run('conflict', c.keptAs, 'keep')}
                        disabled={resolve.busy}
                        aria-label={`Keep my copy ${c.keptAs}`}
                      >
                        Keep my copy
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => {
                          resolve.clear();
                          setPending({
                            what: 'conflict',
                            path: c.keptAs,
                            q: discardQuestion(c.path, c.keptAs),
                          });
                        }}
                        disabled={resolve.busy}
                        aria-label={`Delete my copy ${c.keptAs}`}
                      >
                        Delete my copy…
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <ConfirmDialog
        title={pending?.q.title ?? ''}
        open={pending !== undefined}
        confirmLabel={pending?.q.confirm ?? ''}
        danger={pending?.q.danger ?? false}
        busy={resolve.busy}
        onConfirm={() => pending && void resolve.run(pending.what, pending.path, 'revert')}
        onCancel={() => setPending(undefined)}
      >
        <p>{pending?.q.body}</p>
        {resolve.error !== undefined && (
          <ErrorBanner error={resolve.error} context="Could not revert it" />
        )}
      </ConfirmDialog>
    </>
  );
}
