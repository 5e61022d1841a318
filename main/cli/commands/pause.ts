/** `lanfold pause [FOLDER]`, `lanfold resume [FOLDER]`: stop and restart syncing a folder, or all. */
import type { Command } from 'commander';
import { DeviceState } from '../../daemon/device.js';
import { print, printJson, stateDirOf } from '../context.js';

function setPaused(cmd: Command, folderId: string | undefined, paused: boolean, json: boolean) {
  const state = DeviceState.open(stateDirOf(cmd));
  const changed = state.setPaused(folderId, paused).map((f) => f.id);
  if (json)
    return printJson({
      changed,
      folders: state.folders.map((f) => ({ id: f.id, paused: f.paused })),
    });
  if (state.folders.length === 0)
    return print('No folders yet. Add one with `lanfold folder add PATH --master`.');
  const verb = paused ? 'Paused' : 'Resumed';
  const what = folderId === undefined ? 'every folder' : `folder "${folderId}"`;
  if (changed.length === 0)
    return print(
      `${what[0]!.toUpperCase()}${what.slice(1)} was already ${paused ? 'paused' : 'running'}.`,
    );
  print(
    paused
      ? `${verb} ${what}: it neither applies nor serves versions until \`lanfold resume\`. A running daemon stops within a second.`
      : `${verb} ${what}: a running daemon catches up within seconds.`,
  );
}

export function registerPause(program: Command): void {
  program
    .command('pause [folder]')
    .description(
      'pause syncing a folder (all folders without FOLDER): a replica stops applying, a master stops serving; nothing is lost',
    )
    .option('--json', 'print JSON')
    .action((folderId: string | undefined, opts: { json?: boolean }, cmd: Command) =>
      setPaused(cmd, folderId, true, opts.json === true),
    );
  program
    .command('resume [folder]')
    .description('resume syncing a paused folder (all folders without FOLDER); it catches up')
    .option('--json', 'print JSON')
    .action((folderId: string | undefined, opts: { json?: boolean }, cmd: Command) =>
      setPaused(cmd, folderId, false, opts.json === true),
    );
}
