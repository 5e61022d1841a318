/**
 * Bad frames against a real daemon. An untrusted device is cut off right after the TLS
 * handshake, so the fuzzers here are TRUSTED test identities (made with generateIdentity and
 * added with `peer add`): they say hello, then send random bytes, oversized and empty
 * frames, msgpack of the wrong shape, truncated frames, byte-mutated messages and valid
 * messages with hostile values (bad folder IDs, huge numbers, bad paths), over many
 * connections. The daemon also holds a replica folder whose upstream is the first fuzzer,
 * so replica-side messages reach real replica code. Afterwards the daemon must still be
 * running, answer `status`, never have written outside its folders, and serve a real
 * replica. Also: an untrusted device gets no application byte, and a trusted device the
 * folder is not shared with gets no folder data. Replay with LANFOLD_SEED=<seed in the error>.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { Packr } from 'msgpackr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceState, initDevice } from '../../main/daemon/device.js';
import { ChunkList } from '../../main/engine/chunk-list.js';
import { digestFile } from '../../main/engine/chunker.js';
import { encodeFrame, FrameDecoder } from '../../main/protocol/codec.js';
import { MAX_FRAME_BYTES, type Message } from '../../main/protocol/messages.js';
import { generateIdentity, type Identity } from '../../main/transport/identity.js';
import { PROTOCOL_VERSION } from '../../main/version.js';
import { lanfoldOk, startDaemon, stopAllDaemons, type DaemonProcess } from '../helpers/cli.js';
import { openLogReadonly } from '../helpers/device.js';
import {
  HashCache,
  snapshotFolder,
  stateDifferences,
  stateOfEntries,
} from '../helpers/folder-state.js';
import { Rng, seedFromEnv } from '../helpers/random.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const FOLDER = 'f1';
const CONNECTIONS = 200;
const FRAMES_PER_CONNECTION = 50;
const FUZZERS = 4;
const FUZZ_TIME_CAP_MS = 60_000;

/** Packs anything, unvalidated (encodeFrame would not refuse it either, but this keeps odd values). */
const rawPackr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });

function frame(body: Buffer, declared = body.length): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(declared >>> 0, 0);
  return Buffer.concat([head, body]);
}

function rawFrame(value: unknown): Buffer {
  return frame(rawPackr.pack(value));
}

interface Setup {
  readonly base: string;
  readonly masterState: string;
  readonly masterRoot: string;
  /** The daemon's replica folder fed by fuzzer 0, and a sentinel directory beside it. */
  readonly fuzzReplicaRoot: string;
  readonly sentinel: string;
  readonly replicaState: string;
  readonly replicaRoot: string;
  readonly masterId: string;
  readonly fuzzers: Identity[];
  readonly unshared: Identity;
  readonly stranger: Identity;
  readonly master: DaemonProcess;
  readonly port: number;
  /** SHA-256 of every chunk of the master's files. */
  readonly chunkHashes: string[];
}

let setup: Setup;

async function listenPort(state: string): Promise<number> {
  return waitFor(() => {
    try {
      const port = (
        JSON.parse(readFileSync(path.join(state, 'daemon.json'), 'utf8')) as { listenPort?: number }
      ).listenPort;
      return typeof port === 'number' && port > 0 ? port : undefined;
    } catch {
      return undefined;
    }
  });
}

