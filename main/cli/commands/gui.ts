/** `lanfold gui-url`: prints the address of the running daemon's UI, already signed in (#token=...). */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { requireToken } from '../../daemon/api/index.js';
import { readConfig } from '../../daemon/config.js';
import { DeviceState } from '../../daemon/device.js';
import { lockHolder } from '../../daemon/lock.js';
import { LanfoldError } from '../../engine/errors.js';
import { print, printJson, stateDirOf } from '../context.js';

/** The part of daemon.json this command reads. */
const RuntimeGuiSchema = z.object({
  gui: z.string().nullable().optional(),
  guiError: z.string().nullable().optional(),
});

/**
 * The UI's address with the access token in the fragment: a browser does not send the
 * fragment to the server, and the UI removes it from the address bar once read.
 */
export function guiUrl(stateDir: string): string {
  const { paths } = DeviceState.open(stateDir);
  if (lockHolder(paths.lock) === undefined || !existsSync(paths.runtime)) {
    throw new LanfoldError(
      'DAEMON_UNREACHABLE',
      'The Lanfold daemon is not running',
      'start it with `lanfold start`, then run this again',
    );
  }
  const runtime = readConfig(paths.runtime, RuntimeGuiSchema);
  if (!runtime.gui) {
    throw new LanfoldError(
      'DAEMON_UNREACHABLE',
      `The daemon runs but its control API does not${runtime.guiError ? `: ${runtime.guiError}` : ''}`,
      'restart it with a free loopback address: `lanfold start --gui 127.0.0.1:PORT`',
    );
  }
  return `http://${runtime.gui}/#token=${requireToken(paths.apiToken)}`;
}

export function registerGui(program: Command): void {
  program
    .command('gui-url')
    .description('print the address of the UI of the running daemon, already signed in')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const url = guiUrl(stateDirOf(cmd));
      if (opts.json) printJson({ url });
      else print(url);
    });
}
