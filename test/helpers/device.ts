/** Setting up a device with one master folder through the CLI, and reading its version log. */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { VersionLog } from '../../main/engine/store/version-log.js';
import { lanfoldOk, type CliOptions } from './cli.js';
import { makeTempDir } from './temp.js';
import { waitFor } from './wait.js';

export interface TestDevice {
  /** The state directory (outside the folder). */
  readonly state: string;
  /** The synced folder's real path. */
  readonly folder: string;
  readonly folderId: string;
}

/**
 * `lanfold init` + `lanfold folder add --master` on fresh temp directories; `populate` runs
 * on the folder before it is added (so its content is found by the first scan).
 */
export async function makeDevice(
  options: {
    folderId?: string;
    populate?: (folder: string) => void;
    cli?: CliOptions;
    /** Called on the fresh base directory before anything is made in it (e.g. to chown it). */
    prepare?: (base: string) => void;
  } = {},
): Promise<TestDevice> {
  const base = makeTempDir();
  options.prepare?.(base);
  const state = path.join(base, 'state');
  const folder = path.join(base, 'folder');
  mkdirSync(folder);
  options.populate?.(folder);
  const folderId = options.folderId ?? 'f1';
  // Port 0: each daemon listens on a free port, so tests running side by side do not collide.
  await lanfoldOk(
    ['init', '--name', 'test-device', '--listen', '127.0.0.1:0', '--gui', '127.0.0.1:0'],
    { ...options.cli, state },
  );
  await lanfoldOk(['folder', 'add', folder, '--master', '--id', folderId], {
    ...options.cli,
    state,
  });
  return { state, folder, folderId };
}

export function logPath(device: Pick<TestDevice, 'state' | 'folderId'>): string {
  return path.join(device.state, 'folders', device.folderId, 'log.db');
}

/** Opens the folder's version log read-only (waiting for the daemon to create it). */
export async function openLogReadonly(
  device: Pick<TestDevice, 'state' | 'folderId'>,
): Promise<VersionLog> {
  const file = logPath(device);
  return waitFor(() => existsSync(file) && new VersionLog(file, { readonly: true }), {
    what: `${file} to exist`,
  });
}
