/**
 * Where other devices connect to this one (device.json's `listen`, HOST:PORT). A new
 * address is saved at once and used from the next start of Lanfold: the daemon does not
 * close its listening socket under connected devices. The card says which address is in
 * use until then.
 */
import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { useClient } from '../../api/connection';
import type { Status } from '../../api/types';
import { Banner, ErrorBanner } from '../../components/Banner';
import { listenProblem } from '../../lib/address';
import { useAction } from '../../lib/use-action';

export function ListenAddress({
  device,
  onSaved,
}: {
  device: Status['device'];
  onSaved: () => void;
}) {
  const client = useClient();
  const ids = useId();
  const [value, setValue] = useState(device.listen);
  const [touched, setTouched] = useState(false);
  useEffect(() => {
    if (!touched) setValue(device.listen);
  }, [device.listen, touched]);
  const problem = listenProblem(value);
  const save = useAction(async () => {
    await client.updateDevice({ listen: value.trim() });
    setTouched(false);
    onSaved();
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (problem === undefined) void save.run();
  };
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <div className="card-header">
        <h2 id={`${ids}-title`}>Network address</h2>
      </div>
      <form className="card-body stack" onSubmit={submit} noValidate>
        <p className="muted">
          Other devices connect to this computer at{' '}
          <code className="command" data-testid="listening">
            {device.listening}
          </code>
          .
        </p>
        <div className="field field-narrow">
          <label className="field-label" htmlFor={`${ids}-listen`}>
            Listen address
          </label>
          <input
            id={`${ids}-listen`}
            className="input mono"
            value={value}
            spellCheck={false}
            onChange={(e) => {
              setValue(e.target.value);
              setTouched(true);
            }}
            aria-invalid={touched && problem !== undefined}
            aria-describedby={`${ids}-listen-hint`}
          />
          <span
            id={`${ids}-listen-hint`}
            className={touched && problem ? 'field-error' : 'field-hint'}
          >
            {touched && problem
              ? problem
              : 'host:port. 0.0.0.0 listens on every network of this computer; port 0 lets the system pick one.'}
          </span>
        </div>
        {save.error !== undefined && (
          <ErrorBanner error={save.error} context="Could not save the address" />
        )}
        {device.restartNeeded && (
          <Banner kind="warn" title="Takes effect after a restart">
            Saved: {device.listen}. Until Lanfold restarts, it keeps listening on {device.listening}
            ; devices that know the old address find it again by discovery or by the address you
            give them.
          </Banner>
        )}
        <div className="form-actions">
          <button
            type="submit"
            className="button button-primary"
            disabled={save.busy || problem !== undefined || value.trim() === device.listen}
          >
            {save.busy ? 'Saving…' : 'Save address'}
          </button>
        </div>
      </form>
    </section>
  );
}
