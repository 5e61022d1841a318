/** Trusted devices: who they are, where, whether they are online; add one, remove one. */
import { useState } from 'react';
import { useClient } from '../../api/connection';
import { useLiveQuery } from '../../api/live';
import type { Peer } from '../../api/types';
import { Page } from '../../app/Page';
import { Banner, ErrorBanner } from '../../components/Banner';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { Icon } from '../../components/Icon';
import { Loading } from '../../components/Loading';
import { Pill } from '../../components/Pill';
import { groupedDeviceId, shortDeviceId } from '../../lib/format';
import { AddDeviceForm } from './AddDeviceForm';
import { NO_PAIRING } from './pairing/pairing-api';
import { PairingCard } from './pairing/PairingCard';

export function DevicesScreen() {
  const client = useClient();
  const peers = useLiveQuery(
    'peers',
    () => client.peers(),
    (e) => e.type === 'peer' || (e.type === 'config' && e.what === 'peers'),
  );
  const [removing, setRemoving] = useState<Peer | undefined>();
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();

  const remove = async (peer: Peer) => {
    setBusy(true);
    setRemoveError(undefined);
    try {
      await client.removePeer(peer.deviceId);
      setNotice(`${peer.name || shortDeviceId(peer.deviceId)} is no longer trusted.`);
      setRemoving(undefined);
      peers.reload();
    } catch (err) {
      setRemoveError(err);
    } finally {
      setBusy(false);
    }
  };

  const list = peers.data;
  return (
    <Page title="Devices" subtitle="Devices this computer trusts to sync with it.">
      <div className="stack">
        {notice !== undefined && <Banner kind="ok" title={notice} />}
        {peers.error !== undefined && (
          <ErrorBanner
            error={peers.error}
            context="Could not load the devices"
            onRetry={peers.reload}
          />
        )}
        {peers.loading && !list && <Loading what="the devices" />}
        {list && list.length === 0 && (
          <EmptyState icon="devices" title="No trusted devices yet">
            <p>
              Add the other computer below with its device ID (it prints it with{' '}
              <code className="command">lanfold id</code>) and, if it is the master of a folder, its
              address. Do the same on the other computer for this one.
            </p>
          </EmptyState>
        )}
        {list && list.length > 0 && (
          <section className="card" aria-labelledby="devices-trusted">
            <div className="card-header">
              <h2 id="devices-trusted">Trusted devices</h2>
            </div>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Device ID</th>
                  <th scope="col">Address</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((p) => (
                  <tr key={p.deviceId}>
                    <td>
                      <span className="row">
                        <Icon name="device" className="icon-muted" />
                        <strong>{p.name || 'Unnamed device'}</strong>
                      </span>
                    </td>
                    <td>
                      <code title={groupedDeviceId(p.deviceId)}>{shortDeviceId(p.deviceId)}</code>
                    </td>
                    <td>
                      {p.addresses.length > 0 ? (
                        <code>{p.addresses.join(', ')}</code>
                      ) : (
                        <span className="faint">Found when it connects</span>
                      )}
                    </td>
                    <td>
                      {p.connected ? (
                        <Pill tone="ok">Online</Pill>
                      ) : (
                        <Pill tone="idle">Offline</Pill>
                      )}
                    </td>
                    <td className="actions">
                      <button
                        type="button"
                        className="button button-small button-danger"
                        onClick={() => {
                          setRemoveError(undefined);
                          setRemoving(p);
                        }}
                        aria-label={`Remove ${p.name || shortDeviceId(p.deviceId)}`}
                      >
                        <Icon name="trash" /> Remove
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
        {/* Shown once the daemon has pairing routes: swap NO_PAIRING for the client's adapter. */}
        <PairingCard api={NO_PAIRING} />
        <AddDeviceForm
          onAdded={(p) => {
            setNotice(`${p.name || shortDeviceId(p.deviceId)} is now trusted.`);
            peers.reload();
          }}
        />
        <section className="placeholder-panel" aria-labelledby="devices-later">
          <h3 id="devices-later">Pairing by code and nearby devices</h3>
          <p>
            Coming in a later version: pair with a short code instead of typing a device ID, and see
            Lanfold devices found on this network. Until then, add devices by ID above.
          </p>
        </section>
      </div>
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove ${removing?.name || 'this device'}?`}
        confirmLabel="Remove device"
        danger
        busy={busy}
        onCancel={() => setRemoving(undefined)}
        onConfirm={() => removing && void remove(removing)}
      >
        <p>
          Lanfold stops syncing with <strong>{removing?.name || 'this device'}</strong> at once and
          refuses its connections. Files already synced stay where they are on both computers.
        </p>
        {removeError !== undefined && (
          <ErrorBanner error={removeError} context="Could not remove it" />
        )}
      </ConfirmDialog>
    </Page>
  );
}