function daemonLog(
  state: string,
): { msg?: string; peer?: string; reason?: string; level?: number }[] {
  try {
    return readFileSync(path.join(state, 'daemon.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { msg?: string; peer?: string });
  } catch {
    return [];
  }
}

beforeAll(async () => {
  const base = makeTempDir();
  const masterState = path.join(base, 'master-state');
  const masterRoot = path.join(base, 'master');
  const fuzzReplicaRoot = path.join(base, 'fuzz-replica');
  const sentinel = path.join(base, 'sentinel');
  const replicaState = path.join(base, 'replica-state');
  const replicaRoot = path.join(base, 'replica');
  for (const d of [
    masterRoot,
    fuzzReplicaRoot,
    sentinel,
    replicaRoot,
    path.join(masterRoot, 'docs'),
  ])
    mkdirSync(d, { recursive: true });
  writeFileSync(path.join(masterRoot, 'a.txt'), 'alpha\n');
  writeFileSync(path.join(masterRoot, 'docs/b.txt'), 'beta '.repeat(1000));
  writeFileSync(path.join(masterRoot, 'big.bin'), Buffer.alloc(600_000, 7));
  const [fuzzers, unshared, stranger] = await Promise.all([
    Promise.all(Array.from({ length: FUZZERS }, (_, i) => generateIdentity(`fuzzer-${i}`))),
    generateIdentity('unshared'),
    generateIdentity('stranger'),
  ]);
  // Configured in-process through DeviceState (what the CLI commands call): spawning a CLI
  // per command costs seconds on a busy machine.
  const [masterDevice, replicaDevice] = await Promise.all([
    initDevice(masterState, { name: 'master', listen: '127.0.0.1:0', gui: '127.0.0.1:0' }),
    initDevice(replicaState, { name: 'replica', listen: '127.0.0.1:0', gui: '127.0.0.1:0' }),
  ]);
  const masterId = masterDevice.deviceId;
  const m = DeviceState.open(masterState);
  m.addFolder({ path: masterRoot, role: 'master', id: FOLDER });
  for (const id of [replicaDevice.deviceId, unshared.deviceId, ...fuzzers.map((f) => f.deviceId)])
    m.addPeer(id);
  for (const id of [replicaDevice.deviceId, ...fuzzers.map((f) => f.deviceId)])
    m.shareFolder(FOLDER, id);
  m.addFolder({
    path: fuzzReplicaRoot,
    role: 'replica',
    id: 'r1',
    upstreams: [fuzzers[0]!.deviceId],
  });
  const master = startDaemon(masterState);
  await master.ready(60_000);
  const port = await listenPort(masterState);
  await lanfoldOk(['peer', 'add', `${masterId}@127.0.0.1:${port}`], { state: replicaState });
  DeviceState.open(replicaState).addFolder({
    path: replicaRoot,
    role: 'replica',
    id: FOLDER,
    upstreams: [masterId],
  });
  const chunkHashes: string[] = [];
  for (const f of ['a.txt', 'docs/b.txt', 'big.bin'])
    for (const c of (await digestFile(path.join(masterRoot, f))).chunks)
      chunkHashes.push(c.hash.toString('hex'));
  setup = {
    base,
    masterState,
    masterRoot,
    fuzzReplicaRoot,
    sentinel,
    replicaState,
    replicaRoot,
    masterId,
    fuzzers,
    unshared,
    stranger,
    master,
    port,
    chunkHashes,
  };
}, 90_000);

afterAll(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

interface Session {
  readonly received: Message[];
  bytesIn: number;
  /** Set if the daemon sent something that is not a valid frame (it never should). */
  badOutput: string | undefined;
  closedByPeer: boolean;
}

/**
 * One TLS connection as `identity` (or none): sends `frames` after the handshake, collects
 * what comes back. With `before`, the frames after the first wait (up to a second) until
 * what was received satisfies it.
 */
async function session(
  identity: Identity | undefined,
  frames: readonly Buffer[],
  lingerMs = 1500,
  before?: (received: readonly Message[]) => boolean,
): Promise<Session> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: setup.port,
    ...(identity ? { cert: identity.certPem, key: identity.keyPem } : {}),
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    checkServerIdentity: () => undefined,
  });
  const out: Session = { received: [], bytesIn: 0, badOutput: undefined, closedByPeer: false };
  const decoder = new FrameDecoder();
  socket.on('data', (d: Buffer) => {
    out.bytesIn += d.length;
    if (out.badOutput !== undefined) return;
    try {
      out.received.push(...decoder.push(d));
    } catch (err) {
      out.badOutput = (err as Error).message;
    }
  });
  socket.on('error', () => undefined);
  socket.on('end', () => (out.closedByPeer = true));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const connected = await Promise.race([
    new Promise<boolean>((resolve) => socket.once('secureConnect', () => resolve(true))),
    closed.then(() => false),
  ]);
  if (connected) {
    for (const [i, f] of frames.entries()) {
      if (socket.destroyed) break;
      if (i === 1 && before) {
        const deadline = Date.now() + 1000;
        while (!before(out.received) && !socket.destroyed && Date.now() < deadline) await sleep(2);
      }
      socket.write(f);
    }
    socket.end();
  }
  await Promise.race([closed, sleep(lingerMs)]);
  socket.destroy();
  await closed;
  return out;
}

function hello(name = 'fuzzer'): Buffer {
  return encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION, name, app: 'test' });
}

/** Random and hostile frames from a seeded generator. */
class FrameFuzzer {
  constructor(private readonly rng: Rng) {}

