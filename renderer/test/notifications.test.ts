import { describe, expect, it } from 'vitest';
import { notificationFor } from '../src/app/notifications';

describe('notificationFor', () => {
  it('tells of a conflict, saying where the local version went', () => {
    expect(
      notificationFor({
        type: 'conflict',
        folder: 'docs',
        path: 'notes.txt',
        keptAs: 'notes.conflict-ABCDEFGH-20261126-091500.txt',
      }),
    ).toEqual({
      title: 'Conflict in docs',
      body: 'The master changed notes.txt, which you had edited here. Your version was kept as notes.conflict-ABCDEFGH-20261126-091500.txt.',
    });
  });

  it('tells of a folder that fails, in the daemon’s words', () => {
    expect(
      notificationFor({ type: 'folder-error', folder: 'docs', message: 'The folder is missing' }),
    ).toEqual({ title: 'Lanfold: docs has a problem', body: 'The folder is missing' });
  });

  it('stays quiet for everything else', () => {
    expect(notificationFor({ type: 'paused', folder: 'docs', paused: true })).toBeUndefined();
    expect(
      notificationFor({ type: 'peer', deviceId: 'D', name: 'desk', connected: false }),
    ).toBeUndefined();
  });
});
