import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AddFolderSchema,
  AddPeerSchema,
  ApiEventSchema,
  DeviceIdSchema,
  endpoints,
  FolderSettingsPatchSchema,
  FolderSettingsSchema,
  type ApiEvent,
} from '../../../main/api/contract.js';
import { FolderSettingsSchema as EngineSettingsSchema } from '../../../main/engine/folder-settings.js';

const ID = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';
const version = {
  seq: 3,
  epoch: 1,
  createdAt: 1,
  method: '1pc',
  reason: 'one file changed',
  origin: 'watch',
  changes: 1,
  bytes: 5,
} as const;

describe('contract', () => {
  it('has the same folder settings rules as the engine', () => {
    expect(z.toJSONSchema(FolderSettingsSchema)).toEqual(z.toJSONSchema(EngineSettingsSchema));
  });

  it('accepts a device ID as a person types it and gives the compact form', () => {
    const grouped = ID.toLowerCase()
      .match(/.{1,4}/g)!
      .join('-');
    expect(DeviceIdSchema.parse(grouped)).toBe(ID);
    expect(DeviceIdSchema.safeParse(`${ID}A`).success).toBe(false);
    expect(DeviceIdSchema.safeParse(ID.replace('A', '1')).success).toBe(false);
  });

  it.each([
    ['a relative path', { role: 'master', path: 'docs' }],
    ['a replica without upstreams', { role: 'replica', path: '/x', id: 'f1', upstreams: [] }],
    ['a replica without the master folder ID', { role: 'replica', path: '/x', upstreams: [ID] }],
    ['an unknown role', { role: 'relay', path: '/x' }],
    ['an unknown field', { role: 'master', path: '/x', watch: true }],
    ['a bad folder ID', { role: 'master', path: '/x', id: '../up' }],
  ])('refuses to add a folder with %s', (_name, body) => {
    expect(AddFolderSchema.safeParse(body).success).toBe(false);
  });

  it('accepts masters and replicas (Windows paths too)', () => {
    expect(AddFolderSchema.parse({ role: 'master', path: 'C:\\Users\\me\\Docs' })).toEqual({
      role: 'master',
      path: 'C:\\Users\\me\\Docs',
    });
    expect(
      AddFolderSchema.parse({ role: 'replica', path: '/srv/r', id: 'f1', upstreams: [ID] }),
    ).toMatchObject({ upstreams: [ID] });
  });

  it('validates peers: address HOST:PORT, name trimmed', () => {
    expect(AddPeerSchema.parse({ deviceId: ID, address: '10.0.0.2:47210', name: ' nas ' })).toEqual(
      { deviceId: ID, address: '10.0.0.2:47210', name: 'nas' },
    );
    expect(AddPeerSchema.safeParse({ deviceId: ID, address: '10.0.0.2' }).success).toBe(false);
    expect(AddPeerSchema.safeParse({ deviceId: ID, address: 'h:70000' }).success).toBe(false);
  });

  it('keeps a settings patch to what it names (no defaults filled in)', () => {
    expect(FolderSettingsPatchSchema.parse({ commitMode: 'two-phase' })).toEqual({
      commitMode: 'two-phase',
    });
    expect(FolderSettingsPatchSchema.safeParse({}).success).toBe(false);
    expect(FolderSettingsPatchSchema.safeParse({ batchQuietMs: 1 }).success).toBe(false);
    expect(FolderSettingsPatchSchema.safeParse({ colour: 'red' }).success).toBe(false);
  });

  it('parses every kind of event and refuses unknown ones', () => {
    const events: ApiEvent[] = [
      { type: 'version', folder: 'f1', version },
      {
        type: 'progress',
        folder: 'f1',
        progress: {
          phase: 'fetching',
          filesDone: null,
          filesTotal: 3,
          bytesDone: 10,
          bytesTotal: null,
          bytesPerSecond: 5,
        },
      },
      { type: 'peer', deviceId: ID, name: 'nas', connected: true },
      { type: 'conflict', folder: 'f1', path: 'a.txt', keptAs: 'a.conflict-X.txt' },
      { type: 'folder-error', folder: 'f1', message: 'gone' },
      { type: 'config', what: 'peers' },
    ];
    for (const e of events) expect(ApiEventSchema.parse(e)).toEqual(e);
    expect(ApiEventSchema.safeParse({ type: 'reboot' }).success).toBe(false);
    expect(ApiEventSchema.safeParse({ type: 'version', folder: 'f1' }).success).toBe(false);
  });

  it('names every endpoint once, under /api/', () => {
    const seen = new Set<string>();
    for (const def of Object.values(endpoints)) {
      expect(def.path.startsWith('/api/')).toBe(true);
      const key = `${def.method} ${def.path}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
    expect(seen.size).toBe(30);
  });
});
