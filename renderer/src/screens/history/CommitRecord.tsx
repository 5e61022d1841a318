/**
 * How a version reached the replicas (on a master): delivered or not, and for each
 * two-phase attempt that carried it, the decision and every replica's vote — yes, no with
 * its reason, or no answer — and what became of that replica. Each attempt folds open
 * (a native <details>, reachable and opened with the keyboard); the last is open. Replicas
 * below relays follow, as their relays reported them.
 */
import type { HistoryVersion } from '../../api/types';
import { Pill } from '../../components/Pill';
import { formatDateTime, shortDeviceId } from '../../lib/format';
import {
  attemptSentence,
  attemptWords,
  outcomeWords,
  voteOutcomeWords,
  voteWords,
} from '../../model/commits';

const MAX_ATTEMPTS = 5;

/** A replica's outcome on its relay's hop, as the relay reported it. */
const downstreamWords = {
  committed: { label: 'Committed', tone: 'ok' },
  aborted: { label: 'Aborted', tone: 'bad' },
  behind: { label: 'Catching up', tone: 'warn' },
} as const;

export function CommitRecord({ version }: { version: HistoryVersion }) {
  const c = version.commit;
  if (!c) return null;
  const o = outcomeWords[c.outcome];
  // A version blocked for hours is retried many times: the latest few tell the story.
  const shown = c.attempts.slice(-MAX_ATTEMPTS);
  const hidden = c.attempts.length - shown.length;
  const last = shown.length - 1;
  return (
    <section className="commit-record" aria-labelledby="commit-title" data-testid="commit-record">
      <h3 id="commit-title" className="section-title">
        Delivery to replicas{' '}
        <Pill tone={o.tone} title={`Delivery: ${o.label}`}>
          {o.label}
        </Pill>
      </h3>
      {c.attempts.length === 0 ? (
        <p className="muted">
          {c.outcome === 'committed'
            ? 'Sent to the replicas as soon as it was recorded; each applied it on receipt.'
            : 'Not sent yet: it waits for an earlier version, or for a held deletion to be approved or rejected (see the Overview).'}
        </p>
      ) : (
        <ol className="attempt-list">
          {hidden > 0 && (
            <li className="muted">
              {hidden} earlier {hidden === 1 ? 'attempt' : 'attempts'}, all aborted
            </li>
          )}
          {shown.map((a, i) => (
            <li key={a.tx}>
              <details open={i === last} className="attempt">
                <summary>
                  <Pill tone={attemptWords[a.state].tone} plain>
                    {attemptWords[a.state].label}
                  </Pill>{' '}
                  {attemptSentence(a)}
                </summary>
                <p className="muted attempt-meta">
                  Started {formatDateTime(a.startedAt)}
                  {a.decidedAt !== null && `, decided ${formatDateTime(a.decidedAt)}`}
                  {a.reason !== '' && ` · ${a.reason}`}
                </p>
                {a.votes.length > 0 && (
                  <ul className="vote-list" aria-label={`Votes in attempt ${a.attempt}`}>
                    {a.votes.map((v) => {
                      const name = v.name || shortDeviceId(v.replica);
                      const w = voteWords[v.vote];
                      return (
                        <li key={v.replica} className="vote-row" data-testid={`vote-${name}`}>
                          <span className="vote-name truncate" title={v.replica}>
                            {name}
                          </span>
                          <Pill tone={w.tone}>{w.label}</Pill>
                          <span className="vote-detail">
                            {v.vote !== 'yes' && v.reason !== '' && (
                              <span className="vote-reason">{v.reason}. </span>
                            )}
                            <span className="faint">
                              {voteOutcomeWords[v.outcome].replace(/^./, (ch) => ch.toUpperCase())}
                            </span>
                          </span>
                        </li>
                      );
                    })}
                  </ul>
                )}
              </details>
            </li>
          ))}
        </ol>
      )}
      {c.downstream.length > 0 && (
        <>
          <h4 className="section-title">Below relays</h4>
          <ul className="vote-list" aria-label="Replicas below relays">
            {c.downstream.map((d) => {
              const name = d.name || shortDeviceId(d.replica);
              const w = downstreamWords[d.outcome];
              return (
                <li key={d.replica} className="vote-row" data-testid={`downstream-${name}`}>
                  <span className="vote-name truncate" title={d.replica}>
                    {name}
                  </span>
                  <Pill tone={w.tone}>{w.label}</Pill>
                  <span className="vote-detail">
                    {d.reason !== '' && <span className="vote-reason">{d.reason}. </span>}
                    <span className="faint">via {d.viaName || shortDeviceId(d.via)}</span>
                  </span>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}
