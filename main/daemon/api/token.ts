/**
 * The control API's access token: 32 random bytes (base64url) in the state directory, made
 * at the daemon's first start and readable by the device's user only (0600). Whoever can
 * read it may control the daemon; `lanfold gui-url` hands it to the UI in a URL fragment.
 */
import { chmodSync, readFileSync, statSync } from 'node:fs';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { writeFileAtomic } from '../../engine/atomic-write.js';
import { errnoCode, LanfoldError } from '../../engine/errors.js';

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Reads the token file, or undefined when it is missing or not a token. */
export function readToken(file: string): string | undefined {
  try {
    const token = readFileSync(file, 'utf8').trim();
    return TOKEN_PATTERN.test(token) ? token : undefined;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** The token of this state directory, made (0600) when missing or damaged. */
export function loadOrCreateToken(file: string): string {
  const existing = readToken(file);
  if (existing !== undefined) {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    return existing;
  }
  const token = newToken();
  writeFileAtomic(file, `${token}\n`, 0o600);
  return token;
}

/** The token `lanfold gui-url` needs, with a clear error when the daemon never made one. */
export function requireToken(file: string): string {
  const token = readToken(file);
  if (token === undefined) {
    throw new LanfoldError(
      'DAEMON_UNREACHABLE',
      `No control API token in ${file}`,
      'start the daemon once (`lanfold start`); it creates the token',
    );
  }
  return token;
}

/** Compares a presented token with the real one in constant time (whatever their lengths). */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
