/** A master's replicas: online or not, and exactly how far each is behind. */
import type { ReactNode } from 'react';
import type { ReplicaLag } from '../../api/types';
import { Pill } from '../../components/Pill';
import { shortDeviceId } from '../../lib/format';
import { replicaWords } from '../../model/sync-state';

export function ReplicaLagList({
  replicas,
  head,
  empty,
}: {
  replicas: readonly ReplicaLag[];
  head: number;
  /** What to say when the folder is shared with nobody. */
  empty: ReactNode;
}) {
  if (replicas.length === 0) return <p className="muted replica-none">{empty}</p>;
  return (
    <ul className="replica-list" aria-label="Replicas">
      {replicas.map((r) => {
        const w = replicaWords(r, head);
        return (
          <li
            key={r.deviceId}
            className="replica-row"
            data-testid={`replica-${r.name || r.deviceId}`}
          >
            <span className="replica-name truncate" title={r.deviceId}>
              {r.name || shortDeviceId(r.deviceId)}
            </span>
            <span className="replica-lag numeric">{w.detail}</span>
            <Pill tone={w.tone}>{w.label}</Pill>
          </li>
        );
      })}
    </ul>
  );
}
