/**
 * A replica's local edits (not sent to the master; kept as conflict copies when the master
 * changes the same file) and the conflict copies kept so far.
 */
import type { FolderDetail } from '../../api/types';
import { formatCount, formatDateTime } from '../../lib/format';

const kindWords: Record<string, string> = {
  add: 'Added here',
  added: 'Added here',
  modify: 'Changed here',
  modified: 'Changed here',
  delete: 'Deleted here',
  deleted: 'Deleted here',
};

export function LocalChanges({ folder }: { folder: FolderDetail }) {
  const keptCopies = new Set(folder.conflicts.map((c) => c.keptAs));
  return (
    <>
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
              A replica does not send its edits to the master. If the master changes one of these
              files, your version is kept beside it as a conflict copy.
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Change</th>
                </tr>
              </thead>
              <tbody>
                {folder.localChanges.map((c) => (
                  <tr key={c.path}>
                    <td className="mono">{c.path}</td>
                    <td>
                      {keptCopies.has(c.path)
                        ? 'Your copy from a conflict'
                        : (kindWords[c.kind] ?? c.kind)}
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
              yours was kept under the name shown.
            </p>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">Your version was kept as</th>
                  <th scope="col">When</th>
                </tr>
              </thead>
              <tbody>
                {folder.conflicts.map((c) => (
                  <tr key={`${c.path}:${c.keptAs}`}>
                    <td className="mono">{c.path}</td>
                    <td className="mono">{c.keptAs}</td>
                    <td className="nowrap">{formatDateTime(c.at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
    </>
  );
}
