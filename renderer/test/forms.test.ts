import { describe, expect, it } from 'vitest';
import { checkAddFolder } from '../src/screens/overview/add-folder-form';
import {
  discardQuestion,
  isConflictCopy,
  revertQuestion,
} from '../src/screens/folder/resolve-words';
import { parseRoute, routeHref, type Route } from '../src/app/routes';

const DEVICE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567ABCDEFGHIJKLMNOPQRST';

describe('checkAddFolder', () => {
  it('builds a master request, with the ID only when one was typed', () => {
    expect(
      checkAddFolder({ role: 'master', path: ' /home/ana/Docs ', id: '', upstream: '' }, []),
    ).toEqual({ problems: {}, request: { role: 'master', path: '/home/ana/Docs' } });
    expect(
      checkAddFolder({ role: 'master', path: 'C:\\Users\\ana', id: 'docs', upstream: '' }, [])
        .request,
    ).toEqual({ role: 'master', path: 'C:\\Users\\ana', id: 'docs' });
  });

  it('builds a replica request with its master device', () => {
    expect(
      checkAddFolder({ role: 'replica', path: '/srv/copy', id: 'docs', upstream: DEVICE }, [])
        .request,
    ).toEqual({ role: 'replica', path: '/srv/copy', id: 'docs', upstreams: [DEVICE] });
  });

  it.each<[string, Parameters<typeof checkAddFolder>[0], string, RegExp]>([
    ['no path', { role: 'master', path: ' ', id: '', upstream: '' }, 'path', /Choose the folder/],
    [
      'a relative path',
      { role: 'master', path: 'docs', id: '', upstream: '' },
      'path',
      /full path/,
    ],
    ['a bad ID', { role: 'master', path: '/a', id: '../x', upstream: '' }, 'id', /letters, digits/],
    [
      'an ID in use',
      { role: 'master', path: '/a', id: 'music', upstream: '' },
      'id',
      /already has/,
    ],
    [
      'a replica without ID',
      { role: 'replica', path: '/a', id: '', upstream: DEVICE },
      'id',
      /master shows/,
    ],
    [
      'a replica without master',
      { role: 'replica', path: '/a', id: 'x', upstream: '' },
      'upstream',
      /Choose the device/,
    ],
  ])('refuses %s', (_name, fields, field, message) => {
    const check = checkAddFolder(fields, ['music']);
    expect(check.request).toBeUndefined();
    expect((check.problems as Record<string, string>)[field]).toMatch(message);
  });
});

describe('isConflictCopy', () => {
  it.each([
    ['readme.conflict-OK45JIEY-20261126-124348.md', true],
    ['a/b/notes.conflict-ABCDEFGH-20261126-091500.txt-2', true],
    ['Makefile.conflict-ABCDEFGH-20261126-091500', true],
    ['readme.md', false],
    ['my.conflict-notes.txt', false],
  ])('%s: %s', (path, expected) => {
    expect(isConflictCopy(path)).toBe(expected);
  });
});

describe('revert questions', () => {
  it('warns before deleting an added file, and before losing an edit', () => {
    expect(revertQuestion('scratch.txt', 'added')).toMatchObject({
      title: 'Delete scratch.txt?',
      confirm: 'Delete it',
      danger: true,
    });
    expect(revertQuestion('a.txt', 'modified').body).toMatch(/Your edit is lost/);
    expect(revertQuestion('a.txt', 'deleted')).toMatchObject({ danger: false });
    expect(discardQuestion('a.txt', 'a.conflict-X.txt').body).toMatch(/only the master’s version/);
  });
});

describe('routes', () => {
  it.each<Route>([
    { page: 'overview' },
    { page: 'devices' },
    { page: 'device-settings' },
    { page: 'folder', folderId: 'my docs', tab: 'status' },
    { page: 'folder', folderId: 'd', tab: 'history', version: 12 },
    { page: 'folder', folderId: 'd', tab: 'settings' },
    { page: 'diff', folderId: 'd', path: 'a b/c.txt', from: 3, to: 9 },
  ])('parses what it writes: %j', (route) => {
    expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it('takes anything unknown for the overview', () => {
    expect(parseRoute('#/nowhere')).toEqual({ page: 'overview' });
    expect(parseRoute('#/folders/%E0%A4%A')).toEqual({ page: 'overview' });
    expect(parseRoute('#/folders/d/diff?path=a&from=x&to=2')).toEqual({
      page: 'folder',
      folderId: 'd',
      tab: 'history',
    });
  });
});
