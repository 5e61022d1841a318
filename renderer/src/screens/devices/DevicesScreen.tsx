/**
 * Devices: the paired ones (online or not, where), the ones heard on this network and not
 * paired yet (with a Pair action), pairing by code, adding a device by its ID, removing one.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useClient } from '../../api/connection';
import { useLiveQuery } from '../../api/live';
import type { LanDevice, Status } from '../../api/types';
import { Page } from '../../app/Page';
import { Banner, ErrorBanner } from '../../components/Banner';
import { ConfirmDialog } from '../../components/Dialog';
import { EmptyState } from '../../components/EmptyState';
import { Loading } from '../../components/Loading';
import type { Query } from '../../lib/use-query';
import { shortDeviceId } from '../../lib/format';
import { AddDeviceForm } from './AddDeviceForm';
import { DeviceTable } from './DeviceTable';
import { pairingApi, type JoinedDevice } from './pairing/pairing-api';
import { PairingCard, type JoinTarget } from './pairing/PairingCard';

/** Discovered devices come and go without an event: look again this often. */
const DISCOVERY_POLL_MS = 5000;

export function DevicesScreen({ status }: { status: Query<Status> }) {
  const client = useClient();
  const devices = useLiveQuery(
    'devices',
    () => client.devices(),
    (e) => e.type === 'peer' || (e.type === 'config' && e.what === 'peers'),
  );
  const api = useMemo(() => pairingApi(client), [client]);
  const [removing, setRemoving] = useState<LanDevice | undefined>();
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>();
  const [notice, setNotice] = useState<string | undefined>();
  const [target, setTarget] = useState<JoinTarget | undefined>();
  const me = status.data?.device;

  const discovery = devices.data?.discovery ?? false;
  const reload = devices.reload;
  useInterval(reload, discovery ? DISCOVERY_POLL_MS : undefined);

  const remove = async (d: LanDevice) => {
    setBusy(true);
    setRemoveError(undefined);
    try {
      await client.removePeer(d.deviceId);
      setNotice(`${d.name || shortDeviceId(d.deviceId)} is no longer trusted.`);
      setRemoving(undefined);
      reload();
    } catch (err) {
      setRemoveError(err);
    } finally {
      setBusy(false);
    }
  };
  const onPaired = useCallback(
    (d: JoinedDevice) => {
      setNotice(undefined);
      setTarget((t) => (t?.deviceId === d.deviceId ? undefined : t));
      reload();
    },
    [reload],
  );

  const list = devices.data?.devices;
  const paired = list?.filter((d) => d.paired) ?? [];
  const heard = list?.filter((d) => !d.paired) ?? [];
  return (
    <Page
      title="Devices"
      subtitle="Devices this computer trusts to sync with it, and others nearby."
    >
      <div className="stack">
        {notice !== undefined && <Banner kind="ok" title={notice} />}
        {devices.error !== undefined && (
          <ErrorBanner
            error={devices.error}
            context="Could not load the devices"
            onRetry={devices.reload}
          />
        )}
        {devices.loading && !list && <Loading what="the devices" />}
        {list && paired.length === 0 && (
          <EmptyState icon="devices" title="No paired devices yet">
            <p>
              Pair with another computer below: make an invitation code on one, and type it on the
              other. {discovery ? 'Lanfold devices found on this network are listed too.' : ''}
            </p>
          </EmptyState>
        )}
        {paired.length > 0 && (
          <DeviceTable
            title="Paired devices"
            devices={paired}
            onRemove={(d) => {
              setRemoveError(undefined);
              setRemoving(d);
            }}
          />
        )}
        {list && discovery && heard.length === 0 && (
          <p className="muted" role="status">
            Looking for Lanfold devices on this network… A device shows up here while Lanfold runs
            on it.
          </p>
        )}
        {heard.length > 0 && (
          <DeviceTable
            title="On this network"
            intro="Lanfold devices heard nearby that are not paired with this one. Pair to sync with them."
            devices={heard}
            onPair={(d) => {
              setTarget({ deviceId: d.deviceId, name: d.name, address: d.heardAt });
              document.getElementById('pair-device')?.scrollIntoView({ block: 'start' });
            }}
          />
        )}
        {list && !discovery && (
          <p className="muted">
            Finding devices on this network is off on this computer: to pair, type the other
            device’s address next to its code.
          </p>
        )}
        <PairingCard
          api={api}
          {...(me ? { me } : {})}
          {...(target ? { target } : {})}
          onPaired={onPaired}
          onClearTarget={() => setTarget(undefined)}
        />
        <AddDeviceForm
          onAdded={(p) => {
            setNotice(`${p.name || shortDeviceId(p.deviceId)} is now trusted.`);
            reload();
          }}
        />
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

/** Calls `fn` every `ms` while `ms` is set. */
function useInterval(fn: () => void, ms: number | undefined): void {
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => {
    if (ms === undefined) return;
    const t = window.setInterval(() => ref.current(), ms);
    return () => window.clearInterval(t);
  }, [ms]);
}
