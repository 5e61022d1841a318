/**
 * A malicious master against a replica: paths with `..`, absolute paths, NUL, backslashes,
 * and entries that place, delete or move files under a symlink leading out of the folder
 * (one the replica holds, one its user made, or one the same packet creates). Nothing may
 * be written outside the replica folder: a sentinel directory beside it (holding a file the
 * attacker names) must stay exactly as it was, and no new path may appear beside the folder.
 *
 * In-process: a real ReplicaFolder fed over the in-memory link, every message passed through
 * the codec as on the wire (and, for defence in depth, some that skip validation).
 * Over TLS: a raw TLS test double as the upstream of a replica daemon; wire-level bad paths
 * are protocol errors, the daemon stays up, and a `get` for ../../etc/passwd sent to one of
 * its master folders is refused by validation.
 */
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { Packr } from 'msgpackr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceState, initDevice } from '../../main/daemon/device.js';
import { ChunkList } from '../../main/engine/chunk-list.js';
import { systemClock } from '../../main/engine/clock.js';
import type { Logger } from '../../main/engine/logger.js';
import { ReplicaFolder } from '../../main/engine/replica/replica-folder.js';
import { decodeBody, FrameDecoder } from '../../main/protocol/codec.js';
import { memoryLinkPair, type PeerLink } from '../../main/protocol/link.js';
import type { Message, WireEntry } from '../../main/protocol/messages.js';
import { deviceIdOfCert, generateIdentity, type Identity } from '../../main/transport/identity.js';
import { PROTOCOL_VERSION } from '../../main/version.js';
import { lanfoldOk, startDaemon, stopAllDaemons, type DaemonProcess } from '../helpers/cli.js';
import { makeTempDir, removeTempDirs } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

const FOLDER = 'evil';
const VICTIM = 'victim content\n';

/** Packs without validation: the wire form of messages a peer must refuse. */
const rawPackr = new Packr({ useRecords: false, moreTypes: false, bundleStrings: false });

/** A wire entry built from loose values (paths are not checked here: that is the point). */
type LooseEntry = Omit<WireEntry, 'path' | 'movedFrom'> & {
  path: string;
  movedFrom: string | null;
};

function fileEntry(
  p: string,
  content: string,
  extra: Partial<LooseEntry> = {},
): { entry: LooseEntry; inline: { hash: string; data: Buffer } } {
  const data = Buffer.from(content);
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
      ...extra,
    },
    inline: { hash, data },
  };
}

function dirEntry(p: string): LooseEntry {
  return {
    path: p,
    op: 'add',
    kind: 'dir',
    size: 0,
    mtimeMs: 1_700_000_000_000,
    mode: 0o755,
    hash: null,
    target: null,
    chunks: null,
    movedFrom: null,
  };
}

function linkEntry(p: string, target: string): LooseEntry {
  return {
    path: p,
    op: 'add',
    kind: 'symlink',
    size: 0,
    mtimeMs: 1_700_000_000_000,
    mode: 0o777,
    hash: null,
    target,
    chunks: null,
    movedFrom: null,
  };
}

function deleteEntry(p: string): LooseEntry {
  return {
    path: p,
    op: 'delete',
    kind: 'none',
    size: 0,
    mtimeMs: 1_700_000_000_000,
    mode: 0,
    hash: null,
    target: null,
    chunks: null,
    movedFrom: null,
  };
}

type Part = LooseEntry | { entry: LooseEntry; inline: { hash: string; data: Buffer } };

/** A change packet taking the replica from `prior` to `prior + 1` (no validation here). */
function change(
  prior: number,
  parts: readonly Part[],
  window: unknown[] = [],
): Record<string, unknown> {
  const entries = parts.map((p) => ('entry' in p ? p.entry : p));
  const inline = parts.flatMap((p) => ('entry' in p ? [p.inline] : []));
  return {
    t: 'change',
    folder: FOLDER,
    current: { prior, version: prior + 1, createdAt: 1_700_000_000_000, method: '1pc', entries },
    window,
    inline,
  };
}

/** Through the codec, exactly as over TLS: throws a ProtocolError for what a peer must refuse. */
function wire(message: unknown): Message {
  return decodeBody(Buffer.from(rawPackr.pack(message)));
}

