/** `lanfold peer add|list|remove`: which devices this device trusts, and where to reach them. */
import type { Command } from 'commander';
import { DeviceState } from '../../daemon/device.js';
import { formatDeviceId, parseDeviceId, type DeviceId } from '../../transport/identity.js';
import { existsSync } from 'node:fs';
import { lockHolder } from '../../daemon/lock.js';
import { isLanfoldError } from '../../engine/errors.js';
import { daemonClient, viaDaemon } from '../daemon-client.js';
import { table } from '../format.js';
import { print, printJson, stateDirOf, UsageError } from '../context.js';

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** Splits DEVICE_ID@HOST:PORT (the address is optional). */
export function parsePeerSpec(spec: string): { deviceId: DeviceId; address?: string } {
  const at = spec.lastIndexOf('@');
  const id = parseDeviceId(at >= 0 ? spec.slice(0, at) : spec);
  if (at < 0) return { deviceId: id };
  const address = spec.slice(at + 1);
  const m = ADDRESS.exec(address);
  if (!m || Number(m[2]) > 65535 || Number(m[2]) === 0)
    throw new UsageError(`"${address}" is not HOST:PORT`);
  return { deviceId: id, address };
}

function daemonRuns(state: DeviceState): boolean {
  return lockHolder(state.paths.lock) !== undefined && existsSync(state.paths.runtime);
}

export function registerPeers(program: Command): void {
  const peer = program.command('peer').description('manage trusted devices');
  peer
    .command('add <device-id@host:port>')
    .description('trust a device (run it on both devices); the address is where to reach it')
    .option('--name <name>', 'a name to show for it')
    .option('--json', 'print JSON')
    .action((spec: string, opts: { name?: string; json?: boolean }, cmd: Command) => {
      const { deviceId, address } = parsePeerSpec(spec);
      const state = DeviceState.open(stateDirOf(cmd));
      const added = state.addPeer(deviceId, address, opts.name);
      if (opts.json) return printJson(added);
      print(`Trusting ${formatDeviceId(deviceId)}${address ? ` at ${address}` : ''}.`);
    });
  peer
    .command('list')
    .description('list trusted devices')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const state = DeviceState.open(stateDirOf(cmd));
      if (opts.json) return printJson(state.peers);
      if (state.peers.length === 0)
        return print(
          'No trusted devices yet. Add one with `lanfold peer add DEVICE_ID@HOST:PORT`.',
        );
      print(
        table([
          ['DEVICE', 'NAME', 'ADDRESSES'],
          ...state.peers.map((p) => [
            formatDeviceId(p.deviceId as DeviceId),
            p.name || '-',
            p.addresses.join(', ') || '-',
          ]),
        ]),
      );
    });
  peer
    .command('remove <device-id>')
    .description('stop trusting a device: a running daemon disconnects it at once')
    .action(async (raw: string, _opts: unknown, cmd: Command) => {
      const id = parseDeviceId(raw);
      const dir = stateDirOf(cmd);
      const state = DeviceState.open(dir);
      state.peer(id); // a clear error when it is not a peer
      // A running daemon removes it itself and disconnects it at once; otherwise the file.
      let viaApi = false;
      if (daemonRuns(state)) {
        try {
          const client = daemonClient(dir);
          await viaDaemon(() => client.removePeer(id));
          viaApi = true;
        } catch (err) {
          // No control API: the daemon notices the file within a second.
          if (!isLanfoldError(err) || err.code !== 'DAEMON_UNREACHABLE') throw err;
        }
      }
      if (!viaApi) state.removePeer(id);
      print(`Removed ${formatDeviceId(id)}; it is refused from now on.`);
    });
}
