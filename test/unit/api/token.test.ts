import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadOrCreateToken,
  newToken,
  requireToken,
  tokenMatches,
} from '../../../main/daemon/api/token.js';
import { lanfoldErrorOf } from '../helpers/errors.js';
import { useTempDirs } from '../helpers/temp-dir.js';

describe('control API token', () => {
  const tempDir = useTempDirs();

  it('is made once, 32 random bytes in base64url, readable by the owner only', () => {
    const file = path.join(tempDir('token'), 'api-token');
    const token = loadOrCreateToken(file);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(token);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateToken(file)).toBe(token);
    expect(newToken()).not.toBe(newToken());
  });

  it('replaces a damaged token file and tightens loose permissions', () => {
    const file = path.join(tempDir('token'), 'api-token');
    writeFileSync(file, 'not a token\n');
    const token = loadOrCreateToken(file);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    if (process.platform !== 'win32') {
      chmodSync(file, 0o644);
      expect(loadOrCreateToken(file)).toBe(token);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    }
  });

  it('says what to do when there is no token yet', () => {
    const err = lanfoldErrorOf(() => requireToken(path.join(tempDir('token'), 'api-token')));
    expect(err.code).toBe('DAEMON_UNREACHABLE');
    expect(err.hint).toContain('lanfold start');
  });

  it('compares tokens exactly', () => {
    const t = newToken();
    expect(tokenMatches(t, t)).toBe(true);
    expect(tokenMatches(`${t}x`, t)).toBe(false);
    expect(tokenMatches(t.slice(1), t)).toBe(false);
    expect(tokenMatches(undefined, t)).toBe(false);
    expect(tokenMatches('', t)).toBe(false);
  });
});