/** Everything below `dir`: relative path -> content, link target or 'dir'. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const d of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel === '' ? d.name : `${rel}/${d.name}`;
      const full = path.join(dir, r);
      if (d.isSymbolicLink()) out[r] = `-> ${readlinkSync(full)}`;
      else if (d.isDirectory()) {
        out[r] = 'dir';
        walk(r);
      } else out[r] = readFileSync(full, 'utf8');
    }
  };
  walk('');
  return out;
}

/** A base directory with the replica folder and, beside it, a sentinel directory holding a victim file. */
function makeLayout(): {
  base: string;
  root: string;
  sentinel: string;
  dataDir: string;
  before: Record<string, string>;
} {
  const base = makeTempDir();
  const root = path.join(base, 'folder');
  const sentinel = path.join(base, 'sentinel');
  mkdirSync(root);
  mkdirSync(path.join(sentinel, 'keep'), { recursive: true });
  writeFileSync(path.join(sentinel, 'victim.txt'), VICTIM);
  writeFileSync(path.join(sentinel, 'keep/inner.txt'), 'inner\n');
  return { base, root, sentinel, dataDir: path.join(base, 'data'), before: tree(sentinel) };
}

interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly obj: Record<string, unknown>;
}

function captureLogger(lines: LogLine[]): Logger {
  const logger: Logger = {
    debug: () => undefined,
    info: () => undefined,
    warn: (obj, msg = '') =>
      lines.push({ level: 'warn', msg, obj: obj as Record<string, unknown> }),
    error: (obj, msg = '') =>
      lines.push({ level: 'error', msg, obj: obj as Record<string, unknown> }),
    child: () => logger,
  };
  return logger;
}

interface Harness {
  readonly base: string;
  readonly root: string;
  readonly sentinel: string;
  readonly before: Record<string, string>;
  readonly replica: ReplicaFolder;
  /** The malicious master's end of the link. */
  readonly evil: PeerLink;
  /** What the replica sent to the master. */
  readonly got: Message[];
  readonly logs: LogLine[];
}

const open: ReplicaFolder[] = [];

/**
 * A replica at version 1, which holds `hello.txt`, a directory `d`, and three symlinks that
 * lead out of the folder to the sentinel: `out` (absolute), `rel` (../sentinel) and
 * `d/deep` (../../sentinel). The malicious master answers delta requests with "nothing new".
 */
async function replicaAtV1(): Promise<Harness> {
  const { base, root, sentinel, dataDir, before } = makeLayout();
  const logs: LogLine[] = [];
  const replica = new ReplicaFolder({
    id: FOLDER,
    root,
    dataDir,
    deviceId: 'R'.repeat(52),
    clock: systemClock,
    logger: captureLogger(logs),
  });
  open.push(replica);
  const [toEvil, evil] = memoryLinkPair(
    { deviceId: 'R'.repeat(52), name: 'replica' },
    { deviceId: 'E'.repeat(52), name: 'evil' },
  );
  const got: Message[] = [];
  evil.onMessage((m) => {
    got.push(m);
    if (m.t === 'delta-req')
      evil.send({
        t: 'delta-end',
        folder: FOLDER,
        id: m.id,
        from: m.have,
        to: m.have,
        createdAt: 0,
      });
    if (m.t === 'get') evil.send({ t: 'nodata', folder: FOLDER, id: m.id, reason: 'no' });
  });
  toEvil.onMessage((m) => replica.handle(toEvil, m));
  replica.attach(toEvil);
  evil.send(
    wire(
      change(0, [
        fileEntry('hello.txt', 'hello\n'),
        dirEntry('d'),
        linkEntry('out', sentinel),
        linkEntry('rel', '../sentinel'),
        linkEntry('d/deep', '../../sentinel'),
      ]),
    ),
  );
  await waitFor(() => replica.head() === 1, { what: 'version 1 to be applied', timeoutMs: 10_000 });
  expect(readlinkSync(path.join(root, 'out'))).toBe(sentinel);
  return { base, root, sentinel, before, replica, evil, got, logs };
}

