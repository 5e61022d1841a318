import {
  mkdtempSync,
  rmSync,
  writeFileSync,
  mkdirSync,
  readFileSync,
  existsSync,
  renameSync,
  appendFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../main/engine/clock.js';
import { DEFAULT_FOLDER_SETTINGS } from '../../main/engine/folder-settings.js';
import { silentLogger } from '../../main/engine/logger.js';
import { MasterFolder } from '../../main/engine/master-folder.js';
import { ReplicaFolder } from '../../main/engine/replica/replica-folder.js';
import { toRelPath } from '../../main/engine/relpath.js';
import { masterHop } from '../../main/engine/replication/hop.js';
import { FolderPublisher } from '../../main/engine/replication/publisher.js';
import { memoryLinkPair, type PeerLink } from '../../main/protocol/link.js';
import { fileEntry, prepareAddingDir } from '../helpers/entries.js';
import { encodeFrame, FrameDecoder } from '../../main/protocol/codec.js';
import { frameBuffers } from '../../main/engine/buffer-pool.js';
import { digestFile } from '../../main/engine/chunker.js';
import { toWire } from '../../main/engine/replication/wire-entries.js';
import type { Message, WireEntry } from '../../main/protocol/messages.js';

const dirs: string[] = [];
function tmp(name: string): string {
  const d = mkdtempSync(path.join(os.tmpdir(), `lf-${name}-`));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A master folder on `root`, scanned, with the publisher that serves it. */
async function startMaster(root: string): Promise<{ master: MasterFolder; pub: FolderPublisher }> {
  const master = new MasterFolder({
    id: 'f',
    root,
    dataDir: tmp('md'),
    settings: DEFAULT_FOLDER_SETTINGS,
  });
  const pub = new FolderPublisher({
    folder: master,
    hop: masterHop(master),
    isShared: () => true,
    clock: systemClock,
    logger: silentLogger,
    heartbeatMs: 1000,
    windowVersions: 8,
  });
  await master.start({ watch: false });
  return { master, pub };
}

function newReplica(root: string): ReplicaFolder {
  return new ReplicaFolder({
    id: 'f',
    root,
    dataDir: tmp('rd'),
    deviceId: 'R'.repeat(52),
    clock: systemClock,
    logger: silentLogger,
  });
}

/** An in-memory link: the replica's side (to the master) and the side a test plays the master on. */
function upstreamPair(): [toMaster: PeerLink, masterSide: PeerLink] {
  return memoryLinkPair({ deviceId: 'M', name: 'm' }, { deviceId: 'R', name: 'r' });
}

/** Attaches `replica` to a master the test plays: `onMessage` gets what the replica sends. */
function fakeUpstream(
  replica: ReplicaFolder,
  onMessage: (m: Message) => void,
): { toMaster: PeerLink; masterSide: PeerLink } {
  const [toMaster, masterSide] = upstreamPair();
  masterSide.onMessage(onMessage);
  toMaster.onMessage((m) => replica.handle(toMaster, m));
  replica.attach(toMaster);
  return { toMaster, masterSide };
}

/** Links `replica` to the master's publisher in memory and attaches it. */
function connect(replica: ReplicaFolder, pub: FolderPublisher): void {
  const [toMaster, toReplica] = upstreamPair();
  toReplica.onMessage((m) => pub.handle(toReplica, m));
  toMaster.onMessage((m) => replica.handle(toMaster, m));
  replica.attach(toMaster);
}

describe('replication over an in-memory link', () => {
  it('brings a replica to the master version and follows changes', async () => {
    const mroot = tmp('m');
    const rroot = tmp('r');
    mkdirSync(path.join(mroot, 'sub'));
    writeFileSync(path.join(mroot, 'a.txt'), 'hello\n');
    writeFileSync(path.join(mroot, 'sub/big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
    const { master, pub } = await startMaster(mroot);
    const replica = newReplica(rroot);
    connect(replica, pub);
    await until(() => replica.head() === master.head());
    expect(readFileSync(path.join(rroot, 'a.txt'), 'utf8')).toBe('hello\n');
    expect(
      readFileSync(path.join(rroot, 'sub/big.bin')).equals(Buffer.alloc(3 * 1024 * 1024, 7)),
    ).toBe(true);

    appendFileSync(path.join(mroot, 'a.txt'), 'more\n');
    const v = await master.rescan();
    pub.onVersion(v!);
    await until(() => replica.head() === master.head());
    expect(readFileSync(path.join(rroot, 'a.txt'), 'utf8')).toBe('hello\nmore\n');

    renameSync(path.join(mroot, 'sub'), path.join(mroot, 'sub2'));
    pub.onVersion((await master.rescan())!);
    await until(() => replica.head() === master.head());
    expect(existsSync(path.join(rroot, 'sub'))).toBe(false);
    expect(readFileSync(path.join(rroot, 'sub2/big.bin')).length).toBe(3 * 1024 * 1024);
    await replica.close();
    pub.close();
    await master.close();
  });

  it("forgets an upstream's refusal once it follows another upstream, even after that connection was cut", async () => {
    const mroot = tmp('m');
    writeFileSync(path.join(mroot, 'a.txt'), 'hello\n');
    const { master, pub } = await startMaster(mroot);
    const replica = newReplica(tmp('r'));
    // A relay that does not relay the folder refuses it; the host then cuts that connection
    // and attaches the master's once it is up (replication-host.ts does both).
    const [toRelay, relaySide] = memoryLinkPair(
      { deviceId: 'L', name: 'relay' },
      { deviceId: 'R', name: 'r' },
    );
    toRelay.onMessage((m) => replica.handle(toRelay, m));
    replica.attach(toRelay);
    relaySide.send({ t: 'refuse', folder: 'f', reason: 'this device does not relay the folder' });
    await until(() => replica.status().lastError !== undefined);
    expect(replica.status().lastError).toBe(
      'upstream refused the folder: this device does not relay the folder',
    );
    toRelay.close('refused');
    connect(replica, pub);
    expect(replica.status().lastError).toBeUndefined();
    await until(() => replica.head() === master.head());
    expect(replica.status().lastError).toBeUndefined();
    await replica.close();
    pub.close();
    await master.close();
  });

  it('votes on a prepare that arrives in the same tick as a heartbeat that found nothing to do', async () => {
    const rroot = tmp('r');
    const replica = newReplica(rroot);
    const received: Message[] = [];
    const { toMaster, masterSide } = fakeUpstream(replica, (m) => received.push(m));
    // Both in one synchronous run, as when one socket read holds both frames: the heartbeat
    // starts the catch-up loop, which ends at once (nothing to do); the prepare comes before
    // that loop's promise has settled.
    replica.handle(toMaster, { t: 'heartbeat', folder: 'f', version: 0 });
    replica.handle(toMaster, prepareAddingDir('1.1', 0, 1, 'made-by-2pc'));
    // The vote comes without any further message (the master sends none until it decides).
    await until(() => received.some((m) => m.t === 'vote'), 3000);
    expect(received.find((m) => m.t === 'vote')).toMatchObject({ tx: '1.1', canApply: true });
    masterSide.send({ t: 'decision', folder: 'f', tx: '1.1', outcome: 'commit' });
    await until(() => replica.head() === 1);
    expect(existsSync(path.join(rroot, 'made-by-2pc'))).toBe(true);
    await replica.close();
  });

  it('forgets a failed catch-up once a two-phase commit brings the replica to the head', async () => {
    const rroot = tmp('r');
    const replica = newReplica(rroot);
    const received: Message[] = [];
    const { masterSide } = fakeUpstream(replica, (m) => {
      received.push(m);
      // Every delta this master serves edits a base the replica does not have: applying fails.
      if (m.t === 'delta-req') {
        masterSide.send({
          t: 'delta-part',
          folder: 'f',
          id: m.id,
          entries: [
            {
              path: toRelPath('edited.bin'),
              op: 'modify',
              kind: 'file',
              size: 10,
              mtimeMs: Date.now(),
              mode: 0o644,
              hash: 'a'.repeat(64),
              target: null,
              chunks: { base: 'b'.repeat(64), ops: [[0, 0, 1]] },
              movedFrom: null,
            },
          ],
          texts: [],
          inline: [],
        });
        masterSide.send({ t: 'delta-end', folder: 'f', id: m.id, from: 0, to: 1, createdAt: 1 });
      }
      if (m.t === 'vote')
        masterSide.send({ t: 'decision', folder: 'f', tx: m.tx, outcome: 'commit' });
    });
    masterSide.send({ t: 'heartbeat', folder: 'f', version: 1 });
    await until(() => replica.status().lastError !== undefined);
    expect(replica.status().lastError).toContain('does not fit');
    // The master moves on by two-phase commit from the replica's version (v0 to v2).
    masterSide.send(prepareAddingDir('2.1', 0, 2, 'd'));
    await until(() => replica.head() === 2);
    await until(() => replica.status().lastError === undefined, 3000);
    expect(received.filter((m) => m.t === 'vote')).toHaveLength(1);
    await replica.close();
  });

  it("gives a delta part's frame back once every inline file of it is staged, and only then", async () => {
    const rroot = tmp('r');
    const src = tmp('src');
    const replica = newReplica(rroot);
    // Twenty files of 60 KB inline: a frame larger than a chunk run, so it is gathered into
    // the frame pool when decoded from the wire.
    const entries: WireEntry[] = [];
    const inline: { hash: string; data: Buffer }[] = [];
    for (let i = 0; i < 20; i++) {
      const data = Buffer.alloc(60_000, i + 1);
      writeFileSync(path.join(src, `f${i}`), data);
      const d = await digestFile(path.join(src, `f${i}`));
      entries.push(toWire(fileEntry(`f${i}`, d)));
      inline.push({ hash: d.hash, data });
    }
    const decoded = (part: Message): Message => {
      const frame = encodeFrame(part);
      const decoder = new FrameDecoder();
      const out: Message[] = [];
      for (let at = 0; at < frame.length; at += 65_536)
        out.push(...decoder.push(frame.subarray(at, at + 65_536)));
      return out[0]!;
    };
    const given: boolean[] = [];
    const { toMaster, masterSide } = fakeUpstream(replica, (m) => {
      if (m.t !== 'delta-req') return;
      // The first delta's first file comes with the wrong bytes: it cannot be staged ahead,
      // so that part's frame stays lent; the second delta brings it right.
      const data =
        given.length === 1
          ? inline
          : [{ hash: inline[0]!.hash, data: Buffer.alloc(60_000, 99) }, ...inline.slice(1)];
      const part = decoded({
        t: 'delta-part',
        folder: 'f',
        id: m.id,
        entries,
        texts: [],
        inline: data,
      });
      if (
        part.t !== 'delta-part' ||
        part.inline[0]!.data.buffer.byteLength !== frameBuffers.capacity
      )
        throw new Error('expected a delta part in a pooled frame');
      const idle = frameBuffers.idle;
      replica.handle(toMaster, part);
      given.push(frameBuffers.idle === idle + 1);
      // No new version after all: the replica stays at v0.
      masterSide.send({ t: 'delta-end', folder: 'f', id: m.id, from: 0, to: 0, createdAt: 1 });
    });
    masterSide.send({ t: 'heartbeat', folder: 'f', version: 1 });
    await until(() => given.length === 1);
    masterSide.send({ t: 'heartbeat', folder: 'f', version: 1 });
    await until(() => given.length === 2);
    expect(given).toEqual([false, true]);
    await replica.close();
  });

  it('starts watching a new replica once its first sync is done, and reports what was edited before', async () => {
    const mroot = tmp('m');
    const rroot = tmp('r');
    writeFileSync(path.join(mroot, 'a.txt'), 'from the master\n');
    const { master, pub } = await startMaster(mroot);
    const replica = newReplica(rroot);
    await replica.watchLocal();
    // Made before the first sync, with no watch in place yet.
    writeFileSync(path.join(rroot, 'before.txt'), 'local\n');
    connect(replica, pub);
    await until(() => replica.head() === master.head());
    const paths = (): string[] => replica.status().localChanges.map((c) => c.path);
    await until(() => paths().includes('before.txt'));
    // The watch is in place after the first sync: an edit is reported without a rescan.
    appendFileSync(path.join(rroot, 'a.txt'), 'edited on the replica\n');
    await until(() => paths().includes('a.txt'));
    await replica.close();
    pub.close();
    await master.close();
  });
});