  /** Hostile values (`valid` false) fail validation; the others pass it but are still odd. */
  private pickNumber(valid: boolean): number {
    if (valid)
      return this.rng.pick([
        0,
        1,
        2,
        7,
        255,
        2 ** 31,
        2 ** 32 - 1,
        2 ** 53 - 1,
        this.rng.int(0, 1000),
      ]);
    return this.rng.pick([
      2 ** 53,
      2 ** 64,
      -1,
      -(2 ** 53),
      0.5,
      1e308,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]);
  }

  private pickFolder(valid: boolean): string {
    if (valid) return this.rng.pick([FOLDER, FOLDER, 'r1', 'r1', 'nope', 'f'.repeat(64)]);
    return this.rng.pick(['', '../f1', '/f1', 'f1/..', 'f'.repeat(65), '.hidden', 'a\0b', 'é']);
  }

  private pickPath(valid: boolean): string {
    if (valid)
      return this.rng.pick([
        'a.txt',
        'docs/b.txt',
        'big.bin',
        'big.bin',
        'missing.txt',
        'docs',
        'ok/fuzz.txt',
        '..hidden',
        'fz/new.txt',
      ]);
    return this.rng.pick([
      '../../etc/passwd',
      '/etc/passwd',
      '..',
      '.',
      '',
      'a\0b',
      'a\\..\\..\\x',
      'docs/../../x',
      'C:/x',
      'x/'.repeat(3000),
    ]);
  }

  private hash(valid: boolean): string {
    if (!valid) return this.rng.pick(['', 'zz', 'AB'.repeat(32), 'a'.repeat(65)]);
    // Real chunk hashes of the master's files half of the time, so that some gets are served.
    return this.rng.chance(0.5)
      ? this.rng.pick(setup.chunkHashes)
      : createHash('sha256').update(String(this.rng.next())).digest('hex');
  }

  private bytes(max: number): Buffer {
    return this.rng.bytes(this.rng.int(0, max));
  }

  /** A random msgpack-able value (no shape in particular). */
  private value(depth = 0): unknown {
    const r = this.rng.int(0, depth > 2 ? 5 : 8);
    switch (r) {
      case 0:
        return null;
      case 1:
        return this.rng.chance(0.5);
      case 2:
        return this.pickNumber(this.rng.chance(0.5));
      case 3:
        return this.rng.pick([
          '',
          't',
          'hello',
          'get',
          'x'.repeat(this.rng.int(0, 300)),
          '\u0000',
          '中文',
        ]);
      case 4:
        return this.bytes(64);
      case 5:
        return BigInt(this.rng.int(0, 2000)) * 2n ** 53n;
      case 6:
      case 7: {
        const n = this.rng.int(0, 6);
        return Array.from({ length: n }, () => this.value(depth + 1));
      }
      default: {
        const out: Record<string, unknown> = {};
        for (let i = this.rng.int(0, 6); i > 0; i--)
          out[
            this.rng.pick(['t', 'folder', 'id', 'path', 'have', 'version', 'data', 'entries', 'x'])
          ] = this.value(depth + 1);
        if (this.rng.chance(0.7))
          out.t = this.rng.pick([
            'hello',
            'subscribe',
            'get',
            'change',
            'delta-req',
            'delta-part',
            'data',
            'error',
            'ack',
            'heartbeat',
            'bogus',
          ]);
        return out;
      }
    }
  }

  /** A one-chunk file entry for `p` with inline-able content. */
  private fileEntry(
    p: string,
    data: Buffer,
  ): { entry: Record<string, unknown>; inline: { hash: string; data: Buffer } } {
    const chunks = ChunkList.fromChunks([
      { hash: createHash('sha256').update(data).digest(), fast: 0n, size: data.length },
    ]);
    const hash = chunks.rootHash();
    return {
      entry: {
        path: p,
        op: 'add',
        kind: 'file',
        size: data.length,
        mtimeMs: 1_700_000_000_000,
        mode: 0o644,
        hash,
        target: null,
        chunks: chunks.packed,
        movedFrom: null,
      },
      inline: { hash, data },
    };
  }

