/**
 * Issue 5 through the CLI on 127.0.0.1 (discovery off, explicit addresses): pairing with the
 * right code and syncing an offered folder; wrong codes and the rate limit; an unpaired
 * device gets no data; a removed device is disconnected within a second and refused.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanfoldOk, runLanfold, startLanfold, stopAllDaemons } from '../helpers/cli.js';
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

const NAMES = ['alpha', 'beta', 'gamma'] as const;

let net: PairNet;
const ids: string[] = [];
let sync: { masterDir: string; replicaDir: string };

beforeAll(async () => {
  const root = makeTempDir('lanfold-pair-e2e-');
  const states = NAMES.map((n) => path.join(root, `state-${n}`));
  for (const [i, name] of NAMES.entries())
    await lanfoldOk(['--state', states[i]!, 'init', '--name', name]);
  const running = states.map((s) =>
    startLanfold(['start', '--listen', '127.0.0.1:0', '--gui', '127.0.0.1:0'], { state: s }),
  );
  await Promise.all(running.map((d) => d.ready()));
  const ports = running.map((d) => Number(/port (\d+)/.exec(d.stdout)![1]));
  net = {
    root,
    discovery: false,
    state: (i) => states[i]!,
    address: (i) => `127.0.0.1:${ports[i]!}`,
    run: (i, args) => runLanfold(args, { state: states[i]! }),
    start: (i, args) => startLanfold(args, { state: states[i]! }),
  };
  for (let i = 0; i < 3; i++) ids.push(await deviceId(net, i));
}, 120_000);

afterAll(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

describe('pairing through the CLI on 127.0.0.1', () => {
  it('lists no discovered devices with discovery off', async () => {
    const d = await devices(net, 0);
    expect(d).toEqual({ discovery: false, devices: [] });
  });

  it('pairs with the right code and syncs an offered folder', async () => {
    await pairWithCode(net, 0, 1, NAMES);
    sync = await offerAndSync(net, 0, 1, ids[1]!);
    const list = await waitFor(
      async () => {
        const d = await devices(net, 0);
        return d.devices[0]?.connected ? d : undefined;
      },
      { what: 'the pair to be connected' },
    );
    expect(list.devices).toEqual([
      expect.objectContaining({ deviceId: ids[1], name: 'beta', paired: true, connected: true }),
    ]);
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
      `loopback: removed device disconnected ${lagMs.afterStartMs} ms after \`peer remove\` started (${lagMs.afterReturnMs} ms after it returned; ${lagMs.afterDropMs} ms after the daemon dropped it)`,
    );
  });
});
