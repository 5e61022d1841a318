/**
 * Pairing two devices without copying long IDs: this device makes a short-lived invitation
 * (a code, and the same as a QR code), or joins another device by the code that device
 * shows. Both sides show both devices' names and IDs, to compare. Written against
 * PairingApi (pairing-api.ts), which adapts the API client.
 */
import { addressProblem } from '../../../lib/address';
import { useEffect, useId, useRef, useState, type SyntheticEvent } from 'react';
import { useAnnounce } from '../../../app/Announcer';
import { Banner, ErrorBanner } from '../../../components/Banner';
import { Icon } from '../../../components/Icon';
import { groupedDeviceId } from '../../../lib/format';
import { useAction } from '../../../lib/use-action';
import {
  codeProblem,
  groupCode,
  timeLeft,
  type InviteProgress,
  type JoinedDevice,
  type PairingApi,
  type PairingInvite,
} from './pairing-api';
import { PairedWith } from './PairedWith';
import { QrCode } from './QrCode';

/** This device, as the other side will see it. */
export interface ThisDevice {
  readonly id: string;
  readonly name: string;
}

/** A discovered device the join form is pointed at. */
export interface JoinTarget {
  readonly deviceId: string;
  readonly name: string;
  readonly address: string | null;
}

const POLL_MS = 1500;

/** The invitation this window made last: shown again when the page comes back to it. */
let lastInvite: PairingInvite | undefined;

function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(t);
  }, [active]);
  return now;
}

