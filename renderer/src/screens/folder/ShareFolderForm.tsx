/**
 * Sharing a master folder with a trusted device: the devices it is not shared with yet, in
 * a list to pick from. That device then adds the folder as a replica (same folder ID).
 */
import { useId, useState, type SyntheticEvent } from 'react';
import { useClient } from '../../api/connection';
import { useLiveQuery } from '../../api/live';
import type { FolderDetail } from '../../api/types';
import { useAnnounce } from '../../app/Announcer';
import { routeHref } from '../../app/routes';
import { ErrorBanner } from '../../components/Banner';
import { Icon } from '../../components/Icon';
import { shortDeviceId } from '../../lib/format';
import { useAction } from '../../lib/use-action';

export function ShareFolderForm({
  folder,
  onShared,
}: {
  folder: FolderDetail;
  onShared: () => void;
}) {
  const client = useClient();
  const announce = useAnnounce();
  const ids = useId();
  const peers = useLiveQuery(
    'peers',
    () => client.peers(),
    (e) => e.type === 'peer' || e.type === 'config',
  );
  const [deviceId, setDeviceId] = useState('');
  const candidates = (peers.data ?? []).filter((p) => !folder.sharedWith.includes(p.deviceId));
  const share = useAction(async (id: string) => {
    await client.shareFolder(folder.id, id);
    const peer = candidates.find((p) => p.deviceId === id);
    announce(`${folder.id} is now shared with ${peer?.name || shortDeviceId(id)}`);
    setDeviceId('');
    onShared();
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (deviceId !== '') void share.run(deviceId);
  };
  if (!peers.data) return null;
  if (peers.data.length === 0)
    return (
      <p className="muted share-hint">
        To share this folder, first add the other computer on the{' '}
        <a href={routeHref({ page: 'devices' })}>Devices</a> page.
      </p>
    );
  if (candidates.length === 0)
    return <p className="muted share-hint">Shared with every trusted device.</p>;
  return (
    <form className="share-form" onSubmit={submit}>
      <label className="field-label" htmlFor={`${ids}-device`}>
        Share with
      </label>
      <select
        id={`${ids}-device`}
        className="select"
        value={deviceId}
        onChange={(e) => setDeviceId(e.target.value)}
        aria-describedby={`${ids}-hint`}
      >
        <option value="">Choose a device…</option>
        {candidates.map((p) => (
          <option key={p.deviceId} value={p.deviceId}>
            {p.name || shortDeviceId(p.deviceId)}
          </option>
        ))}
      </select>
      <button
        type="submit"
        className="button"
        disabled={deviceId === '' || share.busy}
        aria-label={`Share ${folder.id}`}
      >
        <Icon name="share" /> {share.busy ? 'Sharing…' : 'Share'}
      </button>
      <span id={`${ids}-hint`} className="field-hint share-hint-line">
        Then, on that device, add the folder as a replica with the ID{' '}
        <code className="command">{folder.id}</code>.
      </span>
      {share.error !== undefined && (
        <div className="share-error">
          <ErrorBanner error={share.error} context="Could not share the folder" />
        </div>
      )}
    </form>
  );
}
