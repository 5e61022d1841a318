/**
 * Whether the desktop app starts when the user logs in (through the preload bridge). In a
 * browser there is no such thing: the card says where to set it.
 */
import { useEffect, useId, useState } from 'react';
import { ErrorBanner } from '../../components/Banner';
import { nativeBridge } from '../../lib/native';
import { useAction } from '../../lib/use-action';

export function StartAtLogin() {
  const ids = useId();
  const bridge = nativeBridge();
  const [on, setOn] = useState<boolean>();
  const load = useAction(async () => {
    if (bridge) setOn(await bridge.getStartAtLogin());
  });
  const change = useAction(async (next: boolean) => {
    if (bridge) setOn(await bridge.setStartAtLogin(next));
  });
  const { run } = load;
  useEffect(() => void run(), [run]);
  return (
    <section className="card" aria-labelledby={`${ids}-title`}>
      <div className="card-header">
        <h2 id={`${ids}-title`}>Start</h2>
      </div>
      <div className="card-body stack">
        {bridge ? (
          <label className="radio">
            <input
              type="checkbox"
              checked={on ?? false}
              disabled={on === undefined || change.busy}
              onChange={(e) => void change.run(e.target.checked)}
            />
            <span>
              Open Lanfold when I log in
              <span className="field-hint block">
                Folders keep syncing in the background whether or not the window is open.
              </span>
            </span>
          </label>
        ) : (
          <p className="muted">
            Starting at login is set in the Lanfold desktop app. Without it, start the background
            service with <code className="command">lanfold start</code>.
          </p>
        )}
        {(load.error ?? change.error) !== undefined && (
          <ErrorBanner
            error={load.error ?? change.error}
            context="Could not change starting at login"
          />
        )}
      </div>
    </section>
  );
}
