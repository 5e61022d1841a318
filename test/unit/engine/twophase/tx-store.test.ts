import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TxStore, type DownstreamResult } from '../../../../main/engine/twophase/tx-store.js';
import { useTempDirs } from '../../helpers/temp-dir.js';

const L1 = 'A'.repeat(52);
const L2 = 'C'.repeat(52);
const RELAY = 'B'.repeat(52);

function result(
  replica: string,
  outcome: DownstreamResult['outcome'],
  reason = '',
): DownstreamResult {
  return { replica, name: replica.slice(0, 2), via: RELAY, outcome, reason };
}

describe("TxStore: relays' reports of the hops below them", () => {
  const tempDir = useTempDirs();
  const open: TxStore[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  const store = (): TxStore => {
    const s = new TxStore(path.join(tempDir('tx'), 'log.db'));
    open.push(s);
    return s;
  };

  it('keeps the newest outcome per replica, for the versions the attempt covered', () => {
    const s = store();
    s.report(3, 5, [result(L1, 'abort', 'a.txt has a local edit'), result(L2, 'abort')], 1000);
    expect(s.reportsCovering(4).map((r) => [r.replica, r.outcome, r.reason])).toEqual([
      [L1, 'abort', 'a.txt has a local edit'],
      [L2, 'abort', ''],
    ]);
    // The retry covers (3, 7] and commits: it is the newest word on 4 and 5 as well.
    s.report(3, 7, [result(L1, 'commit'), result(L2, 'commit')], 2000);
    expect(s.reportsCovering(5).map((r) => [r.replica, r.outcome, r.version])).toEqual([
      [L1, 'commit', 7],
      [L2, 'commit', 7],
    ]);
    expect(s.reportsCovering(3)).toEqual([]);
    expect(s.reportsCovering(8)).toEqual([]);
  });

  it('replaces a report of the same attempt, and survives reopening', () => {
    const file = path.join(tempDir('tx'), 'log.db');
    const s = new TxStore(file);
    s.report(1, 2, [result(L1, 'behind', 'did not vote in time')], 1000);
    s.report(1, 2, [result(L1, 'commit')], 1500);
    s.close();
    const again = new TxStore(file);
    open.push(again);
    const [r] = again.reportsCovering(2);
    expect(r).toMatchObject({ replica: L1, via: RELAY, outcome: 'commit', reportedAt: 1500 });
    expect(again.reportsCovering(2)).toHaveLength(1);
  });
});
