/** Trusting a device by its ID, with the address where it listens (needed to reach a master). */
import { useId, useState, type SyntheticEvent } from 'react';
import { useClient } from '../../api/connection';
import type { Peer } from '../../api/types';
import { ErrorBanner } from '../../components/Banner';
import { Icon } from '../../components/Icon';
import { addressProblem as checkAddress } from '../../lib/address';

/** Letters and digits of a device ID as typed or pasted (grouping dashes and spaces dropped). */
function cleanId(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

export function AddDeviceForm({ onAdded }: { onAdded: (p: Peer) => void }) {
  const client = useClient();
  const ids = useId();
  const [deviceId, setDeviceId] = useState('');
  const [address, setAddress] = useState('');
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  const id = cleanId(deviceId);
  const idProblem =
    id === ''
      ? 'Enter the device ID.'
      : !/^[A-Z2-7]{52}$/.test(id)
        ? 'A device ID has 52 letters and digits (dashes are optional).'
        : undefined;
  const addressProblem = checkAddress(address);

  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    setTouched(true);
    if (idProblem || addressProblem) return;
    setBusy(true);
    setError(undefined);
    try {
      const peer = await client.addPeer({
        deviceId: id,
        ...(address.trim() !== '' ? { address: address.trim() } : {}),
        ...(name.trim() !== '' ? { name: name.trim() } : {}),
      });
      setDeviceId('');
      setAddress('');
      setName('');
      setTouched(false);
      onAdded(peer);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <div className="card-header">
        <h2 id={`${ids}-title`}>Add a device by its ID</h2>
      </div>
      <form className="card-body" onSubmit={(e) => void submit(e)} noValidate>
        <div className="form-grid">
          <div className="field field-wide">
            <label className="field-label" htmlFor={`${ids}-id`}>
              Device ID
            </label>
            <input
              id={`${ids}-id`}
              className="input mono"
              value={deviceId}
              onChange={(e) => setDeviceId(e.target.value)}
              placeholder="ABCD-EFGH-…"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={touched && idProblem !== undefined}
              aria-describedby={`${ids}-id-hint`}
            />
            <span
              id={`${ids}-id-hint`}
              className={touched && idProblem ? 'field-error' : 'field-hint'}
            >
              {touched && idProblem ? idProblem : 'The other computer shows it with `lanfold id`.'}
            </span>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${ids}-address`}>
              Address <span className="faint">(optional)</span>
            </label>
            <input
              id={`${ids}-address`}
              className="input mono"
              value={address}
              onChange={(e) => setAddress(e.target.value)}
              placeholder="192.168.1.20:47210"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={touched && addressProblem !== undefined}
              aria-describedby={`${ids}-address-hint`}
            />
            <span
              id={`${ids}-address-hint`}
              className={touched && addressProblem ? 'field-error' : 'field-hint'}
            >
              {touched && addressProblem
                ? addressProblem
                : 'Needed to reach a device that is the master of a folder you follow.'}
            </span>
          </div>
          <div className="field">
            <label className="field-label" htmlFor={`${ids}-name`}>
              Name <span className="faint">(optional)</span>
            </label>
            <input
              id={`${ids}-name`}
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Office desktop"
              autoComplete="off"
            />
          </div>
        </div>
        {error !== undefined && (
          <div className="form-error">
            <ErrorBanner error={error} context="Could not add the device" />
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            <Icon name="plus" /> {busy ? 'Adding…' : 'Add device'}
          </button>
        </div>
      </form>
    </section>
  );
}
