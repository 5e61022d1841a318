/**
 * Issue 5 on a private LAN: three daemons (the compiled CLI) in three network namespaces on
 * one bridge, discovery on. They discover each other; pairing with the right code succeeds
 * and the pair syncs a folder; wrong codes are refused and the fifth within a minute is
 * refused without checking; an unpaired device gets no data; a removed device is
 * disconnected within a second and refused afterwards. Needs root (CI runs as root).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanfoldOk } from '../helpers/cli.js';
import { NetLab } from '../helpers/netns.js';
import {
  deviceId,
  devices,
  offerAndSync,
  pairWithCode,
  removeDisconnects,
  unpairedGetsNoData,
  wrongCodes,
  type PairNet,
} from '../helpers/pairing-scenario.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';
import path from 'node:path';

const NAMES = ['alpha', 'beta', 'gamma'] as const;
const PORT = 47210;

let lab: NetLab;
let net: PairNet;
const ids: string[] = [];
let sync: { masterDir: string; replicaDir: string };

beforeAll(async () => {
  lab = NetLab.create(3);
  const root = makeTempDir('lanfold-netns-');
  const states = NAMES.map((n) => path.join(root, `state-${n}`));
  for (const [i, name] of NAMES.entries())
    await lanfoldOk(['--state', states[i]!, 'init', '--name', name]);
  net = {
    root,
    discovery: true,
    state: (i) => states[i]!,
    address: (i) => `${lab.devices[i]!.address}:${PORT}`,
    run: (i, args) => lab.run(lab.devices[i]!, ['--state', states[i]!, ...args]),
    start: (i, args) => lab.start(lab.devices[i]!, ['--state', states[i]!, ...args]),
  };
  const daemons = NAMES.map((_, i) =>
    net.start(i, ['start', '--listen', `0.0.0.0:${PORT}`, '--gui', '127.0.0.1:47211']),
  );
  await Promise.all(daemons.map((d) => d.ready()));
  for (let i = 0; i < 3; i++) ids.push(await deviceId(net, i));
}, 120_000);

afterAll(async () => {
  await lab?.stopAll();
  lab?.destroy();
  removeTempDirs();
});

describe('three daemons on a private LAN (network namespaces)', () => {
  it('discover each other with mDNS', async () => {
    for (let i = 0; i < 3; i++) {
      const others = [0, 1, 2].filter((j) => j !== i);
      const list = await waitFor(
        async () => {
          const d = await devices(net, i);
          return others.every((j) => d.devices.some((x) => x.deviceId === ids[j])) ? d : undefined;
        },
        { what: `device ${i} to hear the others`, timeoutMs: 30_000, intervalMs: 500 },
      );
      expect(list.discovery).toBe(true);
      for (const j of others)
        expect(list.devices.find((x) => x.deviceId === ids[j])).toMatchObject({
          name: NAMES[j],
          paired: false,
          heardAt: net.address(j),
        });
    }
  });

  it('pairs with the right code (found by discovery) and the pair syncs a folder', async () => {
    await pairWithCode(net, 0, 1, NAMES);
    sync = await offerAndSync(net, 0, 1, ids[1]!);
  });

  it('refuses wrong codes, and the fifth within a minute without checking', async () => {
    await wrongCodes(net, 0, 2);
  });

  it('gives an unpaired device that connects no data', async () => {
    await unpairedGetsNoData(net, 0, 2, ids[0]!, ids[2]!);
  });

  it('disconnects a removed device within a second and refuses it afterwards', async () => {
    const lagMs = await removeDisconnects(
      net,
      0,
      1,
      ids[0]!,
      ids[1]!,
      sync.masterDir,
      sync.replicaDir,
    );
    console.log(
      `netns: removed device disconnected ${lagMs.afterStartMs} ms after \`peer remove\` started (${lagMs.afterReturnMs} ms after it returned; ${lagMs.afterDropMs} ms after the daemon dropped it)`,
    );
  });
});
