import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../main/engine/logger.js';
import { acceptAnnouncement, discoveryEnabled } from '../../../main/discovery/discovery.js';
import {
  announcementTxt,
  instanceName,
  parseAnnouncement,
} from '../../../main/discovery/record.js';

const ID = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';

function service(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: instanceName(ID),
    port: 47210,
    referer: { address: '10.1.2.3', family: 'IPv4', port: 5353, size: 100 },
    txt: announcementTxt(ID, 'desk'),
    ...over,
  };
}

describe('discovery records', () => {
  it('reads a well-formed announcement: ID, name, and the address it came from', () => {
    expect(parseAnnouncement(service())).toEqual({
      ok: true,
      record: { deviceId: ID, name: 'desk', address: '10.1.2.3:47210' },
    });
  });

  it('brackets IPv6 source addresses', () => {
    const r = parseAnnouncement(service({ referer: { address: 'fe80::1' } }));
    expect(r).toMatchObject({ ok: true, record: { address: '[fe80::1]:47210' } });
  });

  it.each([
    ['no TXT', { txt: undefined }],
    ['a bad device ID', { txt: { v: '1', id: 'not-an-id', name: 'x' } }],
    ['a lower-case ID', { txt: { v: '1', id: ID.toLowerCase(), name: 'x' } }],
    ['another record version', { txt: { v: '2', id: ID, name: 'x' } }],
    ['a too-long name', { txt: { v: '1', id: ID, name: 'n'.repeat(65) } }],
    ['port 0', { port: 0 }],
    ['a port above 65535', { port: 70000 }],
    ['a port as text', { port: '47210' }],
    ['no source address', { referer: undefined }],
    ['a host name as source', { referer: { address: 'evil.local' } }],
  ])('ignores an announcement with %s', (_what, over) => {
    const r = parseAnnouncement(service(over));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem.length).toBeGreaterThan(0);
  });

  it('ignores values that are not objects at all', () => {
    for (const v of [null, undefined, 42, 'x', []]) expect(parseAnnouncement(v).ok).toBe(false);
  });

  it('publishes a unique instance name and a short TXT record', () => {
    expect(instanceName(ID)).toBe('lanfold-abcdefghijkl');
    expect(announcementTxt(ID, 'n'.repeat(100))).toEqual({ v: '1', id: ID, name: 'n'.repeat(64) });
  });

  it('is off with LANFOLD_DISCOVERY=off or the device setting', () => {
    expect(discoveryEnabled(true, {})).toBe(true);
    expect(discoveryEnabled(false, {})).toBe(false);
    for (const v of ['off', 'OFF', '0', 'false', 'no'])
      expect(discoveryEnabled(true, { LANFOLD_DISCOVERY: v }), v).toBe(false);
    expect(discoveryEnabled(true, { LANFOLD_DISCOVERY: 'on' })).toBe(true);
    expect(discoveryEnabled(false, { LANFOLD_DISCOVERY: 'on' })).toBe(false);
  });

  it('logs a malformed announcement at debug level and skips its own', () => {
    const lines: { level: string; msg: string; obj: object }[] = [];
    const at =
      (level: string) =>
      (obj: object, msg = ''): void => {
        lines.push({ level, msg, obj });
      };
    const logger: Logger = {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: () => logger,
    };
    expect(acceptAnnouncement(service({ port: -1 }), 'X', logger)).toBeUndefined();
    expect(lines).toEqual([
      {
        level: 'debug',
        msg: 'ignored a malformed announcement',
        obj: { problem: expect.stringContaining('port') },
      },
    ]);
    expect(acceptAnnouncement(service(), ID, logger)).toBeUndefined();
    expect(acceptAnnouncement(service(), 'X', logger)).toMatchObject({ deviceId: ID });
    expect(lines).toHaveLength(1);
  });
});
