/** A strip above every screen while the daemon cannot be reached: what is shown may be old. */
import { Icon } from '../components/Icon';

export function ConnectionLost() {
  return (
    <div className="connection-lost" role="alert">
      <Icon name="alert" />
      <span>
        <strong>Lost contact with Lanfold’s background service.</strong> What you see may be out of
        date; this window reconnects by itself when it is running again.
      </span>
    </div>
  );
}
