/**
 * Adding a folder to this device: as its master (this computer owns it, its changes become
 * versions) or as a replica of another device's folder. The path comes from the native
 * folder picker in the desktop app, or is typed in a browser.
 */
import { useId, useState, type SyntheticEvent } from 'react';
import { useClient } from '../../api/connection';
import type { FolderConfig, Peer } from '../../api/types';
import { routeHref } from '../../app/routes';
import { ErrorBanner } from '../../components/Banner';
import { Dialog } from '../../components/Dialog';
import { Icon } from '../../components/Icon';
import { shortDeviceId } from '../../lib/format';
import { FolderPathField } from '../../components/FolderPathField';
import { useAction } from '../../lib/use-action';
import { checkAddFolder, type AddFolderFields } from './add-folder-form';

const EMPTY: AddFolderFields = { role: 'master', path: '', id: '', upstream: '' };

export function AddFolderDialog({
  open,
  onClose,
  onAdded,
  peers,
  existingIds,
}: {
  open: boolean;
  onClose: () => void;
  onAdded: (folder: FolderConfig) => void;
  peers: readonly Peer[];
  existingIds: readonly string[];
}) {
  const client = useClient();
  const ids = useId();
  const [fields, setFields] = useState<AddFolderFields>(EMPTY);
  const [touched, setTouched] = useState(false);
  const check = checkAddFolder(fields, existingIds);
  const problems = touched ? check.problems : {};
  const add = useAction(async () => {
    if (!check.request) return undefined;
    return client.addFolder(check.request);
  });
  const set = (change: Partial<AddFolderFields>) => setFields((f) => ({ ...f, ...change }));
  const close = () => {
    setFields(EMPTY);
    setTouched(false);
    add.clear();
    onClose();
  };
  const submit = async (e: SyntheticEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!check.request) return;
    const added = await add.run();
    if (added) {
      setFields(EMPTY);
      setTouched(false);
      onAdded(added);
    }
  };
  const formId = `${ids}-form`;
  return (
    <Dialog
      title="Add a folder"
      open={open}
      onClose={close}
      actions={
        <>
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button type="submit" form={formId} className="button button-primary" disabled={add.busy}>
            <Icon name="plus" /> {add.busy ? 'Adding…' : 'Add folder'}
          </button>
        </>
      }
    >
      <form id={formId} className="stack-tight" onSubmit={(e) => void submit(e)} noValidate>
        <fieldset className="radio-group">
          <legend className="field-label">This computer keeps the folder as</legend>
          <label className="radio">
            <input
              type="radio"
              name={`${ids}-role`}
              checked={fields.role === 'master'}
              onChange={() => set({ role: 'master' })}
              autoFocus
            />
            <span>
              <strong>Master</strong>
              <span className="field-hint block">
                The folder lives here. Changes made in it become new versions and go to every device
                you share it with.
              </span>
            </span>
          </label>
          <label className="radio">
            <input
              type="radio"
              name={`${ids}-role`}
              checked={fields.role === 'replica'}
              onChange={() => set({ role: 'replica' })}
            />
            <span>
              <strong>Replica</strong>
              <span className="field-hint block">
                A full copy of a folder another device is the master of. It follows that device.
              </span>
            </span>
          </label>
        </fieldset>

        <FolderPathField
          id={`${ids}-path`}
          label={fields.role === 'master' ? 'Folder' : 'Where to keep the copy'}
          value={fields.path}
          onChange={(path) => set({ path })}
          placeholder={fields.role === 'master' ? '/home/ana/Documents' : '/home/ana/Shared'}
          hint={
            fields.role === 'master'
              ? 'An existing folder on this computer. Its files stay where they are.'
              : 'An empty folder, or one to be made. It will hold the master’s files.'
          }
          problem={problems.path}
        />

        <div className="field">
          <label className="field-label" htmlFor={`${ids}-id`}>
            Folder ID {fields.role === 'master' && <span className="faint">(optional)</span>}
          </label>
          <input
            id={`${ids}-id`}
            className="input mono"
            value={fields.id}
            onChange={(e) => set({ id: e.target.value })}
            placeholder={fields.role === 'master' ? 'docs' : 'the master’s folder ID'}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={problems.id !== undefined}
            aria-describedby={`${ids}-id-hint`}
          />
          <span
            id={`${ids}-id-hint`}
            className={problems.id !== undefined ? 'field-error' : 'field-hint'}
          >
            {problems.id ??
              (fields.role === 'master'
                ? 'A short name replicas use to ask for this folder. Left empty, one is made up.'
                : 'The same ID as on the master.')}
          </span>
        </div>

        {fields.role === 'replica' &&
          (peers.length === 0 ? (
            <p className="field-error" role="alert">
              No trusted device yet. Add the master on the{' '}
              <a href={routeHref({ page: 'devices' })} onClick={close}>
                Devices
              </a>{' '}
              page first.
            </p>
          ) : (
            <div className="field">
              <label className="field-label" htmlFor={`${ids}-upstream`}>
                Master device
              </label>
              <select
                id={`${ids}-upstream`}
                className="select"
                value={fields.upstream}
                onChange={(e) => set({ upstream: e.target.value })}
                aria-invalid={problems.upstream !== undefined}
                aria-describedby={`${ids}-upstream-hint`}
              >
                <option value="">Choose a device…</option>
                {peers.map((p) => (
                  <option key={p.deviceId} value={p.deviceId}>
                    {p.name || shortDeviceId(p.deviceId)}
                    {p.connected ? '' : ' (offline)'}
                  </option>
                ))}
              </select>
              <span
                id={`${ids}-upstream-hint`}
                className={problems.upstream !== undefined ? 'field-error' : 'field-hint'}
              >
                {problems.upstream ?? 'The master must also share the folder with this device.'}
              </span>
            </div>
          ))}
        {add.error !== undefined && (
          <ErrorBanner error={add.error} context="Could not add the folder" />
        )}
      </form>
    </Dialog>
  );
}
