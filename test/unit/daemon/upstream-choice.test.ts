import { describe, expect, it } from 'vitest';
import { chooseUpstream } from '../../../main/daemon/upstream-choice.js';

describe('chooseUpstream', () => {
  const cases: [string, string[], string[], string[], string | undefined][] = [
    [
      'the preferred one when it is connected',
      ['relay', 'master'],
      ['relay', 'master'],
      [],
      'relay',
    ],
    ['the next one when the preferred is down', ['relay', 'master'], ['master'], [], 'master'],
    [
      'the next one when the preferred refused',
      ['relay', 'master'],
      ['relay', 'master'],
      ['relay'],
      'master',
    ],
    ['none when nothing is connected', ['relay', 'master'], [], [], undefined],
    [
      'none when every connected one refused',
      ['relay', 'master'],
      ['master'],
      ['master'],
      undefined,
    ],
    ['the third when the first two are out', ['a', 'b', 'c'], ['b', 'c'], ['b'], 'c'],
    ['none for an empty list', [], ['x'], [], undefined],
  ];
  it.each(cases)('picks %s', (_name, upstreams, connected, refused, expected) => {
    expect(
      chooseUpstream({
        upstreams,
        isConnected: (id) => connected.includes(id),
        refused: new Set(refused),
      }),
    ).toBe(expected);
  });
});
