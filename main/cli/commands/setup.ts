/** `lanfold init`, `lanfold id`, `lanfold folder add|share|set|list`: creating a device and its folders. */
import { registerFolderSettings } from './folder-settings.js';
import path from 'node:path';
import type { Command } from 'commander';
import { DeviceState, initDevice } from '../../daemon/device.js';
import {
  formatDeviceId,
  parseDeviceId,
  shortDeviceId,
  type DeviceId,
} from '../../transport/identity.js';
import { table } from '../format.js';
import { print, printJson, stateDirOf, UsageError } from '../context.js';

const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

function hostPort(raw: string, what: string): string {
  const m = HOST_PORT.exec(raw);
  const port = m ? Number(m[2]) : -1;
  if (!m || port < 0 || port > 65535)
    throw new UsageError(`${what} must be HOST:PORT (for example 127.0.0.1:47210), not "${raw}"`);
  return raw;
}

export function registerSetup(program: Command): void {
  program
    .command('init')
    .description('create this device: its identity and state directory')
    .requiredOption('--name <name>', 'a name for this device, shown to other devices')
    .option('--listen <host:port>', 'address for other devices to connect to')
    .option('--gui <host:port>', 'address of the control API and web UI')
    .option('--no-discovery', 'do not announce this device or look for others on the LAN (mDNS)')
    .option('--json', 'print JSON')
    .action(
      async (
        opts: { name: string; listen?: string; gui?: string; discovery: boolean; json?: boolean },
        cmd: Command,
      ) => {
        const name = opts.name.trim();
        if (name === '' || name.length > 64)
          throw new UsageError('--name must be 1 to 64 characters');
        const device = await initDevice(stateDirOf(cmd), {
          name,
          ...(opts.listen ? { listen: hostPort(opts.listen, '--listen') } : {}),
          ...(opts.gui ? { gui: hostPort(opts.gui, '--gui') } : {}),
          discovery: opts.discovery,
        });
        if (opts.json)
          printJson({
            deviceId: device.deviceId,
            name: device.name,
            stateDir: path.resolve(stateDirOf(cmd)),
          });
        else
          print(
            `Created device "${device.name}" in ${path.resolve(stateDirOf(cmd))}\nDevice ID: ${formatDeviceId(device.deviceId as DeviceId)}`,
          );
      },
    );

  program
    .command('id')
    .description("print this device's ID")
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const state = DeviceState.open(stateDirOf(cmd));
      if (opts.json) printJson({ deviceId: state.device.deviceId, name: state.device.name });
      else print(formatDeviceId(state.device.deviceId as DeviceId));
    });

  const folder = program.command('folder').description('manage synced folders');
  folder
    .command('add <path>')
    .description('add a folder to this device, as its master or as a replica of another device')
    .option('--master', 'this device is the master of the folder (it owns the truth)')
    .option(
      '--replica-of <device-ids>',
      'keep a replica of the folder from this device (comma-separated: in order of preference)',
    )
    .option(
      '--id <id>',
      "folder ID (default for a master: a random one; a replica uses its master's)",
    )
    .option('--json', 'print JSON')
    .action(
      (
        folderPath: string,
        opts: { master?: boolean; replicaOf?: string; id?: string; json?: boolean },
        cmd: Command,
      ) => {
        if (Boolean(opts.master) === Boolean(opts.replicaOf)) {
          throw new UsageError(
            'say how this device holds the folder: --master, or --replica-of DEVICE_ID',
          );
        }
        const state = DeviceState.open(stateDirOf(cmd));
        const listed = opts.replicaOf?.split(',').map((s) => s.trim());
        const empty = listed?.indexOf('') ?? -1;
        if (empty >= 0)
          throw new UsageError(
            `--replica-of: device ${empty + 1} of the list is empty (give IDs separated by commas)`,
          );
        const upstreams = listed?.map((s) => parseDeviceId(s));
        const added = state.addFolder({
          path: folderPath,
          role: opts.master ? 'master' : 'replica',
          ...(opts.id ? { id: opts.id } : {}),
          ...(upstreams ? { upstreams } : {}),
        });
        if (opts.json) return printJson(added);
        const how =
          added.role === 'master'
            ? 'master'
            : `replica of ${upstreams!.map((u) => shortDeviceId(u)).join(', ')}`;
        const next =
          added.role === 'master'
            ? `\nShare it with \`lanfold folder share ${added.id} DEVICE_ID\`.`
            : '';
        print(
          `Added folder "${added.id}" (${how}) at ${added.path}${next}\nA running daemon picks it up within seconds; otherwise run \`lanfold start\`.`,
        );
      },
    );
  folder
    .command('share <folder> <device-id>')
    .description('serve a master folder (or a relay folder) to a device')
    .option('--json', 'print JSON')
    .action((folderId: string, rawId: string, opts: { json?: boolean }, cmd: Command) => {
      const state = DeviceState.open(stateDirOf(cmd));
      const updated = state.shareFolder(folderId, parseDeviceId(rawId));
      if (opts.json) return printJson(updated);
      print(
        `Folder "${folderId}" is now shared with ${updated.sharedWith.map((d) => shortDeviceId(d as DeviceId)).join(', ')}.`,
      );
    });
  registerFolderSettings(folder);
  folder
    .command('list')
    .description('list the folders of this device')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const state = DeviceState.open(stateDirOf(cmd));
      if (opts.json) return printJson(state.folders);
      if (state.folders.length === 0)
        return print('No folders yet. Add one with `lanfold folder add PATH --master`.');
      print(
        table([
          ['ID', 'ROLE', 'PATH'],
          ...state.folders.map((f) => [
            f.id,
            f.role === 'replica' && f.relay ? 'relay' : f.role,
            f.path,
          ]),
        ]),
      );
    });
}
