/** What the window shows without a valid access token: how to open Lanfold properly. */
import { Icon } from '../components/Icon';
import { useTheme } from './theme';

export function SignedOut({ refused }: { refused: boolean }) {
  useTheme();
  return (
    <main className="signed-out" id="main">
      <div className="signed-out-card card">
        <div className="brand">
          <Icon name="logo" />
          <span>Lanfold</span>
        </div>
        <h1>{refused ? 'This link has expired' : 'Open Lanfold from its own link'}</h1>
        <p className="muted">
          {refused
            ? 'The background service did not accept this window’s access key; it changes when Lanfold is set up again.'
            : 'For your safety, Lanfold’s window only opens with the private link the background service gives out.'}
        </p>
        <p>On this computer, run:</p>
        <p>
          <code className="command">lanfold gui-url</code>
        </p>
        <p className="muted">and open the address it prints. The desktop app does this for you.</p>
      </div>
    </main>
  );
}
