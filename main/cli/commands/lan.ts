/**
 * `lanfold devices`, `lanfold pair invite|join|status|cancel` and `lanfold folder
 * offers|accept`: the LAN side of the running daemon, through its control API.
 */
import path from 'node:path';
import type { Command } from 'commander';
import type { InviteStatus } from '../../api/contract.js';
import { LanfoldError } from '../../engine/errors.js';
import { renderQrForTerminal } from '../../pairing/qr.js';
import { formatDeviceId, type DeviceId } from '../../transport/identity.js';
import { daemonClient, viaDaemon } from '../daemon-client.js';
import { table } from '../format.js';
import { parsePositiveInt, print, printJson, stateDirOf, UsageError } from '../context.js';

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const POLL_MS = 250;

function ago(ms: number | null): string {
  if (ms === null) return '-';
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 60 ? `${s}s ago` : `${Math.round(s / 60)}m ago`;
}

function pairedLine(d: { deviceId: string; name: string }): string {
  return `"${d.name || '?'}" ${formatDeviceId(d.deviceId as DeviceId)}`;
}

export function registerLan(program: Command): void {
  program
    .command('devices')
    .description('list paired devices and devices heard on the LAN')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = daemonClient(stateDirOf(cmd));
      const list = await viaDaemon(() => client.devices());
      if (opts.json) return printJson(list);
      if (!list.discovery) print('LAN discovery is off; only paired devices are listed.');
      if (list.devices.length === 0) return print('No devices paired or heard yet.');
      print(
        table([
          ['DEVICE', 'NAME', 'PAIRED', 'CONNECTED', 'ADDRESS', 'LAST SEEN'],
          ...list.devices.map((d) => [
            formatDeviceId(d.deviceId as DeviceId),
            d.name || '-',
            d.paired ? 'yes' : 'no',
            d.connected ? 'yes' : 'no',
            d.heardAt ?? d.addresses[0] ?? '-',
            ago(d.lastSeen),
          ]),
        ]),
      );
    });

  const pair = program.command('pair').description('pair this device with another one');
  pair
    .command('invite')
    .description('show a one-time code (and QR code) for another device to join, and wait')
    .option('--ttl <seconds>', 'how long the code is valid (10-3600)', '600')
    .option('--no-wait', 'print the code and return (the daemon keeps the invite open)')
    .option('--json', 'print JSON: the invite, then (when waiting) how it ended')
    .action(async (opts: { ttl: string; wait: boolean; json?: boolean }, cmd: Command) => {
      const ttlSeconds = parsePositiveInt(opts.ttl, '--ttl');
      if (ttlSeconds < 10 || ttlSeconds > 3600)
        throw new UsageError(`--ttl must be between 10 and 3600 seconds, not ${ttlSeconds}`);
      const client = daemonClient(stateDirOf(cmd));
      const invite = await viaDaemon(() => client.createInvite({ ttlSeconds }));
      if (opts.json) printJson(invite);
      else {
        print(renderQrForTerminal(invite.qr));
        print(`This device: ${pairedLine(invite)}`);
        print(
          `Pairing code: ${invite.code}  (valid until ${new Date(invite.expiresAt).toLocaleTimeString()})`,
        );
        print(`On the other device run: lanfold pair join ${invite.code}`);
      }
      if (!opts.wait) return;
      let status: InviteStatus;
      let failures = 0;
      for (;;) {
        await new Promise((r) => setTimeout(r, POLL_MS));
        status = await viaDaemon(() => client.inviteStatus());
        if (status.invite?.code !== invite.code) {
          status = { ...status, state: 'cancelled', paired: null };
          break;
        }
        if (!opts.json && status.recentFailures > failures)
          print(`A wrong code was tried (${status.recentFailures} in the last minute).`);
        failures = status.recentFailures;
        if (status.state !== 'open') break;
      }
      if (opts.json) printJson(status);
      if (status.state === 'paired' && status.paired) {
        if (!opts.json) print(`Paired with ${pairedLine(status.paired)}.`);
        return;
      }
      throw new LanfoldError('BAD_ARGUMENT', `The invite ${status.state} without pairing`);
    });
  pair
    .command('join <code>')
    .description('join the invite another device shows (found on the LAN, or at --address)')
    .option('--address <host:port>', 'where the inviting device listens')
    .option('--device <id-prefix>', 'with discovery: join only the device whose ID starts so')
    .option('--json', 'print JSON')
    .action(
      async (
        code: string,
        opts: { address?: string; device?: string; json?: boolean },
        cmd: Command,
      ) => {
        if (opts.address !== undefined) {
          const m = ADDRESS.exec(opts.address);
          if (!m || Number(m[2]) === 0 || Number(m[2]) > 65535)
            throw new UsageError(`--address must be HOST:PORT, not "${opts.address}"`);
        }
        const stateDir = stateDirOf(cmd);
        const client = daemonClient(stateDir);
        const paired = await viaDaemon(() =>
          client.joinPairing({
            code,
            ...(opts.address ? { address: opts.address } : {}),
            ...(opts.device ? { devicePrefix: opts.device.replace(/-/g, '') } : {}),
          }),
        );
        if (opts.json) return printJson(paired);
        const status = await viaDaemon(() => client.status());
        print(
          `This device: ${pairedLine({ deviceId: status.device.id, name: status.device.name })}`,
        );
        print(`Paired with ${pairedLine(paired)}${paired.address ? ` at ${paired.address}` : ''}.`);
      },
    );
  pair
    .command('status')
    .description('the current or last invite of this device')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = daemonClient(stateDirOf(cmd));
      const s = await viaDaemon(() => client.inviteStatus());
      if (opts.json) return printJson(s);
      print(
        `Invite: ${s.state}${s.invite ? ` (${s.invite.code})` : ''}; wrong tries in the last minute: ${s.recentFailures}` +
          (s.paired ? `; paired with ${pairedLine(s.paired)}` : ''),
      );
    });
  pair
    .command('cancel')
    .description('close the open invite')
    .action(async (_opts: unknown, cmd: Command) => {
      const client = daemonClient(stateDirOf(cmd));
      const r = await viaDaemon(() => client.cancelInvite());
      print(r.cancelled ? 'Invite closed.' : 'No invite was open.');
    });

  const folder = program.commands.find((c) => c.name() === 'folder');
  if (!folder) throw new Error('register the folder command before the LAN commands');
  folder
    .command('offers')
    .description('folders paired masters offer to this device')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const client = daemonClient(stateDirOf(cmd));
      const { offers } = await viaDaemon(() => client.offers());
      if (opts.json) return printJson(offers);
      if (offers.length === 0) return print('No folder offers.');
      print(
        table([
          ['FOLDER', 'NAME', 'FROM', 'OFFERED'],
          ...offers.map((o) => [
            o.folderId,
            o.label || '-',
            `${o.fromName || '?'} ${formatDeviceId(o.from as DeviceId).slice(0, 9)}`,
            ago(o.offeredAt),
          ]),
        ]),
      );
    });
  folder
    .command('accept <folder-id> <path>')
    .description('follow an offered folder as a replica in PATH (created if missing)')
    .option('--json', 'print JSON')
    .action(async (folderId: string, where: string, opts: { json?: boolean }, cmd: Command) => {
      const client = daemonClient(stateDirOf(cmd));
      const added = await viaDaemon(() => client.acceptOffer(folderId, path.resolve(where)));
      if (opts.json) return printJson(added);
      print(`Folder ${added.id} is now a replica in ${added.path}.`);
    });
}