/** Nothing outside the folder changed: the sentinel is as it was, and the base holds only what the test made. */
function expectNothingOutside(
  h: Pick<Harness, 'base' | 'sentinel' | 'before'>,
  extra: readonly string[] = [],
): void {
  expect(tree(h.sentinel)).toEqual(h.before);
  expect(readdirSync(h.base).sort()).toEqual(['data', 'folder', 'sentinel', ...extra].sort());
}

/** Waits for the replica to log a failed apply; returns its error message. */
async function refusal(h: Harness, from: number): Promise<string> {
  const line = await waitFor(
    () =>
      h.logs
        .slice(from)
        .find((l) => l.level === 'error' && l.msg.startsWith('applying a version failed')),
    {
      what: 'the replica to refuse the version',
      timeoutMs: 10_000,
    },
  );
  const err = line.obj.err;
  return err instanceof Error ? err.message : String(err);
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

afterAll(async () => {
  await stopAllDaemons();
  removeTempDirs();
});

describe('a replica fed by a malicious master (in-process, through the codec)', () => {
  it('refuses bad paths at decoding: .., absolute, NUL, backslashes, in paths, move sources, texts and symlink targets', () => {
    const bad: [string, unknown][] = [
      ['..', change(1, [fileEntry('../escape.txt', 'x')])],
      ['.. inside', change(1, [fileEntry('d/../../escape.txt', 'x')])],
      ['absolute', change(1, [fileEntry('/tmp/escape.txt', 'x')])],
      ['drive letter', change(1, [fileEntry('C:/escape.txt', 'x')])],
      ['NUL', change(1, [fileEntry('a\0b', 'x')])],
      ['backslashes', change(1, [fileEntry('..\\..\\escape.txt', 'x')])],
      [
        'move source',
        change(1, [
          fileEntry('stolen.txt', 'x', { op: 'move', movedFrom: '../sentinel/victim.txt' }),
        ]),
      ],
      [
        'window entry',
        change(
          2,
          [fileEntry('ok.txt', 'x')],
          [
            {
              prior: 1,
              version: 2,
              createdAt: 0,
              method: '1pc',
              entries: [fileEntry('../w.txt', 'x').entry],
            },
          ],
        ),
      ],
      ['symlink target with NUL', change(1, [linkEntry('l', '/tmp\0/x')])],
      [
        'delta entry',
        {
          t: 'delta-part',
          folder: FOLDER,
          id: 1,
          entries: [fileEntry('../../d.txt', 'x').entry],
          texts: [],
          inline: [],
        },
      ],
      [
        'text delta',
        {
          t: 'delta-part',
          folder: FOLDER,
          id: 1,
          entries: [],
          texts: [{ path: '../t.txt', baseHash: 'a'.repeat(64), hash: 'b'.repeat(64), edits: [] }],
          inline: [],
        },
      ],
    ];
    for (const [what, message] of bad)
      expect(() => wire(message), what).toThrow(/invalid path|NUL|path/);
  });

  const underSymlinks: [string, (sentinel: string) => Part[]][] = [
    [
      'a file under a symlink to an absolute outside path',
      () => [fileEntry('out/pwned.txt', 'pwned')],
    ],
    [
      'a file under a relative symlink that climbs out',
      () => [fileEntry('rel/pwned.txt', 'pwned')],
    ],
    ['a file under a nested symlink', () => [fileEntry('d/deep/pwned.txt', 'pwned')]],
    [
      'a file named like a file beside the replica (a conflict copy through the symlink)',
      () => [fileEntry('out/victim.txt', 'replaced')],
    ],
    ['a deletion through the symlink', () => [deleteEntry('out/victim.txt')]],
    ['a directory through the symlink', () => [dirEntry('out/newdir')]],
    [
      'a directory in place of a directory beside the replica',
      () => [fileEntry('out/keep', 'file now')],
    ],
    ['a symlink through the symlink', () => [linkEntry('out/link', '/etc')]],
    [
      'a move out of the folder through the symlink',
      () => [
        fileEntry('stolen.txt', VICTIM, { op: 'move', movedFrom: 'out/victim.txt' }),
        deleteEntry('out/victim.txt'),
      ],
    ],
    [
      'a symlink and a file below it in the same version',
      (s) => [linkEntry('sneaky', s), fileEntry('sneaky/x.txt', 'x')],
    ],
    [
      'a file and then a symlink above it in the same version',
      (s) => [fileEntry('sneaky/x.txt', 'x'), linkEntry('sneaky', s)],
    ],
    [
      'a symlink and a directory below it in the same version',
      (s) => [linkEntry('sneaky', s), dirEntry('sneaky/sub'), fileEntry('sneaky/sub/x.txt', 'x')],
    ],
    [
      'a symlink in place of the staging directory, then a file to stage',
      (s) => [linkEntry('.lanfold-staging', s), fileEntry('staged.txt', 'x'.repeat(100))],
    ],
  ];

  it.each(underSymlinks)('refuses %s, and writes nothing outside', async (_what, parts) => {
    const h = await replicaAtV1();
    const from = h.logs.length;
    h.evil.send(wire(change(1, parts(h.sentinel))));
    const why = await refusal(h, from);
    expect(why).toMatch(/Refused to write|ENOTEMPTY/);
    expect(h.replica.head()).toBe(1);
    expectNothingOutside(h);
    expect(readlinkSync(path.join(h.root, 'out'))).toBe(h.sentinel);
  });

  it('refuses a version that reaches through a symlink the replica user made', async () => {
    const h = await replicaAtV1();
    symlinkSync(h.sentinel, path.join(h.root, 'mine'));
    for (const parts of [
      [fileEntry('mine/victim.txt', 'replaced')],
      [deleteEntry('mine/victim.txt')],
      [fileEntry('mine/new.txt', 'new')],
    ]) {
      const from = h.logs.length;
      h.evil.send(wire(change(1, parts)));
      await refusal(h, from);
      expect(h.replica.head()).toBe(1);
      expectNothingOutside(h);
      await sleep(1200); // let the retry (a delta request answered "nothing new") pass
    }
  });

  it('refuses a symlink and a file below it arriving as a window of two versions', async () => {
    const h = await replicaAtV1();
    const from = h.logs.length;
    const v2 = {
      prior: 1,
      version: 2,
      createdAt: 0,
      method: '1pc',
      entries: [linkEntry('w', h.sentinel)],
    };
    const v3 = change(2, [fileEntry('w/x.txt', 'x')], [v2]);
    h.evil.send(wire(v3));
    await refusal(h, from);
    expect(h.replica.head()).toBe(1);
    expectNothingOutside(h);
  });

  it('refuses a delta whose parts put a file below a symlink to the outside', async () => {
    const h = await replicaAtV1();
    const from = h.logs.length;
    const file = fileEntry('dl/x.txt', 'through the link');
    // The replica asks for a delta when told of version 2 without a change packet.
    h.evil.onMessage((m) => {
      h.got.push(m);
      if (m.t !== 'delta-req') return;
      if (m.have === 1) {
        h.evil.send(
          wire({
            t: 'delta-part',
            folder: FOLDER,
            id: m.id,
            entries: [linkEntry('dl', h.sentinel)],
            texts: [],
            inline: [],
          }),
        );
        h.evil.send(
          wire({
            t: 'delta-part',
            folder: FOLDER,
            id: m.id,
            entries: [file.entry],
            texts: [],
            inline: [file.inline],
          }),
        );
        h.evil.send({ t: 'delta-end', folder: FOLDER, id: m.id, from: 1, to: 2, createdAt: 0 });
      }
    });
    h.evil.send({ t: 'heartbeat', folder: FOLDER, version: 2 });
    await refusal(h, from);
    expect(h.replica.head()).toBe(1);
    expectNothingOutside(h);
  });

  it('keeps working after refusals: a good version applies next', async () => {
    const h = await replicaAtV1();
    const from = h.logs.length;
    h.evil.send(wire(change(1, [linkEntry('sneaky', h.sentinel), fileEntry('sneaky/x.txt', 'x')])));
    await refusal(h, from);
    await sleep(1200);
    h.evil.send(wire(change(1, [fileEntry('fine.txt', 'fine\n')])));
    await waitFor(
      () => {
        if (h.replica.head() === 2) return true;
        h.evil.send({ t: 'heartbeat', folder: FOLDER, version: 2 });
        return false;
      },
      { intervalMs: 300, timeoutMs: 10_000, what: 'the good version to be applied' },
    );
    expect(readFileSync(path.join(h.root, 'fine.txt'), 'utf8')).toBe('fine\n');
    expectNothingOutside(h);
  });

  // A version that creates a symlink and an entry below it is refused before anything is
  // staged or journaled (checkTreeShape in main/engine/replica/apply.ts), so nothing is left
  // behind and the folder opens again at its recorded version.
  it('opens again after refusing a symlink and a file below it in one version', async () => {
    const h = await replicaAtV1();
    const from = h.logs.length;
    h.evil.send(wire(change(1, [linkEntry('sneaky', h.sentinel), fileEntry('sneaky/x.txt', 'x')])));
    await refusal(h, from);
    await h.replica.close();
    const again = new ReplicaFolder({
      id: FOLDER,
      root: h.root,
      dataDir: path.join(h.base, 'data'),
      deviceId: 'R'.repeat(52),
      clock: systemClock,
      logger: captureLogger([]),
    });
    open.push(again);
    expect(again.head()).toBe(1);
    expectNothingOutside(h);
  });

  // The link in memory does not validate: these reach the replica as they are. The replica
  // must still refuse them itself (defence in depth behind the codec).
  const unvalidated: [string, (sentinel: string) => Part[]][] = [
    ['a file at ../escape.txt', () => [fileEntry('../escape.txt', 'escaped')]],
    ['a file at an absolute path', (s) => [fileEntry(path.join(s, 'abs.txt'), 'escaped')]],
    ['a deletion of ../sentinel/victim.txt', () => [deleteEntry('../sentinel/victim.txt')]],
    [
      'a file replacing ../sentinel/victim.txt',
      () => [fileEntry('../sentinel/victim.txt', 'replaced')],
    ],
    ['a directory at ../newdir', () => [dirEntry('../newdir')]],
    ['a symlink at ../link', () => [linkEntry('../link', '/etc')]],
  ];

  it.each(unvalidated)('refuses %s even when validation is skipped', async (_what, parts) => {
    const h = await replicaAtV1();
    const from = h.logs.length;
    h.evil.send(change(1, parts(h.sentinel)) as Message);
    await refusal(h, from);
    expect(h.replica.head()).toBe(1);
    expectNothingOutside(h);
  });
});

/** The malicious master over TLS: a raw TLS server speaking just enough of the protocol. */
class EvilMaster {
  readonly connections: { socket: tls.TLSSocket; received: Message[]; closed: boolean }[] = [];
  private server: tls.Server | undefined;
  port = 0;

  constructor(
    private readonly identity: Identity,
    private readonly expectPeer: string,
  ) {}

  async listen(): Promise<void> {
    const server = tls.createServer({
      cert: this.identity.certPem,
      key: this.identity.keyPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.3',
    });
    server.on('secureConnection', (socket) => {
      const raw = socket.getPeerCertificate(true).raw as Buffer | undefined;
      if (!raw || deviceIdOfCert(raw) !== this.expectPeer) {
        socket.destroy();
        return;
      }
      const conn = { socket, received: [] as Message[], closed: false };
      this.connections.push(conn);
      const decoder = new FrameDecoder();
      socket.on('data', (d: Buffer) => {
        for (const m of decoder.push(d)) {
          conn.received.push(m);
          if (m.t === 'delta-req')
            this.send(conn, {
              t: 'delta-end',
              folder: m.folder,
              id: m.id,
              from: m.have,
              to: m.have,
              createdAt: 0,
            });
          if (m.t === 'get')
            this.send(conn, { t: 'nodata', folder: m.folder, id: m.id, reason: 'no' });
        }
      });
      socket.on('error', () => undefined);
      socket.once('close', () => (conn.closed = true));
      this.send(conn, { t: 'hello', protocol: PROTOCOL_VERSION, name: 'evil', app: 'test' });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.port = (server.address() as { port: number }).port;
  }

  send(conn: { socket: tls.TLSSocket }, message: unknown): void {
    const body = Buffer.from(rawPackr.pack(message));
    const head = Buffer.alloc(4);
    head.writeUInt32BE(body.length, 0);
    conn.socket.write(Buffer.concat([head, body]));
  }

  /** The newest open connection on which the replica subscribed to the folder. */
  async subscribed(
    folder = FOLDER,
  ): Promise<{ socket: tls.TLSSocket; received: Message[]; closed: boolean }> {
    return waitFor(
      () => {
        const c = this.connections.at(-1);
        return c && !c.closed && c.received.some((m) => m.t === 'subscribe' && m.folder === folder)
          ? c
          : undefined;
      },
      { what: `the replica to subscribe to ${folder}`, timeoutMs: 15_000 },
    );
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.socket.destroy();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('a replica daemon whose upstream is a malicious master (over TLS)', () => {
  let base: string;
  let root: string;
  let sentinel: string;
  let before: Record<string, string>;
  let state: string;
  let evil: EvilMaster;
  let daemon: DaemonProcess;
  let replicaId: string;

  function daemonLog(): { msg?: string; err?: { message?: string } }[] {
    return readFileSync(path.join(state, 'daemon.log'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { msg?: string; err?: { message?: string } });
  }

  function expectNothingOutsideHere(): void {
    expect(tree(sentinel)).toEqual(before);
    expect(readdirSync(base).sort()).toEqual(['folder', 'mine', 'sentinel', 'state']);
  }

  beforeAll(async () => {
    const layout = makeLayout();
    ({ base, root, sentinel, before } = layout);
    state = path.join(base, 'state');
    const identity = await generateIdentity('evil');
    const device = await initDevice(state, {
      name: 'replica',
      listen: '127.0.0.1:0',
      gui: '127.0.0.1:0',
    });
    replicaId = device.deviceId;
    evil = new EvilMaster(identity, replicaId);
    await evil.listen();
    const s = DeviceState.open(state);
    s.addPeer(identity.deviceId, `127.0.0.1:${evil.port}`, 'evil');
    s.addFolder({ path: root, role: 'replica', id: FOLDER, upstreams: [identity.deviceId] });
    // A master folder on the same device, shared with the evil device: the target of the get test.
    const mine = path.join(base, 'mine');
    mkdirSync(mine);
    writeFileSync(path.join(mine, 'shared.txt'), 'shared\n');
    s.addFolder({ path: mine, role: 'master', id: 'mine' });
    s.shareFolder('mine', identity.deviceId);
    daemon = startDaemon(state);
    await daemon.ready();
  }, 60_000);

  afterAll(async () => {
    await evil.close();
  });

  it('applies a legitimate first version that holds a symlink leading out', async () => {
    const conn = await evil.subscribed();
    evil.send(conn, change(0, [fileEntry('hello.txt', 'hello\n'), linkEntry('out', sentinel)]));
    await waitFor(() => conn.received.some((m) => m.t === 'ack' && m.version === 1), {
      what: 'the replica to ack version 1',
    });
    expect(readlinkSync(path.join(root, 'out'))).toBe(sentinel);
    expectNothingOutsideHere();
  });

  const wireBad: [string, () => Record<string, unknown>][] = [
    ['a path with ..', () => change(1, [fileEntry('../escape.txt', 'x')])],
    ['an absolute path', () => change(1, [fileEntry(path.join(base, 'abs.txt'), 'x')])],
    ['a path with NUL', () => change(1, [fileEntry('a\0b', 'x')])],
    ['a path with backslashes', () => change(1, [fileEntry('..\\..\\escape.txt', 'x')])],
    [
      'a move from ../../etc/passwd',
      () => change(1, [fileEntry('passwd', 'x', { op: 'move', movedFrom: '../../etc/passwd' })]),
    ],
    ['a symlink target with NUL', () => change(1, [linkEntry('l', `${sentinel}\0`)])],
    [
      'a delta part with a bad path',
      () => ({
        t: 'delta-part',
        folder: FOLDER,
        id: 1,
        entries: [fileEntry('d/../../x', 'x').entry],
        texts: [],
        inline: [],
      }),
    ],
  ];

  it.each(wireBad)(
    'answers %s with a protocol error and closes the connection',
    async (_what, message) => {
      const conn = await evil.subscribed();
      evil.send(conn, message());
      await waitFor(() => conn.closed, { what: 'the replica to close the connection' });
      const error = conn.received.find((m) => m.t === 'error');
      expect(error, JSON.stringify(conn.received.map((m) => m.t))).toMatchObject({
        t: 'error',
        reason: expect.stringMatching(/invalid path|NUL/) as unknown,
      });
      expect(daemon.running).toBe(true);
      expectNothingOutsideHere();
    },
  );

  it('refuses versions that write, replace or delete through the symlink', async () => {
    for (const parts of [
      [fileEntry('out/pwned.txt', 'pwned')],
      [fileEntry('out/victim.txt', 'replaced')],
      [deleteEntry('out/victim.txt')],
      [linkEntry('s', sentinel), fileEntry('s/x.txt', 'x')],
    ]) {
      const failures = daemonLog().filter(
        (l) => l.msg?.startsWith('applying a version failed') === true,
      ).length;
      const conn = await evil.subscribed();
      evil.send(conn, change(1, parts));
      await waitFor(
        () =>
          daemonLog().filter((l) => l.msg?.startsWith('applying a version failed') === true)
            .length > failures,
        { what: 'the replica daemon to refuse the version' },
      );
      expect(conn.received.some((m) => m.t === 'ack' && m.version === 2)).toBe(false);
      expectNothingOutsideHere();
      await sleep(1200); // the retry: a delta request, answered "nothing new"
    }
    expect(daemon.running).toBe(true);
  });

  it('refuses a get for ../../etc/passwd sent to a master folder, by validation', async () => {
    const conn = await evil.subscribed();
    const hash = createHash('sha256').update('shared\n').digest('hex');
    evil.send(conn, { t: 'subscribe', folder: 'mine', have: 0 });
    evil.send(conn, {
      t: 'get',
      folder: 'mine',
      id: 41,
      path: 'shared.txt',
      version: 1,
      index: 0,
      hash,
    });
    await waitFor(() => conn.received.some((m) => m.t === 'data' && m.id === 41), {
      what: 'the control get to be served',
    });
    evil.send(conn, {
      t: 'get',
      folder: 'mine',
      id: 42,
      path: '../../etc/passwd',
      version: 1,
      index: 0,
      hash,
    });
    await waitFor(() => conn.closed, { what: 'the daemon to close the connection' });
    expect(conn.received.find((m) => m.t === 'error')).toMatchObject({
      reason: expect.stringMatching(/bad get message at path: invalid path/) as unknown,
    });
    expect(conn.received.some((m) => m.t === 'data' && m.id === 42)).toBe(false);
  });

  it('is still up and answers status; it starts again; nothing was written outside', async () => {
    expect(daemon.running, daemon.stderr).toBe(true);
    const status = JSON.parse(await lanfoldOk(['status', '--json'], { state })) as {
      daemon: { running: boolean };
      folders: { id: string; version: number }[];
    };
    expect(status.daemon.running).toBe(true);
    expect(status.folders.find((f) => f.id === FOLDER)?.version).toBe(1);
    const log = daemonLog();
    expect(log.some((l) => l.msg === 'protocol error; closing the connection')).toBe(true);
    expect(
      log
        .filter((l) => l.msg?.startsWith('applying a version failed') === true)
        .every((l) => /Refused|symlink|ENOTEMPTY/.test(l.err?.message ?? '')),
    ).toBe(true);
    expect((await daemon.stop()).killed).toBe(false);
    // On start the replica replays the journal a refused version may have left (see the
    // known issue below): the replay is refused again, and writes nothing outside either.
    daemon = startDaemon(state);
    await daemon.ready();
    await sleep(1500);
    expect(daemon.running, daemon.stderr).toBe(true);
    const after = JSON.parse(await lanfoldOk(['status', '--json'], { state })) as {
      daemon: { running: boolean };
      folders: { id: string; version: number }[];
    };
    expect(after.daemon.running).toBe(true);
    expect(after.folders.find((f) => f.id === FOLDER)?.version).toBe(1);
    expect(readFileSync(path.join(root, 'hello.txt'), 'utf8')).toBe('hello\n');
    expect(lstatSync(path.join(root, 'out')).isSymbolicLink()).toBe(true);
    expectNothingOutsideHere();
  });
});
