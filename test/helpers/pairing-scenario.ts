/**
 * The pairing flows of issue 5, written once and run on two networks: three daemons in
 * network namespaces with discovery on (test/integration/netns-pairing.test.ts) and on
 * 127.0.0.1 with discovery off and explicit addresses (test/e2e/pairing-cli.test.ts).
 * Every step goes through the compiled CLI.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { CliResult, DaemonProcess } from './cli.js';
import { waitFor } from './wait.js';

export interface PairNet {
  /** Runs `lanfold --state <device i's state> ...args`. */
  run(i: number, args: readonly string[]): Promise<CliResult>;
  /** Starts a long-running `lanfold --state <state i> ...args`. */
  start(i: number, args: readonly string[]): DaemonProcess;
  /** HOST:PORT where the others reach device i. */
  address(i: number): string;
  state(i: number): string;
  /** A scratch directory for folders. */
  readonly root: string;
  /** Discovery is on: joins may omit --address. */
  readonly discovery: boolean;
}

export async function ok(net: PairNet, i: number, args: readonly string[]): Promise<string> {
  const r = await net.run(i, args);
  if (r.code !== 0)
    throw new Error(
      `lanfold ${args.join(' ')} exited ${r.code ?? r.signal}\n${r.stdout}\n${r.stderr}`,
    );
  return r.stdout;
}

export interface LogLine {
  readonly time: number;
  readonly msg: string;
  readonly peer?: string;
  readonly [key: string]: unknown;
}

