/**
 * Pause or resume syncing: one folder, or every folder of this device when no folder is
 * given. The button says what it will do; the result is announced to screen readers, and a
 * failure is shown beside the button in words.
 */
import { useAnnounce } from '../app/Announcer';
import { useClient } from '../api/connection';
import { describeError } from '../lib/errors';
import { useAction } from '../lib/use-action';
import { Icon } from './Icon';

export function PauseButton({
  folderId,
  paused,
  small = false,
}: {
  /** The folder; undefined: every folder of the device. */
  folderId?: string;
  /** Whether it is paused now (for all folders: every one of them). */
  paused: boolean;
  small?: boolean;
}) {
  const client = useClient();
  const announce = useAnnounce();
  const action = useAction(async () => {
    const result = paused ? await client.resume(folderId) : await client.pause(folderId);
    const what = folderId === undefined ? 'All folders' : folderId;
    announce(`${what} ${paused ? 'resumed' : 'paused'}`);
    return result;
  });
  const what = folderId === undefined ? 'all folders' : folderId;
  const label = paused ? 'Resume' : 'Pause';
  return (
    <span className="pause-control">
      <button
        type="button"
        className={`button${small ? ' button-small' : ''}`}
        onClick={() => void action.run()}
        disabled={action.busy}
        aria-label={folderId === undefined ? `${label} all folders` : `${label} ${what}`}
        data-testid={folderId === undefined ? 'pause-all' : `pause-${folderId}`}
      >
        <Icon name={paused ? 'play' : 'pause'} />
        {folderId === undefined ? `${label} all` : label}
      </button>
      {action.error !== undefined && (
        <span className="field-error" role="alert">
          Could not {label.toLowerCase()} {what}: {describeError(action.error).title}
        </span>
      )}
    </span>
  );
}
