/**
 * The control API client for CLI commands that need the running daemon (pairing, devices,
 * offers): built from the daemon's runtime file and token, with the API's errors turned into
 * one-line Lanfold errors.
 */
import { LanfoldApiError, LanfoldClient } from '../api/client.js';
import { LanfoldError } from '../engine/errors.js';
import { guiUrl } from './commands/gui.js';

export function daemonClient(stateDir: string): LanfoldClient {
  const url = new URL(guiUrl(stateDir)); // throws DAEMON_UNREACHABLE when it is not running
  const token = url.hash.replace(/^#token=/, '');
  return new LanfoldClient({ baseUrl: url.origin, token });
}

/** Runs an API call; its failure becomes a LanfoldError (exit 1, one line). */
export async function viaDaemon<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof LanfoldApiError) {
      throw new LanfoldError(
        err.status === 0 || err.status >= 500 ? 'DAEMON_UNREACHABLE' : 'BAD_ARGUMENT',
        err.message,
        err.hint,
      );
    }
    throw err;
  }
}