/** Follows an open invite until it ends (someone joined, it expired or was cancelled). */
function useInviteProgress(
  api: PairingApi,
  invite: PairingInvite | undefined,
): InviteProgress | undefined {
  const [progress, setProgress] = useState<InviteProgress>();
  useEffect(() => {
    setProgress(undefined);
    if (!invite) return;
    let stopped = false;
    let timer: number | undefined;
    const poll = () => {
      api.progress().then(
        (p) => {
          if (stopped) return;
          if (p.code !== null && p.code !== invite.code) return; // a newer invite replaced it
          setProgress(p);
          if (p.state === 'open') timer = window.setTimeout(poll, POLL_MS);
        },
        () => {
          if (!stopped) timer = window.setTimeout(poll, POLL_MS * 2);
        },
      );
    };
    poll();
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [api, invite]);
  return progress;
}

export function InvitePanel({
  api,
  me,
  initial,
  onPaired,
}: {
  api: PairingApi;
  me?: ThisDevice;
  /** An invitation to show at once (tests, and a page that made one already). */
  initial?: PairingInvite;
  onPaired?: (device: JoinedDevice) => void;
}) {
  const ids = useId();
  const announce = useAnnounce();
  const [invite, setInvite] = useState<PairingInvite | undefined>(initial ?? lastInvite);
  // An invitation the daemon still has open (made before a reload, or in another window).
  useEffect(() => {
    if (invite !== undefined) return;
    let stopped = false;
    api.current().then(
      (open) => {
        if (stopped || !open) return;
        lastInvite = open;
        setInvite((shown) => shown ?? open);
      },
      () => undefined, // then the panel just offers to make one
    );
    return () => {
      stopped = true;
    };
  }, [api]);
  const progress = useInviteProgress(api, invite);
  const state = progress?.state ?? 'open';
  const now = useNow(invite !== undefined && state === 'open');
  const make = useAction(async () => {
    const made = await api.invite();
    lastInvite = made;
    setInvite(made);
  });
  const cancel = useAction(async () => {
    await api.cancel();
    lastInvite = undefined;
    setInvite(undefined);
    announce('Invitation cancelled');
  });
  const paired = state === 'paired' ? progress?.paired : null;
  const told = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (!paired || told.current === paired.deviceId) return;
    told.current = paired.deviceId;
    lastInvite = undefined;
    announce(`Paired with ${paired.name || 'the device'}`);
    onPaired?.(paired);
  }, [paired, announce, onPaired]);
  // A page that comes back to an invite that is gone shows the start again.
  useEffect(() => {
    if (invite && initial === undefined && (state === 'none' || state === 'cancelled')) {
      lastInvite = undefined;
      setInvite(undefined);
    }
  }, [invite, initial, state]);

  const expired = invite !== undefined && (state === 'expired' || invite.expiresAt <= now);
  const newCode = (
    <button
      type="button"
      className="button button-primary"
      onClick={() => void make.run()}
      disabled={make.busy}
    >
      <Icon name="link" /> {make.busy ? 'Making a code…' : 'Make an invitation code'}
    </button>
  );
  return (
    <div className="pair-panel">
      <h3>Invite a device</h3>
      {!invite ? (
        <>
          <p className="muted">
            Make a code here, then type it on the other device (Devices, Join with a code). It works
            once, for ten minutes.
          </p>
          <div className="row">{newCode}</div>
        </>
      ) : paired ? (
        <>
          <PairedWith device={paired} me={me} />
          <div className="row">{newCode}</div>
        </>
      ) : (
        <div className="pair-invite">
          <QrCode
            modules={invite.qr.modules}
            label={`QR code of the invitation ${groupCode(invite.code)}`}
          />
          <div className="pair-invite-text">
            <span className="field-label" id={`${ids}-code`}>
              Invitation code
            </span>
            <output className="pair-code mono" aria-labelledby={`${ids}-code`}>
              {groupCode(invite.code)}
            </output>
            <span className={expired ? 'field-error' : 'field-hint'} data-testid="invite-expiry">
              {expired
                ? 'This code has expired. Make a new one.'
                : `Waiting for the other device · ${timeLeft(invite.expiresAt, now)}`}
            </span>
            <span className="field-hint">
              This device: <strong>{invite.name}</strong>{' '}
              <code className="device-id-full">{groupedDeviceId(invite.deviceId)}</code>
            </span>
            {progress !== undefined && progress.recentFailures > 0 && !expired && (
              <span className="field-error" role="status">
                {progress.recentFailures === 1
                  ? 'One wrong code was tried.'
                  : `${progress.recentFailures} wrong codes were tried.`}{' '}
                After four in a minute, further codes are refused for a while.
              </span>
            )}
            <div className="row">
              {expired ? (
                newCode
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

/** What the join panel (and the card holding it) is given. */
interface JoinProps {
  api: PairingApi;
  me?: ThisDevice;
  target?: JoinTarget;
  onPaired?: (device: JoinedDevice) => void;
  onClearTarget?: () => void;
}

export function JoinPanel({ api, me, target, onPaired, onClearTarget }: JoinProps) {
  const ids = useId();
  const announce = useAnnounce();
  const [code, setCode] = useState('');
  const [address, setAddress] = useState(target?.address ?? '');
  const [touched, setTouched] = useState(false);
  const [joined, setJoined] = useState<JoinedDevice>();
  const codeInput = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (!target) return;
    setAddress(target.address ?? '');
    codeInput.current?.focus();
  }, [target]);
  const problem = codeProblem(code);
  const badAddress = addressProblem(address);
  const join = useAction(async () => {
    const device = await api.join({
      code,
      address: address.trim(),
      ...(target && address.trim() === '' ? { devicePrefix: target.deviceId } : {}),
    });
    setJoined(device);
    announce(`Paired with ${device.name || 'the device'}`);
    setCode('');
    setTouched(false);
    onPaired?.(device);
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    setTouched(true);
    setJoined(undefined);
    if (!problem && !badAddress) void join.run();
  };
  return (
    <form className="pair-panel" onSubmit={submit} noValidate aria-label="Join with a code">
      <h3>Join with a code</h3>
      {target && (
        <Banner
          kind="info"
          title={`Pairing with ${target.name || 'a device on this network'}`}
          action={
            onClearTarget && (
              <button type="button" className="button button-small" onClick={onClearTarget}>
                Any device
              </button>
            )
          }
        >
          Make an invitation code on it, then type the code here.
        </Banner>
      )}
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-code`}>
          Code from the other device
        </label>
        <input
          ref={codeInput}
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
      <div className="field">
        <label className="field-label" htmlFor={`${ids}-address`}>
          Other device’s address <span className="faint">(optional)</span>
        </label>
        <input
          id={`${ids}-address`}
          className="input mono"
          value={address}
          onChange={(e) => setAddress(e.target.value)}
          placeholder="192.168.1.20:47210"
          autoComplete="off"
          spellCheck={false}
          aria-invalid={touched && badAddress !== undefined}
          aria-describedby={`${ids}-address-hint`}
        />
        <span
          id={`${ids}-address-hint`}
          className={touched && badAddress ? 'field-error' : 'field-hint'}
        >
          {touched && badAddress
            ? badAddress
            : 'Where Lanfold listens on it (host:port). Needed where devices cannot find each other.'}
        </span>
      </div>
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={join.busy}>
          {join.busy ? 'Pairing…' : 'Pair'}
        </button>
      </div>
      {joined !== undefined && <PairedWith device={joined} me={me} />}
      {join.error !== undefined && (
        <ErrorBanner error={join.error} context="Could not pair with that code" />
      )}
    </form>
  );
}

/** Both halves side by side. */
export function PairingCard({ api, me, target, onPaired, onClearTarget }: JoinProps) {
  const ids = useId();
  return (
    <section className="card" aria-labelledby={`${ids}-title`} id="pair-device">
      <div className="card-header">
        <h2 id={`${ids}-title`}>Pair a device</h2>
      </div>
      <div className="card-body pair-grid">
        <InvitePanel api={api} {...(me ? { me } : {})} {...(onPaired ? { onPaired } : {})} />
        <JoinPanel
          api={api}
          {...(me ? { me } : {})}
          {...(target ? { target } : {})}
          {...(onPaired ? { onPaired } : {})}
          {...(onClearTarget ? { onClearTarget } : {})}
        />
      </div>
    </section>
  );
}
