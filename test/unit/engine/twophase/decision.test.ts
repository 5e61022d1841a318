import { describe, expect, it } from 'vitest';
import { decide, retryDelayMs, type Vote } from '../../../../main/engine/twophase/decision.js';

const Y: Vote = { upToDate: true, canApply: true, reason: '' };
const N = (reason: string): Vote => ({ upToDate: true, canApply: false, reason });
const tx = (votes: [string, Vote][], deadline = 100) => ({
  participants: ['a', 'b', 'c'],
  votes: new Map(votes),
  deadline,
});

describe('decide', () => {
  it('waits under all while votes are missing and none said no', () => {
    expect(decide(tx([['a', Y]]), 'all', 0)).toEqual({ kind: 'wait' });
  });
  it('commits under all only when every replica voted yes', () => {
    expect(
      decide(
        tx([
          ['a', Y],
          ['b', Y],
          ['c', Y],
        ]),
        'all',
        0,
      ),
    ).toEqual({ kind: 'commit', to: ['a', 'b', 'c'], behind: [] });
  });
  it('aborts under all at the first no, naming the blocker and its reason', () => {
    expect(
      decide(
        tx([
          ['a', Y],
          ['b', N('disk full')],
        ]),
        'all',
        0,
      ),
    ).toEqual({ kind: 'abort', blockers: [{ replica: 'b', reason: 'disk full' }] });
  });
  it('counts a replica that is not up to date as a no', () => {
    const stale: Vote = { upToDate: false, canApply: true, reason: 'behind' };
    expect(
      decide(
        tx([
          ['a', Y],
          ['b', Y],
          ['c', stale],
        ]),
        'all',
        0,
      ).kind,
    ).toBe('abort');
  });
  it('aborts under all when the deadline passes with votes missing', () => {
    expect(decide(tx([['a', Y]]), 'all', 100)).toEqual({
      kind: 'abort',
      blockers: [
        { replica: 'b', reason: 'did not vote in time' },
        { replica: 'c', reason: 'did not vote in time' },
      ],
    });
  });
  it('under available waits for every vote until the deadline', () => {
    expect(
      decide(
        tx([
          ['a', Y],
          ['b', N('x')],
        ]),
        'available',
        99,
      ),
    ).toEqual({ kind: 'wait' });
  });
  it('under available commits on the yes voters and leaves the others behind', () => {
    expect(
      decide(
        tx([
          ['a', Y],
          ['b', N('local edit')],
          ['c', Y],
        ]),
        'available',
        0,
      ),
    ).toEqual({ kind: 'commit', to: ['a', 'c'], behind: ['b'] });
  });
  it('under available commits on the voters at the deadline', () => {
    expect(decide(tx([['b', Y]]), 'available', 100)).toEqual({
      kind: 'commit',
      to: ['b'],
      behind: ['a', 'c'],
    });
  });
  it('commits at once with no participants', () => {
    expect(decide({ participants: [], votes: new Map(), deadline: 10 }, 'all', 0)).toEqual({
      kind: 'commit',
      to: [],
      behind: [],
    });
  });
});

describe('retryDelayMs', () => {
  it('doubles from one second up to five minutes', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(30)).toBe(300_000);
  });
});
