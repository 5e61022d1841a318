import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChunkList } from '../../../../main/engine/chunk-list.js';
import type { NewEntry, NewVersion } from '../../../../main/engine/entry.js';
import { relaySource } from '../../../../main/engine/replica/relay-source.js';
import { ChunkServer } from '../../../../main/engine/replication/chunk-server.js';
import { buildDelta } from '../../../../main/engine/replication/delta-builder.js';
import type { MissingChunk } from '../../../../main/engine/replication/served-folder.js';
import { toRelPath } from '../../../../main/engine/relpath.js';
import { VersionLog } from '../../../../main/engine/store/version-log.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const HEADER: NewVersion = {
  epoch: 1,
  createdAt: 1_700_000_000_000,
  method: '1pc',
  reason: 'applied',
  origin: 'apply',
};

/** A list of 20 chunks; `changed` replaces the last one (so an edit is much smaller than the list). */
function chunks(changed: number): ChunkList {
  return ChunkList.fromChunks(
    Array.from({ length: 20 }, (_, i) => ({
      hash: Buffer.alloc(32, i === 19 ? 100 + changed : i + 1),
      fast: BigInt(i === 19 ? 1000 + changed : i),
      size: 100,
    })),
  );
}

function file(p: string, list: ChunkList, op: NewEntry['op'] = 'modify'): NewEntry {
  return {
    path: toRelPath(p),
    op,
    kind: 'file',
    size: list.totalSize(),
    mtimeMs: 1,
    mode: 0o644,
    ino: 0,
    hash: list.rootHash(),
    target: null,
    chunks: list,
    movedFrom: null,
  };
}

describe("a relay's replica folder as a served folder", () => {
  const tempDir = useTempDirs();
  const open: VersionLog[] = [];
  afterEach(() => {
    for (const log of open.splice(0)) log.close();
  });

  /** A relay that applied the master's versions 3, 7 and 9 (each as one step). */
  function relay(asked: MissingChunk[] = []): ReturnType<typeof relaySource> {
    const root = tempDir('relay');
    const log = new VersionLog(path.join(root, 'log.db'));
    open.push(log);
    log.commit(
      HEADER,
      [file('big.bin', chunks(0), 'add'), file('other.bin', chunks(50), 'add')],
      3,
    );
    log.commit(HEADER, [file('big.bin', chunks(1))], 7);
    log.commit(HEADER, [file('big.bin', chunks(2))], 9);
    return relaySource({
      id: 'docs',
      root,
      log,
      head: () => log.head(),
      fetchUpstream: (missing) => {
        asked.push(missing);
        return Promise.resolve(Buffer.from(`upstream ${missing.index}`));
      },
    });
  }

  it('gives the version before each of its versions, skipping what it applied together', () => {
    const r = relay();
    expect([r.priorOf!(9), r.priorOf!(7), r.priorOf!(3)]).toEqual([7, 3, 0]);
  });

  it('holds the exact state only at versions it recorded (and at 0)', () => {
    const r = relay();
    expect([0, 3, 5, 7, 8, 9].map((v) => r.hasStateAt!(v))).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
    ]);
  });

  it('keeps no retained chunks', () => {
    expect(relay().content.get(Buffer.alloc(32, 1))).toBeUndefined();
  });

  it('asks its upstream for a chunk of its head that its file does not hold, and only for such', async () => {
    const asked: MissingChunk[] = [];
    const r = relay(asked);
    const server = new ChunkServer(r.root, r.log, r.content, (m) => r.fetchMissing!(m));
    const last = chunks(2).at(19);
    // big.bin is not on the relay's disk (as after a local edit or deletion there).
    const data = await server.read(toRelPath('big.bin'), 19, last.hash.toString('hex'));
    expect(data?.toString()).toBe('upstream 19');
    expect(asked.map((m) => [m.path, m.version, m.index, m.chunk.size])).toEqual([
      ['big.bin', 9, 19, 100],
    ]);
    // A chunk the head does not list (superseded) is not asked for: the relay has no business
    // fetching what its own version does not hold.
    const stale = chunks(1).at(19).hash.toString('hex');
    expect(await server.read(toRelPath('big.bin'), 19, stale)).toBeUndefined();
    expect(asked).toHaveLength(1);
    server.close();
  });

  it('sends a delta from a version it holds as edits, and from one it does not as whole lists', async () => {
    const r = relay();
    const parts = async (from: number) => {
      const out = [];
      for await (const part of buildDelta(r, from, 9)) out.push(...part.entries);
      return out;
    };
    const fromHeld = await parts(7);
    expect(fromHeld.map((e) => e.path)).toEqual(['big.bin']);
    expect(fromHeld[0]!.chunks).not.toBeInstanceOf(Uint8Array); // an edit of the list at 7

    // Version 5 is not in the relay's log: the scope is everything after it (a superset of
    // what changed in (5, 9]), each entry whole.
    const fromMissing = await parts(5);
    expect(fromMissing.map((e) => e.path)).toEqual(['big.bin']);
    expect(fromMissing[0]!.chunks).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(fromMissing[0]!.chunks as Uint8Array).equals(chunks(2).packed)).toBe(true);
  });
});
