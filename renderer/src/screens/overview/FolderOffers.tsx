/**
 * Folders other devices offer to this one (a paired master shared them with it): who
 * offers what, and "Accept into…" — a path typed in a browser, or the native folder picker
 * in the desktop app. Accepting makes this device a replica of the folder there.
 */
import { useId, useState, type SyntheticEvent } from 'react';
import { useClient } from '../../api/connection';
import { useLiveQuery } from '../../api/live';
import type { FolderConfig, Offer } from '../../api/types';
import { ErrorBanner } from '../../components/Banner';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { formatAgo, shortDeviceId } from '../../lib/format';
import { FolderPathField } from '../../components/FolderPathField';
import { useAction } from '../../lib/use-action';

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
}

/** Why a path cannot take an offered folder, or undefined. */
export function offerPathProblem(raw: string): string | undefined {
  const p = raw.trim();
  if (p === '') return 'Choose where to keep the folder, or type its full path.';
  if (!isAbsolute(p))
    return 'Type the full path, starting at the top (for example /home/ana/Shared).';
  return undefined;
}

/** Who offers a folder, in words. */
export function offeredBy(o: Offer): string {
  return o.fromName || shortDeviceId(o.from);
}

export function FolderOffers({ onAccepted }: { onAccepted: (f: FolderConfig) => void }) {
  const client = useClient();
  const ids = useId();
  const offers = useLiveQuery(
    'offers',
    () => client.offers(),
    (e) =>
      e.type === 'config' && (e.what === 'offers' || e.what === 'peers' || e.what === 'folders'),
  );
  const [accepting, setAccepting] = useState<Offer | undefined>();
  const list = offers.data?.offers ?? [];
  if (offers.error !== undefined)
    return (
      <ErrorBanner
        error={offers.error}
        context="Could not load the folders offered to this device"
        onRetry={offers.reload}
      />
    );
  if (list.length === 0) return null;
  return (
    <section className="card offers-card" aria-labelledby={`${ids}-title`}>
      <div className="card-header">
        <h2 id={`${ids}-title`}>
          Offered to this device <span className="count">{list.length}</span>
        </h2>
      </div>
      <ul className="offer-list" aria-labelledby={`${ids}-title`}>
        {list.map((o) => (
          <li
            key={`${o.from}/${o.folderId}`}
            className="offer-row"
            data-testid={`offer-${o.folderId}`}
          >
            <Icon name="share" className="icon-muted" />
            <div className="offer-text">
              <strong>{o.label || o.folderId}</strong>{' '}
              <span className="muted">
                from {offeredBy(o)} · {formatAgo(o.offeredAt)}
              </span>
              <div className="field-hint">
                Folder ID <code>{o.folderId}</code>. Accept to keep a copy here that follows{' '}
                {offeredBy(o)}.
              </div>
            </div>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setAccepting(o)}
              aria-label={`Accept ${o.label || o.folderId} from ${offeredBy(o)} into…`}
            >
              Accept into…
            </button>
          </li>
        ))}
      </ul>
      {accepting && (
        <AcceptDialog
          offer={accepting}
          onClose={() => setAccepting(undefined)}
          onAccepted={(f) => {
            setAccepting(undefined);
            offers.reload();
            onAccepted(f);
          }}
        />
      )}
    </section>
  );
}

function AcceptDialog({
  offer,
  onClose,
  onAccepted,
}: {
  offer: Offer;
  onClose: () => void;
  onAccepted: (f: FolderConfig) => void;
}) {
  const client = useClient();
  const ids = useId();
  const [path, setPath] = useState('');
  const [touched, setTouched] = useState(false);
  const problem = touched ? offerPathProblem(path) : undefined;
  const accept = useAction(() => client.acceptOffer(offer.folderId, path.trim()));
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    setTouched(true);
    if (offerPathProblem(path) !== undefined) return;
    const f = await accept.run();
    if (f) onAccepted(f);
  };
  const formId = `${ids}-form`;
  return (
    <Dialog
      title={`Accept “${offer.label || offer.folderId}”`}
      open
      onClose={onClose}
      actions={
        <>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button
            type="submit"
            form={formId}
            className="button button-primary"
            disabled={accept.busy}
          >
            {accept.busy ? 'Accepting…' : 'Accept folder'}
          </button>
        </>
      }
    >
      <form id={formId} className="stack-tight" onSubmit={(e) => void submit(e)} noValidate>
        <p className="muted">
          {offeredBy(offer)} shares this folder. This device will keep a full copy and follow its
          changes.
        </p>
        <FolderPathField
          id={`${ids}-path`}
          label="Where to keep the copy"
          value={path}
          onChange={setPath}
          placeholder="/home/ana/Shared"
          hint="An empty folder, or one to be made. It will hold the master’s files."
          problem={problem}
          autoFocus
        />
        {accept.error !== undefined && (
          <ErrorBanner error={accept.error} context="Could not accept the folder" />
        )}
      </form>
    </Dialog>
  );
}
