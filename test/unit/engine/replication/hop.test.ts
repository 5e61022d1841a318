import { describe, expect, it } from 'vitest';
import type { VersionInfo } from '../../../../main/engine/entry.js';
import { relayHop, type RelayHopSettings } from '../../../../main/engine/replication/hop.js';

function version(method: VersionInfo['method']): VersionInfo {
  return {
    seq: 5,
    epoch: 1,
    createdAt: 0,
    method,
    reason: 'test',
    origin: 'watch',
    changes: 2,
    bytes: 0,
  };
}

describe("a relay's hop", () => {
  it.each([
    ['auto', '2pc', true],
    ['auto', '1pc', false],
    ['two-phase', '1pc', true],
    ['one-phase', '2pc', false],
  ] as const)('in %s sends a %s version two-phase: %s', (mode, method, expected) => {
    const settings: RelayHopSettings = { commitMode: mode, twoPhasePolicy: 'all' };
    const hop = relayHop(
      () => true,
      () => settings,
    );
    expect(hop.twoPhase(version(method))).toBe(expected);
    expect(hop.policy()).toBe('all');
    expect(hop.guard).toBeUndefined();
  });

  it('passes every version as one-phase while the folder does not relay', () => {
    let relaying = false;
    const hop = relayHop(
      () => relaying,
      () => ({ commitMode: 'two-phase', twoPhasePolicy: 'available' }),
    );
    expect(hop.twoPhase(version('2pc'))).toBe(false);
    relaying = true;
    expect(hop.twoPhase(version('2pc'))).toBe(true);
  });
});