  /**
   * A message of a valid type with odd values: with `valid`, values pass validation (unknown
   * folders, huge versions, missing paths, random hashes, escaping symlinks); without, each
   * value is also hostile (out of range, bad path or folder ID) half of the time.
   */
  message(valid = true): Record<string, unknown> {
    const ok = () => valid || this.rng.chance(0.5);
    const num = () => this.pickNumber(ok());
    const folder = this.pickFolder(ok());
    switch (this.rng.int(0, 11)) {
      case 0:
        return { t: 'subscribe', folder, have: num() };
      case 1:
      case 2:
        return {
          t: 'get',
          folder,
          id: num(),
          path: this.pickPath(ok()),
          version: num(),
          index: ok() ? this.rng.pick([0, 1, 5, 2 ** 32 - 1]) : 2 ** 32,
          hash: this.hash(ok()),
        };
      case 3:
        return { t: 'delta-req', folder, id: num(), have: num() };
      case 4:
        return { t: 'ack', folder, version: num() };
      case 5:
        return { t: 'heartbeat', folder, version: num() };
      case 6:
      case 7: {
        const p = this.pickPath(ok());
        const { entry, inline } = this.fileEntry(p, this.bytes(2000));
        const escape = this.rng.chance(0.3);
        const entries: Record<string, unknown>[] = escape
          ? [
              {
                path: 'ok',
                op: 'add',
                kind: 'symlink',
                size: 0,
                mtimeMs: 0,
                mode: 0o777,
                hash: null,
                target: setup.sentinel,
                chunks: null,
                movedFrom: null,
              },
              this.fileEntry('ok/fuzz.txt', Buffer.from('escaped')).entry,
            ]
          : [entry];
        const prior = this.rng.chance(0.7) ? this.rng.int(0, 3) : num();
        return {
          t: 'change',
          folder: this.rng.chance(0.5) ? 'r1' : folder,
          current: {
            prior,
            version: this.rng.chance(0.7) ? prior + 1 : num(),
            createdAt: 1,
            method: ok() ? this.rng.pick(['1pc', 'scan', '2pc']) : 'xpc',
            entries,
          },
          window: [],
          inline: [
            inline,
            {
              hash: this.fileEntry('ok/fuzz.txt', Buffer.from('escaped')).inline.hash,
              data: Buffer.from('escaped'),
            },
          ],
        };
      }
      case 8:
        return {
          t: 'delta-part',
          folder,
          id: num(),
          entries: [this.fileEntry(this.pickPath(ok()), this.bytes(100)).entry],
          texts: [],
          inline: [],
        };
      case 9:
        return { t: 'delta-end', folder, id: num(), from: num(), to: num(), createdAt: num() };
      case 10:
        return { t: 'data', folder, id: num(), data: this.bytes(3000) };
      default: {
        const reason = 'x'.repeat(ok() ? this.rng.int(0, 500) : 1200);
        return this.rng.pick([
          { t: 'nodata', folder, id: num(), reason },
          { t: 'refuse', folder, reason },
          { t: 'hello', protocol: PROTOCOL_VERSION, name: 'again', app: 'x' },
        ]);
      }
    }
  }

  /** A frame the daemon must refuse (the connection then closes). */
  poison(): Buffer {
    switch (this.rng.int(0, 8)) {
      case 0:
        return this.bytes(200); // random bytes, as if mid-stream
      case 1:
        return frame(this.bytes(100), this.rng.pick([MAX_FRAME_BYTES + 1, 0xffffffff, 0x7fffffff])); // oversized length prefix
      case 2:
        return frame(Buffer.alloc(0)); // empty frame
      case 3:
        return frame(Buffer.concat([Buffer.from([0xc1]), this.bytes(499)])); // a body that is no msgpack (0xc1 is never used)
      case 4:
        return rawFrame(this.value()); // msgpack of the wrong shape
      case 5: {
        const f = rawFrame(this.message());
        return f.subarray(0, this.rng.int(1, f.length - 1)); // truncated (the next frame is misread)
      }
      case 6: {
        // A valid message with a few bytes changed, the length prefix kept right.
        const body = Buffer.from(rawPackr.pack(this.message()));
        for (let i = this.rng.int(1, 4); i > 0; i--)
          body[this.rng.int(0, body.length - 1)] = this.rng.int(0, 255);
        return frame(body);
      }
      case 7: {
        const body = Buffer.from(rawPackr.pack(this.message()));
        return frame(body, body.length + this.rng.int(-3, 3)); // wrong length prefix
      }
      default:
        return rawFrame(this.message(false)); // hostile values
    }
  }

  /** The frames of one connection: usually hello and a subscribe, then hostile messages with a poison frame somewhere. */
  connection(): Buffer[] {
    const frames: Buffer[] = [];
    const r = this.rng.next();
    if (r < 0.04)
      frames.push(this.poison()); // garbage instead of hello
    else if (r < 0.06)
      frames.push(
        encodeFrame({ t: 'hello', protocol: PROTOCOL_VERSION + 1, name: 'future', app: 'x' }),
      );
    else frames.push(hello());
    if (this.rng.chance(0.8)) frames.push(encodeFrame({ t: 'subscribe', folder: FOLDER, have: 0 }));
    const poisonAt = this.rng.int(2, FRAMES_PER_CONNECTION + 10);
    while (frames.length < FRAMES_PER_CONNECTION)
      frames.push(frames.length === poisonAt ? this.poison() : rawFrame(this.message()));
    return frames;
  }
}