export function readLog(stateDir: string): LogLine[] {
  const file = path.join(stateDir, 'daemon.log');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

export async function deviceId(net: PairNet, i: number): Promise<string> {
  return (await ok(net, i, ['id'])).trim().split('\n')[0]!.replace(/-/g, '');
}

function grouped(id: string): string {
  return id.match(/.{1,4}/g)!.join('-');
}

interface DevicesJson {
  discovery: boolean;
  devices: {
    deviceId: string;
    name: string;
    paired: boolean;
    connected: boolean;
    heardAt: string | null;
  }[];
}

export async function devices(net: PairNet, i: number): Promise<DevicesJson> {
  return JSON.parse(await ok(net, i, ['devices', '--json'])) as DevicesJson;
}

/** Device a opens an invite (waiting, as a person would); device b joins it. */
export async function pairWithCode(
  net: PairNet,
  a: number,
  b: number,
  names: readonly string[],
): Promise<{ idA: string; idB: string }> {
  const [idA, idB] = [await deviceId(net, a), await deviceId(net, b)];
  const inviter = net.start(a, ['pair', 'invite', '--ttl', '120']);
  const code = await waitFor(() => /Pairing code: (\w{4}-\w{4})/.exec(inviter.stdout)?.[1], {
    what: 'the invite to print its code',
  });
  // The terminal QR code is drawn with block characters.
  expect(inviter.stdout).toMatch(/[█▀▄]/);
  const joinArgs = net.discovery
    ? ['pair', 'join', code.toLowerCase(), '--device', idA.slice(0, 8)]
    : ['pair', 'join', code.toLowerCase(), '--address', net.address(a)];
  const joined = await ok(net, b, joinArgs);
  // Both sides show both IDs and names.
  expect(joined).toContain(`Paired with "${names[a]}" ${grouped(idA)}`);
  expect(joined).toContain(`This device: "${names[b]}" ${grouped(idB)}`);
  const end = await inviter.exit();
  expect(end.code, inviter.stderr).toBe(0);
  expect(inviter.stdout).toContain(`This device: "${names[a]}" ${grouped(idA)}`);
  expect(inviter.stdout).toContain(`Paired with "${names[b]}" ${grouped(idB)}`);
  // Each pinned the other.
  const peersA = JSON.parse(await ok(net, a, ['peer', 'list', '--json'])) as { deviceId: string }[];
  const peersB = JSON.parse(await ok(net, b, ['peer', 'list', '--json'])) as { deviceId: string }[];
  expect(peersA.map((p) => p.deviceId)).toEqual([idB]);
  expect(peersB.map((p) => p.deviceId)).toEqual([idA]);
  return { idA, idB };
}

/** a shares a master folder with b; b sees the offer, accepts it, and receives the files. */
export async function offerAndSync(
  net: PairNet,
  a: number,
  b: number,
  idB: string,
): Promise<{ masterDir: string; replicaDir: string }> {
  const masterDir = path.join(net.root, `master-${a}`);
  const replicaDir = path.join(net.root, `replica-${b}`);
  mkdirSync(masterDir, { recursive: true });
  writeFileSync(path.join(masterDir, 'hello.txt'), 'hello over the LAN\n');
  await ok(net, a, ['folder', 'add', masterDir, '--master', '--id', 'docs']);
  await ok(net, a, ['folder', 'share', 'docs', idB]);
  const offers = await waitFor(
    async () => {
      const list = JSON.parse(await ok(net, b, ['folder', 'offers', '--json'])) as {
        folderId: string;
        label: string;
      }[];
      return list.length > 0 ? list : undefined;
    },
    { what: 'the offer to reach the device', timeoutMs: 30_000, intervalMs: 300 },
  );
  expect(offers).toEqual([expect.objectContaining({ folderId: 'docs', label: `master-${a}` })]);
  await ok(net, b, ['folder', 'accept', 'docs', replicaDir]);
  await waitFor(
    () =>
      existsSync(path.join(replicaDir, 'hello.txt')) &&
      readFileSync(path.join(replicaDir, 'hello.txt'), 'utf8') === 'hello over the LAN\n',
    { what: 'the replica to receive the folder', timeoutMs: 30_000, intervalMs: 100 },
  );
  expect(JSON.parse(await ok(net, b, ['folder', 'offers', '--json']))).toEqual([]);
  return { masterDir, replicaDir };
}

/**
 * c tries wrong codes against a's open invite: each is refused as wrong; the fifth within a
 * minute is refused without checking, and so is the right code right after it.
 */
export async function wrongCodes(net: PairNet, a: number, c: number): Promise<string> {
  const invite = JSON.parse(
    await ok(net, a, ['pair', 'invite', '--no-wait', '--json', '--ttl', '300']),
  ) as { code: string; qr: { modules: string[]; text: string } };
  expect(invite.qr.modules.length).toBeGreaterThan(20);
  expect(invite.qr.text).toContain(`code=${invite.code}`);
  const wrong = invite.code.startsWith('0') ? '1111-1111' : '0000-0000';
  for (let i = 1; i <= 4; i++) {
    const r = await net.run(c, ['pair', 'join', wrong, '--address', net.address(a)]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('wrong code');
  }
  const fifth = await net.run(c, ['pair', 'join', wrong, '--address', net.address(a)]);
  expect(fifth.code).toBe(1);
  expect(fifth.stderr).toContain('too many wrong codes: refused without checking');
  const right = await net.run(c, ['pair', 'join', invite.code, '--address', net.address(a)]);
  expect(right.code).toBe(1);
  expect(right.stderr).toContain('too many wrong codes: refused without checking');
  const status = JSON.parse(await ok(net, a, ['pair', 'status', '--json'])) as {
    state: string;
    recentFailures: number;
  };
  expect(status).toMatchObject({ state: 'open', recentFailures: 4 });
  // Nobody was pinned by the failed tries.
  expect(JSON.parse(await ok(net, c, ['peer', 'list', '--json']))).toEqual([]);
  return invite.code;
}

/**
 * c, not paired with a, configures a as its upstream by hand and dials it: while a's
 * invite is open its link may speak pairing only (the subscribe closes it); once the invite
 * is closed it is refused right after the handshake. c's folder stays empty throughout.
 */
export async function unpairedGetsNoData(
  net: PairNet,
  a: number,
  c: number,
  idA: string,
  idC: string,
): Promise<void> {
  const stranger = path.join(net.root, `stranger-${c}`);
  await ok(net, c, ['peer', 'add', `${idA}@${net.address(a)}`]);
  await ok(net, c, ['folder', 'add', stranger, '--replica-of', idA, '--id', 'docs']);
  await waitFor(
    () =>
      readLog(net.state(a)).some(
        (l) =>
          l.peer === idC &&
          l.msg === 'an unpaired device sent a message other than pairing; closing',
      ),
    {
      what: 'a to close the stranger link that asked for a folder',
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
  await ok(net, a, ['pair', 'cancel']);
  const cancelledAt = Date.now();
  await waitFor(
    () =>
      readLog(net.state(a)).some(
        (l) =>
          l.peer === idC &&
          l.msg === 'refused a connection from an untrusted device' &&
          l.time >= cancelledAt,
      ),
    {
      what: 'a to refuse the stranger after the invite closed',
      timeoutMs: 45_000,
      intervalMs: 200,
    },
  );
  const { readdirSync } = await import('node:fs');
  expect(readdirSync(stranger).filter((n) => !n.startsWith('.lanfold'))).toEqual([]);
  // a never served it anything.
  expect(
    readLog(net.state(a)).filter(
      (l) =>
        (l.replica === idC || l.peer === idC) &&
        ['device connected', 'replica subscribed', 'delta served'].includes(l.msg),
    ),
  ).toEqual([]);
}

/** a removes b: b's connection ends within a second and b is refused afterwards. */
export async function removeDisconnects(
  net: PairNet,
  a: number,
  b: number,
  idA: string,
  idB: string,
  masterDir: string,
  replicaDir: string,
): Promise<{ afterReturnMs: number; afterStartMs: number; afterDropMs: number }> {
  await waitFor(
    async () => (await devices(net, b)).devices.find((d) => d.deviceId === idA)?.connected,
    {
      what: 'b to be connected to a',
      timeoutMs: 30_000,
      intervalMs: 200,
    },
  );
  const startedAt = Date.now();
  const r = await net.run(a, ['peer', 'remove', idB]);
  const removedAt = Date.now();
  expect(r.code, r.stderr).toBe(0);
  const disconnect = await waitFor(
    () =>
      readLog(net.state(b)).find(
        (l) => l.peer === idA && l.msg === 'device disconnected' && l.time >= startedAt,
      ),
    { what: 'b to see the connection end', timeoutMs: 10_000, intervalMs: 20 },
  );
  const lagMs = disconnect.time - removedAt;
  expect(lagMs).toBeLessThan(1000);
  // From the moment a dropped the connection to the moment b saw it end.
  const dropped = readLog(net.state(a)).find(
    (l) => l.peer === idB && l.msg === 'disconnecting a device that is no longer trusted',
  );
  expect(dropped).toBeDefined();
  const seenMs = disconnect.time - dropped!.time;
  expect(seenMs).toBeLessThan(1000);
  // b keeps trying (it still follows a) and is refused from now on.
  await waitFor(
    () =>
      readLog(net.state(a)).some(
        (l) =>
          l.peer === idB &&
          l.msg === 'refused a connection from an untrusted device' &&
          l.time >= removedAt,
      ),
    { what: 'a to refuse b after the removal', timeoutMs: 45_000, intervalMs: 200 },
  );
  writeFileSync(path.join(masterDir, 'after-removal.txt'), 'not for b\n');
  await waitFor(
    () => readLog(net.state(a)).some((l) => l.msg === 'version recorded' && l.time > removedAt),
    { what: 'a to record the new file', intervalMs: 100 },
  );
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(existsSync(path.join(replicaDir, 'after-removal.txt'))).toBe(false);
  return { afterReturnMs: lagMs, afterStartMs: disconnect.time - startedAt, afterDropMs: seenMs };
}
