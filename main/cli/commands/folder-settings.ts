/**
 * `lanfold folder set FOLDER SETTING VALUE`: changes one setting of a folder in
 * folders.json; a running daemon applies it to its next version (it watches the file).
 * A master's settings are the folder's; a replica sets whether it relays and, as a relay,
 * the method and policy of the hop below it, and whether it shows an atomic view
 * (docs/atomic-view.md).
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

/** Settings a replica sets for itself (the rest are its master's). */
const REPLICA_SETTINGS = new Set(['atomic-view', 'relay', 'commit-mode', 'two-phase-policy']);

function onOff(value: string, name: string): boolean {
  if (value === 'on' || value === 'off') return value === 'on';
  throw new UsageError(`${name} must be on or off, not "${value}"`);
}

export function registerFolderSettings(folder: Command): void {
  const names = ['atomic-view', 'relay', ...Object.keys(SETTINGS)];
  folder
    .command('set <folder> <setting> <value>')
    .description(
      `change a setting of a folder: ${names.join(', ')} (atomic: comma-separated patterns; on a replica: atomic-view on|off, relay on|off — a replica that also serves replicas, whose commit-mode and two-phase-policy then apply to the hop below it)`,
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
          const on = onOff(value, 'atomic-view');
          const folder = DeviceState.open(stateDirOf(cmd)).setAtomicView(folderId, on);
          if (opts.json) return printJson({ folder: folderId, atomicView: folder.atomicView });
          print(
            `Folder "${folderId}": atomic-view is now ${value} (a running daemon converts the folder within a second).`,
          );
          return;
        }
        const parse = SETTINGS[setting];
        if (!parse && setting !== 'relay')
          throw new UsageError(`unknown setting "${setting}"; settable: ${names.join(', ')}`);
        const state = DeviceState.open(stateDirOf(cmd));
        const role = state.folder(folderId).role;
        if (role === 'replica' && !REPLICA_SETTINGS.has(setting))
          throw new UsageError(
            `Folder "${folderId}" is a replica here: ${setting} is set on its master (a replica sets ${[...REPLICA_SETTINGS].join(', ')})`,
          );
        if (setting === 'relay') {
          const updated = state.setRelay(folderId, onOff(value, 'relay'));
          if (opts.json) return printJson(updated);
          return print(
            updated.relay
              ? `Folder "${folderId}" is now a relay. Serve it with \`lanfold folder share ${folderId} DEVICE_ID\`; those devices list this one in --replica-of.`
              : `Folder "${folderId}" is no longer a relay; it refuses new subscriptions.`,
          );
        }
        const settings = state.setFolderSettings(folderId, parse!(value));
        if (opts.json) return printJson({ folder: folderId, settings });
        print(
          role === 'replica'
            ? `Folder "${folderId}": ${setting} is now ${value} for the replicas it relays to.`
            : `Folder "${folderId}": ${setting} is now ${value}.`,
        );
      },
    );
}