function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const d of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      out.push(r);
      if (d.isDirectory()) walk(r);
    }
  };
  walk('');
  return out.sort();
}

describe('a daemon under bad frames', () => {
  it('sends an untrusted device no application byte, and logs the refusal', async () => {
    const got = await session(
      setup.stranger,
      [
        hello('stranger'),
        encodeFrame({ t: 'subscribe', folder: FOLDER, have: 0 }),
        encodeFrame({
          t: 'get',
          folder: FOLDER,
          id: 1,
          path: 'a.txt' as never,
          version: 1,
          index: 0,
          hash: 'ab'.repeat(32),
        }),
      ],
      5000,
    );
    expect(got.bytesIn).toBe(0);
    expect(got.received).toEqual([]);
    const noCert = await session(undefined, [hello('anonymous')], 5000);
    expect(noCert.bytesIn).toBe(0);
    await waitFor(
      () =>
        daemonLog(setup.masterState).some(
          (l) =>
            l.msg === 'refused a connection from an untrusted device' &&
            l.peer === setup.stranger.deviceId,
        ),
      {
        what: 'the refusal in the daemon log',
      },
    );
    expect(setup.master.running).toBe(true);
  });

  it('sends a trusted device the folder is not shared with a refusal and no folder data', async () => {
    const got = await session(
      setup.unshared,
      [
        hello('unshared'),
        encodeFrame({ t: 'subscribe', folder: FOLDER, have: 0 }),
        encodeFrame({ t: 'delta-req', folder: FOLDER, id: 1, have: 0 }),
        rawFrame({
          t: 'get',
          folder: FOLDER,
          id: 2,
          path: 'a.txt',
          version: 1,
          index: 0,
          hash: createHash('sha256').update('alpha\n').digest('hex'),
        }),
      ],
      1500,
    );
    expect(got.badOutput).toBeUndefined();
    expect(got.received.map((m) => m.t)).toEqual(['hello', 'refuse']);
  });

  it('refuses a get for ../../etc/passwd by validation, with an error naming the path', async () => {
    const got = await session(setup.fuzzers[1], [
      hello(),
      encodeFrame({ t: 'subscribe', folder: FOLDER, have: 0 }),
      rawFrame({
        t: 'get',
        folder: FOLDER,
        id: 1,
        path: '../../etc/passwd',
        version: 1,
        index: 0,
        hash: 'ab'.repeat(32),
      }),
    ]);
    const error = got.received.find((m) => m.t === 'error');
    expect(error).toMatchObject({
      t: 'error',
      reason: expect.stringMatching(/bad get message at path: invalid path/) as unknown,
    });
    expect(got.received.some((m) => m.t === 'data')).toBe(false);
  });

  it(`stays up through ${CONNECTIONS} x ${FRAMES_PER_CONNECTION} random and mutated frames, then still serves a real replica`, async () => {
    const seed = seedFromEnv();
    const started = Date.now();
    const masterBefore = await snapshotFolder(setup.masterRoot);
    const tally = new Map<string, number>();
    let connections = 0;
    let framesSent = 0;
    const badOutputs: string[] = [];
    try {
      // FUZZERS identities in parallel (a device's newer connection replaces its older one).
      await Promise.all(
        setup.fuzzers.map(async (identity, k) => {
          const rng = new Rng(seed + k * 7919);
          const fuzzer = new FrameFuzzer(rng);
          for (
            let i = k;
            i < CONNECTIONS && Date.now() - started < FUZZ_TIME_CAP_MS;
            i += FUZZERS
          ) {
            const frames = fuzzer.connection();
            framesSent += frames.length;
            connections++;
            // Wait for the daemon's hello (and, from the r1 upstream, the daemon's subscription to r1).
            const ready = (received: readonly Message[]) =>
              received.some((m) => m.t === 'hello') &&
              (k !== 0 || received.some((m) => m.t === 'subscribe'));
            const got = await session(identity, frames, 400, ready);
            if (got.badOutput !== undefined) badOutputs.push(got.badOutput);
            for (const m of got.received) tally.set(m.t, (tally.get(m.t) ?? 0) + 1);
          }
        }),
      );
      expect(badOutputs, 'the daemon sent bytes that are not valid frames').toEqual([]);
      expect(connections).toBe(CONNECTIONS);
      expect(framesSent).toBe(CONNECTIONS * FRAMES_PER_CONNECTION);
      // The frames reached the decoder and the folder code: errors, refusals and data came back.
      expect(tally.get('hello') ?? 0).toBeGreaterThan(CONNECTIONS / 2);
      expect(tally.get('error') ?? 0).toBeGreaterThan(CONNECTIONS / 4);
      expect(tally.get('nodata') ?? 0).toBeGreaterThan(0);
      expect(tally.get('data') ?? 0).toBeGreaterThan(0);
      expect(tally.get('delta-end') ?? 0).toBeGreaterThan(0);
      expect(tally.get('refuse') ?? 0).toBeGreaterThan(0);
      expect(
        daemonLog(setup.masterState).filter(
          (l) => l.msg === 'protocol error; closing the connection',
        ).length,
      ).toBeGreaterThan(CONNECTIONS / 4);

      // The daemon is alive and answers status.
      expect(setup.master.running, `daemon exited: ${setup.master.stderr}`).toBe(true);
      const status = JSON.parse(
        await lanfoldOk(['status', '--json'], { state: setup.masterState }),
      ) as {
        daemon: { running: boolean; pid: number };
        folders: { id: string; version: number }[];
      };
      expect(status.daemon).toEqual({ running: true, pid: setup.master.pid });
      expect(status.folders.find((f) => f.id === FOLDER)?.version).toBeGreaterThan(0);

      // Nothing written outside the folders: the sentinel is empty, the base holds only what the test made.
      expect(readdirSync(setup.sentinel)).toEqual([]);
      expect(readdirSync(setup.base).sort()).toEqual([
        'fuzz-replica',
        'master',
        'master-state',
        'replica',
        'replica-state',
        'sentinel',
      ]);
      // The master's folder is as it was (fuzzers cannot write to it).
      expect(stateDifferences(await snapshotFolder(setup.masterRoot), masterBefore)).toEqual([]);
      // The daemon's replica folder holds only what the fuzzer's change packets could put there, all inside it.
      // (Names such as `..hidden` are fine; what must not happen is a real path leading out.)
      const fuzzRoot = realpathSync(setup.fuzzReplicaRoot);
      for (const p of listTree(setup.fuzzReplicaRoot)) {
        const full = path.join(setup.fuzzReplicaRoot, p);
        if (lstatSync(full).isSymbolicLink()) continue; // recorded as-is, never followed
        const rel = path.relative(fuzzRoot, realpathSync(full));
        expect(rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel), p).toBe(
          false,
        );
      }

      // A real replica still syncs from it, and follows a new change.
      const replica = startDaemon(setup.replicaState);
      await replica.ready();
      writeFileSync(path.join(setup.masterRoot, 'after.txt'), 'written after the fuzzing\n');
      const masterLog = await openLogReadonly({ state: setup.masterState, folderId: FOLDER });
      const replicaLog = await openLogReadonly({ state: setup.replicaState, folderId: FOLDER });
      try {
        const cache = new HashCache();
        let diff: string[] = [];
        await waitFor(
          async () => {
            const head = masterLog.head();
            if (
              replicaLog.head() !== head ||
              !masterLog.stateAt(head).some((e) => e.path === 'after.txt')
            )
              return false;
            const disk = await snapshotFolder(setup.replicaRoot, undefined, cache);
            diff = [
              ...stateDifferences(disk, await snapshotFolder(setup.masterRoot, undefined, cache)),
              ...stateDifferences(disk, stateOfEntries(replicaLog.stateAt(head))),
            ];
            return diff.length === 0;
          },
          { timeoutMs: 30_000, intervalMs: 100, what: 'the replica to sync after the fuzzing' },
        ).catch((err: unknown) => {
          throw new Error(`${(err as Error).message}\n${diff.join('\n')}`);
        });
      } finally {
        masterLog.close();
        replicaLog.close();
      }
      expect(setup.master.running).toBe(true);
    } catch (err) {
      throw new Error(
        `seed ${seed}, ${connections} connections in ${Date.now() - started} ms: ${(err as Error).message}\nreceived: ${JSON.stringify([...tally])}\nstderr: ${setup.master.stderr.slice(-2000)}`,
        {
          cause: err,
        },
      );
    }
  }, 115_000);
});
