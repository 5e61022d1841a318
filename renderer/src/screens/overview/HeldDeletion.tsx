/**
 * A mass deletion the master holds (docs/protocol.md §10.5): how many files it deletes, and
 * Approve / Reject, each behind a confirmation that says what it does. The same verdict
 * as `lanfold approve|reject`; the card updates when the hold ends (the `held` event).
 */
import { useState } from 'react';
import { useClient } from '../../api/connection';
import type { Held } from '../../api/types';
import { useAnnounce } from '../../app/Announcer';
import { ErrorBanner } from '../../components/Banner';
import { ConfirmDialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { formatCount, formatVersion, plural } from '../../lib/format';
import { useAction } from '../../lib/use-action';

type Verdict = 'approve' | 'reject';

/** "v123 deletes 2,400 of 3,000 files". */
export function heldSentence(h: Held): string {
  return h.before > 0
    ? `${formatVersion(h.version)} deletes ${formatCount(h.deleted)} of ${plural(h.before, 'file')}`
    : `${formatVersion(h.version)} deletes ${plural(h.deleted, 'file')}`;
}

/** What each verdict does, for its confirmation. */
export function verdictWords(
  h: Held,
  folderId: string,
): Record<Verdict, { title: string; body: string; confirm: string }> {
  const files = plural(h.deleted, 'file');
  return {
    approve: {
      title: `Let the replicas delete ${files}?`,
      body: `The deletions up to ${formatVersion(h.version)} of ${folderId} go to every replica, which then deletes the same ${files}. They stay deleted on this computer too; the history keeps what it retained, so a file can still be restored from there.`,
      confirm: `Approve deleting ${files}`,
    },
    reject: {
      title: `Put the ${files} back?`,
      body: `The master writes the deleted files back from its history, as a new version of ${folderId}. The replicas never delete them. Files whose content the history no longer keeps cannot be put back and stay deleted.`,
      confirm: `Reject and restore ${files}`,
    },
  };
}

export function HeldDeletion({ folderId, held }: { folderId: string; held: Held }) {
  const client = useClient();
  const announce = useAnnounce();
  const [asking, setAsking] = useState<Verdict | undefined>();
  const [done, setDone] = useState<string | undefined>();
  const decide = useAction(async (verdict: Verdict) => {
    const r =
      verdict === 'approve'
        ? await client.approveDeletion(folderId, held.version)
        : await client.rejectDeletion(folderId, held.version);
    setAsking(undefined);
    setDone(r.done);
    announce(r.done);
  });
  const words = verdictWords(held, folderId);
  const pct = held.before > 0 ? Math.round((100 * held.deleted) / held.before) : 100;
  return (
    <div
      className="held-deletion"
      role="group"
      aria-label={`Held deletion in ${folderId}`}
      data-testid="held-deletion"
    >
      <p className="held-title">
        <Icon name="alert" /> <strong>{heldSentence(held)}</strong>{' '}
        <span className="muted">({pct}%) — held until you decide</span>
      </p>
      <p className="muted held-detail">
        So many deletions at once may be a mistake (a folder moved away, a disk not mounted). The
        replicas keep their files until you approve.
      </p>
      {done !== undefined ? (
        <p role="status">{done}</p>
      ) : (
        <div className="row">
          <button type="button" className="button button-small" onClick={() => setAsking('reject')}>
            <Icon name="restore" /> Reject
          </button>
          <button
            type="button"
            className="button button-small button-danger"
            onClick={() => setAsking('approve')}
          >
            Approve
          </button>
        </div>
      )}
      {decide.error !== undefined && (
        <ErrorBanner error={decide.error} context="Could not record your decision" />
      )}
      <ConfirmDialog
        open={asking !== undefined}
        title={asking ? words[asking].title : ''}
        confirmLabel={asking ? words[asking].confirm : ''}
        danger={asking === 'approve'}
        busy={decide.busy}
        onCancel={() => {
          setAsking(undefined);
          decide.clear();
        }}
        onConfirm={() => void (asking && decide.run(asking))}
      >
        <p>{asking ? words[asking].body : ''}</p>
        {decide.error !== undefined && (
          <ErrorBanner error={decide.error} context="Could not record your decision" />
        )}
      </ConfirmDialog>
    </div>
  );
}
