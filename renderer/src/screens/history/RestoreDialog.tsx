/**
 * Putting a file back as it was in an earlier version (on a master): a confirmation that
 * says what happens — the file is rewritten and the restore becomes a new version that
 * goes to every replica — then the outcome.
 */
import { useEffect, useState } from 'react';
import { useClient } from '../../api/connection';
import type { RestoreResult } from '../../api/types';
import { Banner, ErrorBanner } from '../../components/Banner';
import { Dialog } from '../../components/Dialog';
import { formatVersion, plural } from '../../lib/format';

export interface RestoreRequest {
  readonly path: string;
  readonly version: number;
  /** The file was deleted (so it comes back). */
  readonly deleted?: boolean;
}

export function RestoreDialog({
  folderId,
  request,
  onClose,
}: {
  folderId: string;
  request: RestoreRequest | undefined;
  onClose: () => void;
}) {
  const client = useClient();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<RestoreResult | undefined>();
  useEffect(() => {
    setError(undefined);
    setResult(undefined);
  }, [request]);

  const restore = async () => {
    if (!request) return;
    setBusy(true);
    setError(undefined);
    try {
      setResult(await client.restore(folderId, { path: request.path, version: request.version }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  const done = result !== undefined;
  return (
    <Dialog
      title={done ? 'Restored' : `Restore ${request?.path ?? ''}?`}
      open={request !== undefined}
      onClose={onClose}
      actions={
        done ? (
          <button type="button" className="button button-primary" onClick={onClose} autoFocus>
            Close
          </button>
        ) : (
          <>
            <button type="button" className="button" onClick={onClose} autoFocus>
              Cancel
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => void restore()}
              disabled={busy}
            >
              {busy ? 'Restoring…' : `Restore ${request ? formatVersion(request.version) : ''}`}
            </button>
          </>
        )
      }
    >
      {request && !done && (
        <p>
          <code className="command">{request.path}</code> will be{' '}
          {request.deleted ? 'brought back' : 'put back'} as it was in{' '}
          {formatVersion(request.version)}. What it holds now is replaced. The restore is recorded
          as a new version and reaches every replica; it can be undone from the history like any
          other change.
        </p>
      )}
      {error !== undefined && <ErrorBanner error={error} context="Could not restore the file" />}
      {result && <RestoreOutcome result={result} />}
    </Dialog>
  );
}

function RestoreOutcome({ result }: { result: RestoreResult }) {
  return (
    <div className="stack">
      {result.version ? (
        <Banner kind="ok" title={`Recorded as ${formatVersion(result.version.seq)}`}>
          {plural(result.written, 'path')} written back.
        </Banner>
      ) : (
        <Banner kind="info" title="Nothing to change">
          The folder already held that content.
        </Banner>
      )}
      {result.skipped.length > 0 && (
        <Banner
          kind="warn"
          title={`${plural(result.skipped.length, 'path')} could not be restored`}
        >
          <ul className="plain-list">
            {result.skipped.map((s) => (
              <li key={s.path}>
                <code>{s.path}</code>: {s.reason}
              </li>
            ))}
          </ul>
        </Banner>
      )}
    </div>
  );
}
