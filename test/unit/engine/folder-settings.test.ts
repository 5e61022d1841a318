import { describe, expect, it } from 'vitest';
import {
  DEFAULT_FOLDER_SETTINGS,
  FolderSettingsSchema,
} from '../../../main/engine/folder-settings.js';

describe('FolderSettingsSchema', () => {
  it('fills every default', () => {
    expect(DEFAULT_FOLDER_SETTINGS).toMatchObject({
      commitMode: 'auto',
      atomicPatterns: [],
      historyCapBytes: 1024 ** 3,
      retainMaxFileBytes: 16 * 1024 ** 2,
      batchQuietMs: 30,
      batchMaxDelayMs: 2000,
    });
  });

  it.each([
    ['an unknown commit mode', { commitMode: 'three-phase' }],
    ['an empty atomic pattern', { atomicPatterns: [''] }],
    ['a negative history cap', { historyCapBytes: -1 }],
    ['a fractional quiet time', { batchQuietMs: 30.5 }],
    ['a quiet time below 5 ms', { batchQuietMs: 4 }],
    ['a maximum delay above 10 minutes', { batchMaxDelayMs: 600_001 }],
    ['an unknown key', { surprise: true }],
  ])('refuses %s', (_name, value) => {
    expect(FolderSettingsSchema.safeParse(value).success).toBe(false);
  });
});
