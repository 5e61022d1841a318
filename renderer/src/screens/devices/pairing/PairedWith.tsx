/**
 * The end of a pairing, as the CLI prints it: the device now paired and this device, each
 * with its name and full ID, so the two people can compare what both screens show.
 */
import { Icon } from '../../../components/Icon';
import { groupedDeviceId } from '../../../lib/format';
import type { JoinedDevice } from './pairing-api';

export function PairedWith({
  device,
  me,
}: {
  device: JoinedDevice;
  me?: { readonly id: string; readonly name: string } | undefined;
}) {
  return (
    <div className="pair-done" role="status">
      <p className="pair-done-title">
        <Icon name="check" /> Paired with <strong>{device.name || 'a device'}</strong>. It is now a
        trusted device.
      </p>
      <dl className="pair-ids">
        <dt>Paired with</dt>
        <dd>
          <strong>{device.name || 'Unnamed device'}</strong>{' '}
          <code className="device-id-full">{groupedDeviceId(device.deviceId)}</code>
        </dd>
        {me && (
          <>
            <dt>This device</dt>
            <dd>
              <strong>{me.name}</strong>{' '}
              <code className="device-id-full">{groupedDeviceId(me.id)}</code>
            </dd>
          </>
        )}
      </dl>
      <p className="field-hint">Both screens should show the same two devices.</p>
    </div>
  );
}
