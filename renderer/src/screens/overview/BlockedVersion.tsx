/**
 * A two-phase version the master cannot deliver (policy `all`, a replica voted no or did
 * not answer): which replica blocks it and why, and when it is tried again.
 */
import type { ReplicaLag, TwoPhaseStatus } from '../../api/types';
import { Icon } from '../../components/Icon';
import { formatTime, formatVersion, shortDeviceId } from '../../lib/format';

type Blocked = NonNullable<TwoPhaseStatus['blocked']>;

/** "replica1: local edit of notes.txt", each blocker in words. */
export function blockerLines(b: Blocked, replicas: readonly ReplicaLag[]): string[] {
  const names = new Map(replicas.map((r) => [r.deviceId, r.name]));
  return b.blockers.map(
    (x) => `${names.get(x.replica) || shortDeviceId(x.replica)}: ${x.reason || 'voted no'}`,
  );
}

export function BlockedVersion({
  blocked,
  replicas,
}: {
  blocked: Blocked;
  replicas: readonly ReplicaLag[];
}) {
  return (
    <div
      className="blocked-version"
      role="group"
      aria-label="Blocked version"
      data-testid="blocked-version"
    >
      <p className="held-title">
        <Icon name="alert" />{' '}
        <strong>{formatVersion(blocked.version)} is waiting: every replica must agree</strong>
      </p>
      <ul className="plain-list">
        {blockerLines(blocked, replicas).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <p className="muted">
        Tried {blocked.attempt} {blocked.attempt === 1 ? 'time' : 'times'}; next try at{' '}
        {formatTime(blocked.retryAt)}. Fix the problem on that replica, or set the folder’s
        two-phase policy to “available” so the others go ahead.
      </p>
    </div>
  );
}
