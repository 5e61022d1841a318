/**
 * This device: its ID (to give to other devices), its name, the address other devices
 * connect to, and the colour theme.
 */
import { useEffect, useId, useState, type SyntheticEvent } from 'react';
import { useClient } from '../../api/connection';
import type { Status } from '../../api/types';
import { Page } from '../../app/Page';
import { ThemeToggle } from '../../app/ThemeToggle';
import { Banner, ErrorBanner } from '../../components/Banner';
import { Loading } from '../../components/Loading';
import { groupedDeviceId } from '../../lib/format';
import type { Query } from '../../lib/use-query';
import { ListenAddress } from './ListenAddress';
import { StartAtLogin } from './StartAtLogin';

export function DeviceSettingsScreen({ status }: { status: Query<Status> }) {
  const client = useClient();
  const ids = useId();
  const device = status.data?.device;
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    if (device) setName(device.name);
  }, [device?.name]);

  const problem =
    name.trim() === ''
      ? 'Give this device a name.'
      : name.trim().length > 64
        ? 'Use at most 64 characters.'
        : undefined;
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    if (problem) return;
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      await client.updateDevice({ name: name.trim() });
      setSaved(true);
      status.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Page title="This device" subtitle="How other devices see this computer.">
      <div className="stack">
        {status.error !== undefined && <ErrorBanner error={status.error} onRetry={status.reload} />}
        {!device && status.loading && <Loading what="this device" />}
        {device && (
          <section className="card" aria-labelledby={`${ids}-id`}>
            <div className="card-header">
              <h2 id={`${ids}-id`}>Device ID</h2>
            </div>
            <div className="card-body stack">
              <p className="muted">
                Give this ID to another Lanfold device so that it can trust this one. Compare it
                with what the other side shows before you trust it.
              </p>
              <code className="device-id" aria-label="Device ID">
                {groupedDeviceId(device.id)}
              </code>
            </div>
          </section>
        )}
        {device && (
          <section className="card" aria-labelledby={`${ids}-name-title`}>
            <div className="card-header">
              <h2 id={`${ids}-name-title`}>Name</h2>
            </div>
            <form className="card-body stack" onSubmit={(e) => void submit(e)} noValidate>
              <div className="field field-narrow">
                <label className="field-label" htmlFor={`${ids}-name`}>
                  Device name
                </label>
                <input
                  id={`${ids}-name`}
                  className="input"
                  value={name}
                  maxLength={64}
                  onChange={(e) => {
                    setName(e.target.value);
                    setSaved(false);
                  }}
                  aria-invalid={problem !== undefined}
                  aria-describedby={`${ids}-name-hint`}
                />
                <span id={`${ids}-name-hint`} className={problem ? 'field-error' : 'field-hint'}>
                  {problem ?? 'Shown to the devices you sync with.'}
                </span>
              </div>
              {error !== undefined && (
                <ErrorBanner error={error} context="Could not rename this device" />
              )}
              {saved && <Banner kind="ok" title="Saved." />}
              <div className="form-actions">
                <button
                  type="submit"
                  className="button button-primary"
                  disabled={busy || problem !== undefined || name.trim() === device.name}
                >
                  {busy ? 'Saving…' : 'Save name'}
                </button>
              </div>
            </form>
          </section>
        )}
        {device && <ListenAddress device={device} onSaved={status.reload} />}
        <section className="card" aria-labelledby={`${ids}-look`}>
          <div className="card-header">
            <h2 id={`${ids}-look`}>Appearance</h2>
          </div>
          <div className="card-body row">
            <span className="muted">Theme</span>
            <ThemeToggle />
          </div>
        </section>
        <StartAtLogin />
      </div>
    </Page>
  );
}
