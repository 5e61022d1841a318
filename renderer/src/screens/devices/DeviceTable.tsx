/**
 * A table of devices: name, ID, address, online state, and one action per row (remove a
 * paired device; pair with one heard on the network).
 */
import { useId } from 'react';
import type { LanDevice } from '../../api/types';
import { Icon } from '../../components/Icon';
import { Pill } from '../../components/Pill';
import { formatAgo, groupedDeviceId, shortDeviceId } from '../../lib/format';

/** Where a device is: its known addresses when paired, else where it was heard. */
export function deviceAddress(d: LanDevice): string | undefined {
  if (d.addresses.length > 0) return d.addresses.join(', ');
  return d.heardAt ?? undefined;
}

/** "Online", "Offline · seen 5 min ago", "Heard just now". */
export function deviceState(d: LanDevice, now = Date.now()): { text: string; online: boolean } {
  if (d.paired && d.connected) return { text: 'Online', online: true };
  if (!d.paired)
    return {
      text: d.lastSeen !== null ? `Heard ${formatAgo(d.lastSeen, now)}` : 'Nearby',
      online: true,
    };
  return {
    text: d.lastSeen !== null ? `Offline · seen ${formatAgo(d.lastSeen, now)}` : 'Offline',
    online: false,
  };
}

export function DeviceTable({
  title,
  intro,
  devices,
  onRemove,
  onPair,
}: {
  title: string;
  intro?: string;
  devices: readonly LanDevice[];
  onRemove?: (d: LanDevice) => void;
  onPair?: (d: LanDevice) => void;
}) {
  const ids = useId();
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <div className="card-header">
        <h2 id={`${ids}-title`}>
          {title} <span className="count">{devices.length}</span>
        </h2>
      </div>
      {intro !== undefined && <p className="card-intro muted">{intro}</p>}
      <table className="table" aria-labelledby={`${ids}-title`}>
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
          {devices.map((d) => {
            const label = d.name || shortDeviceId(d.deviceId);
            const address = deviceAddress(d);
            const state = deviceState(d);
            return (
              <tr key={d.deviceId}>
                <td>
                  <span className="row">
                    <Icon name="device" className="icon-muted" />
                    <strong>{d.name || 'Unnamed device'}</strong>
                  </span>
                </td>
                <td>
                  <code title={groupedDeviceId(d.deviceId)}>{shortDeviceId(d.deviceId)}</code>
                </td>
                <td>
                  {address !== undefined ? (
                    <code>{address}</code>
                  ) : (
                    <span className="faint">Found when it connects</span>
                  )}
                </td>
                <td>
                  <Pill tone={state.online ? (d.paired ? 'ok' : 'accent') : 'idle'}>
                    {state.text}
                  </Pill>
                </td>
                <td className="actions">
                  {onPair && (
                    <button
                      type="button"
                      className="button button-small button-primary"
                      onClick={() => onPair(d)}
                      aria-label={`Pair with ${label}`}
                    >
                      <Icon name="link" /> Pair
                    </button>
                  )}
                  {onRemove && (
                    <button
                      type="button"
                      className="button button-small button-danger"
                      onClick={() => onRemove(d)}
                      aria-label={`Remove ${label}`}
                    >
                      <Icon name="trash" /> Remove
                    </button>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
