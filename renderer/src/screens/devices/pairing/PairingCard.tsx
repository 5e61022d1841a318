/**
 * Pairing two devices without copying long IDs: this device makes a short-lived invitation
 * (a code, and the same as a QR code for a phone or camera), or joins another device by the
 * code that device shows. Written against PairingApi (pairing-api.ts).
 */
import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { useAnnounce } from '../../../app/Announcer';
import { ErrorBanner } from '../../../components/Banner';
import { Icon } from '../../../components/Icon';
import { useAction } from '../../../lib/use-action';
import {
  codeProblem,
  groupCode,
  normaliseCode,
  timeLeft,
  type PairingApi,
  type PairingInvite,
} from './pairing-api';
import { QrCode } from './QrCode';

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
}

export function InvitePanel({
  api,
  initial,
}: {
  api: PairingApi;
  /** An invitation to show at once (tests, and a page that made one already). */
  initial?: PairingInvite;
}) {
  const [invite, setInvite] = useState<PairingInvite | undefined>(initial);
  const now = useNow(invite !== undefined);
  const make = useAction(async () => setInvite(await api.invite()));
  const cancel = useAction(async () => {
    if (invite) await api.cancel(invite.code);
    setInvite(undefined);
  });
  const expired = invite !== undefined && invite.expiresAt <= now;
  return (
    <div className="pair-panel">
      <h3>Invite a device</h3>
      {!invite ? (
        <>
          <p className="muted">
            Make a code here, then type it (or scan it) on the other device. It works once, for a
            few minutes.
          </p>
          <button
            type="button"
            className="button button-primary"
            onClick={() => void make.run()}
            disabled={make.busy}
          >
            <Icon name="link" /> {make.busy ? 'Making a code…' : 'Make an invitation code'}
          </button>
        </>
      ) : (
        <div className="pair-invite">
          <QrCode
            text={invite.link}
            label={`QR code of the invitation ${groupCode(invite.code)}`}
          />
          <div className="pair-invite-text">
            <span className="field-label">Code</span>
            <output className="pair-code mono" aria-live="polite">
              {groupCode(invite.code)}
            </output>
            <span className={expired ? 'field-error' : 'field-hint'}>
              {expired ? 'This code has expired. Make a new one.' : timeLeft(invite.expiresAt, now)}
            </span>
            <div className="row">
              {expired ? (
                <button type="button" className="button" onClick={() => void make.run()}>
                  New code
                </button>
              ) : (
                <button
                  type="button"
                  className="button"
                  onClick={() => void cancel.run()}
                  disabled={cancel.busy}
                >
                  Cancel invitation
                </button>
              )}
            </div>
          </div>
        </div>
      )}
      {make.error !== undefined && (
        <ErrorBanner error={make.error} context="Could not make an invitation" />
      )}
      {cancel.error !== undefined && (
        <ErrorBanner error={cancel.error} context="Could not cancel the invitation" />
      )}
    </div>
  );
}

export function JoinPanel({ api }: { api: PairingApi }) {
  const ids = useId();
  const announce = useAnnounce();
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [joined, setJoined] = useState<string>();
  const problem = codeProblem(code);
  const join = useAction(async (c: string) => {
    const device = await api.join(c);
    setJoined(device.name || device.deviceId.slice(0, 7));
    announce(`Paired with ${device.name || 'the device'}`);
    setCode('');
    setTouched(false);
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    setTouched(true);
    setJoined(undefined);
    if (!problem) void join.run(normaliseCode(code));
  };
  return (
    <form className="pair-panel" onSubmit={submit} noValidate>
      <h3>Join with a code</h3>
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-code`}>
          Code from the other device
        </label>
        <input
          id={`${ids}-code`}
          className="input mono pair-code-input"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          placeholder="ABCD-EFGH"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={touched && problem !== undefined}
          aria-describedby={`${ids}-hint`}
        />
        <span id={`${ids}-hint`} className={touched && problem ? 'field-error' : 'field-hint'}>
          {touched && problem ? problem : 'Dashes and spaces are optional.'}
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={join.busy}>
          {join.busy ? 'Pairing…' : 'Pair'}
        </button>
      </div>
      {joined !== undefined && (
        <p role="status" className="pair-done">
          <Icon name="check" /> Paired with {joined}. It is now a trusted device.
        </p>
      )}
      {join.error !== undefined && (
        <ErrorBanner error={join.error} context="Could not pair with that code" />
      )}
    </form>
  );
}

/** Both halves side by side; shown only when the daemon offers pairing. */
export function PairingCard({ api }: { api: PairingApi }) {
  const ids = useId();
  if (!api.available) return null;
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <div className="card-header">
        <h2 id={`${ids}-title`}>Pair a device</h2>
      </div>
      <div className="card-body pair-grid">
        <InvitePanel api={api} />
        <JoinPanel api={api} />
      </div>
    </section>
  );
}
