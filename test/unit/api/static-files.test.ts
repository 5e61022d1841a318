import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeOf, resolveStatic } from '../../../main/daemon/api/static-files.js';
import { useTempDirs } from '../helpers/temp-dir.js';

describe('resolveStatic', () => {
  const tempDir = useTempDirs();

  function site(): { base: string; root: string } {
    const base = tempDir('static');
    const root = path.join(base, 'dist');
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
    writeFileSync(path.join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(path.join(base, 'secret.txt'), 'secret');
    return { base, root };
  }

  it('serves index.html for / and files by their path', () => {
    const { root } = site();
    expect(resolveStatic(root, '/')).toBe(path.join(root, 'index.html'));
    expect(resolveStatic(root, '/assets/app.js')).toBe(path.join(root, 'assets', 'app.js'));
    expect(resolveStatic(root, '/assets/%61pp.js')).toBe(path.join(root, 'assets', 'app.js'));
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%2e%2e%2f%2e%2e%2fsecret.txt',
    '//etc/passwd',
    '/assets',
    '/missing.js',
    '/index.html%00.js',
    '/%E0%A4%A',
  ])('refuses %s', (p) => {
    const { root } = site();
    expect(resolveStatic(root, p)).toBeUndefined();
  });

  it('refuses a symlink that leads out of the build', () => {
    const { base, root } = site();
    symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
    expect(resolveStatic(root, '/link.txt')).toBeUndefined();
  });

  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.JS', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.woff2', 'font/woff2'],
    ['a.bin', 'application/octet-stream'],
  ])('gives %s the content type %s', (file, type) => {
    expect(contentTypeOf(file)).toBe(type);
  });
});
