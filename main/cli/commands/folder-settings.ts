/**
 * `lanfold folder set FOLDER SETTING VALUE`: changes one setting of a master folder in
 * folders.json; a running daemon applies it to its next version (it watches the file).
 * `atomic-view on|off` is the one setting of a replica folder (see docs/atomic-view.md).
 */
import type { Command } from 'commander';
import { DeviceState } from '../../daemon/device.js';
import type { FolderSettings } from '../../engine/folder-settings.js';
import { UsageError, print, printJson, stateDirOf } from '../context.js';

/** Each settable name, with how its value is read. */
const SETTINGS: Record<string, (value: string) => Partial<FolderSettings>> = {
  'commit-mode': (v) => ({
    commitMode: oneOf(v, ['auto', 'one-phase', 'two-phase'] as const, 'commit-mode'),
  }),
  'two-phase-policy': (v) => ({
    twoPhasePolicy: oneOf(v, ['all', 'available'] as const, 'two-phase-policy'),
  }),
  'deletion-guard': (v) => ({ deletionGuardRatio: ratio(v) }),
  atomic: (v) => ({
    atomicPatterns: v
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  }),
};

/** The replica folder's setting: on or off, nothing else. */
function onOff(value: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new UsageError(`atomic-view must be on or off, not "${value}"`);
}

const REPLICA_SETTINGS = ['atomic-view'];

function oneOf<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}, not "${value}"`);
}

function ratio(value: string): number {
  if (value === 'off') return 1; // never hold (see massDeletion)
  const pct = /^(\d{1,3}(?:\.\d+)?)%$/.exec(value);
  const n = pct ? Number(pct[1]) / 100 : Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1 || value.trim() === '')
    throw new UsageError(
      `deletion-guard must be a fraction from 0 to 1, a percentage (e.g. 0.5 or 50%) or off, not "${value}"`,
    );
  return n;
}

export function registerFolderSettings(folder: Command): void {
  folder
    .command('set <folder> <setting> <value>')
    .description(
      `change a setting of a master folder: ${Object.keys(SETTINGS).join(', ')} (atomic: comma-separated patterns); of a replica folder: atomic-view on|off`,
    )
    .option('--json', 'print JSON')
    .action(
      (
        folderId: string,
        setting: string,
        value: string,
        opts: { json?: boolean },
        cmd: Command,
      ) => {
        if (setting === 'atomic-view') {
          const on = onOff(value);
          const folder = DeviceState.open(stateDirOf(cmd)).setAtomicView(folderId, on);
          if (opts.json) return printJson({ folder: folderId, atomicView: folder.atomicView });
          print(
            `Folder "${folderId}": atomic-view is now ${value} (a running daemon converts the folder within a second).`,
          );
          return;
        }
        const parse = SETTINGS[setting];
        if (!parse)
          throw new UsageError(
            `unknown setting "${setting}"; settable: ${[...Object.keys(SETTINGS), ...REPLICA_SETTINGS].join(', ')}`,
          );
        const state = DeviceState.open(stateDirOf(cmd));
        const settings = state.setFolderSettings(folderId, parse(value));
        if (opts.json) return printJson({ folder: folderId, settings });
        print(`Folder "${folderId}": ${setting} is now ${value}.`);
      },
    );
}
