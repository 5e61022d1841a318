/**
 * Where a device keeps its state: one directory (from --state, LANFOLD_STATE, or the
 * platform's config directory) holding the identity, the configuration, the daemon lock
 * and one subdirectory per folder. It must never lie inside a synced folder.
 */
import { realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LanfoldError } from '../engine/errors.js';

export interface StatePaths {
  readonly dir: string;
  readonly device: string;
  readonly cert: string;
  readonly key: string;
  readonly folders: string;
  readonly peers: string;
  readonly lock: string;
  readonly logFile: string;
  readonly runtime: string;
  /** The control API's access token (0600). */
  readonly apiToken: string;
  folderData(id: string): string;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANFOLD_STATE) return env.LANFOLD_STATE;
  const home = os.homedir();
  if (process.platform === 'darwin')
    return path.join(home, 'Library', 'Application Support', 'Lanfold');
  if (process.platform === 'win32')
    return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Lanfold');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'lanfold');
}

export function statePaths(dir: string): StatePaths {
  const abs = path.resolve(dir);
  return {
    dir: abs,
    device: path.join(abs, 'device.json'),
    cert: path.join(abs, 'cert.pem'),
    key: path.join(abs, 'key.pem'),
    folders: path.join(abs, 'folders.json'),
    peers: path.join(abs, 'peers.json'),
    lock: path.join(abs, 'daemon.lock'),
    logFile: path.join(abs, 'daemon.log'),
    runtime: path.join(abs, 'daemon.json'),
    apiToken: path.join(abs, 'api-token'),
    folderData: (id: string) => path.join(abs, 'folders', id),
  };
}

/** Refuses a state directory inside (or equal to, or containing) a synced folder. */
export function checkStateOutside(stateDir: string, folderRoot: string): void {
  const s = realResolve(stateDir);
  const f = realResolve(folderRoot);
  if (isInside(s, f) || isInside(f, s)) {
    throw new LanfoldError(
      'STATE_INSIDE_FOLDER',
      `The state directory ${s} and the folder ${f} overlap`,
      'keep the state directory (--state or LANFOLD_STATE) outside every synced folder',
    );
  }
}

/** True when `inner` is `outer` or lies below it. */
export function isInside(inner: string, outer: string): boolean {
  const rel = path.relative(outer, inner);
  // `..state` is a name inside `outer`; only `..` itself or `../...` leads out.
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + path.sep) && !path.isAbsolute(rel));
}

/** The absolute path with symlinks resolved as far as it exists (the rest may not exist yet). */
function realResolve(p: string): string {
  const abs = path.resolve(p);
  let existing = abs;
  for (;;) {
    try {
      return path.join(realpathSync(existing), path.relative(existing, abs));
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return abs;
      existing = parent;
    }
  }
}
