import { describe, expect, it } from 'vitest';
import {
  authorized,
  bearerToken,
  hostAllowed,
  isLoopbackHost,
  originAllowed,
  ownOrigins,
} from '../../../main/daemon/api/access.js';

const origins = ownOrigins(5000, '127.0.0.1');

describe('access rules', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['192.168.1.4', false],
    ['lanfold.example', false],
    ['127.0.0.1.evil.example', false],
  ])('isLoopbackHost(%s) is %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('knows the origins that are this server', () => {
    expect([...origins].sort()).toEqual([
      'http://127.0.0.1:5000',
      'http://[::1]:5000',
      'http://localhost:5000',
    ]);
  });

  it.each([
    ['127.0.0.1:5000', true],
    ['LOCALHOST:5000', true],
    ['127.0.0.1:5001', false],
    ['evil.example:5000', false],
    [undefined, false],
  ])('accepts Host %s: %s', (host, expected) => {
    expect(hostAllowed(host, origins)).toBe(expected);
  });

  it.each([
    [undefined, true],
    ['http://127.0.0.1:5000', true],
    ['http://localhost:5000', true],
    ['http://127.0.0.1:5001', false],
    ['https://127.0.0.1:5000', false],
    ['http://evil.example', false],
    ['null', false],
  ])('accepts Origin %s: %s', (origin, expected) => {
    expect(originAllowed(origin, origins)).toBe(expected);
  });

  it('reads a bearer token', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(bearerToken('Bearer')).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('takes ?token= only where allowed (the WebSocket upgrade)', () => {
    const url = new URL('http://x/api/events?token=secret');
    expect(authorized({}, url, 'secret', true)).toBe(true);
    expect(authorized({}, url, 'secret', false)).toBe(false);
    expect(
      authorized({ authorization: 'Bearer secret' }, new URL('http://x/'), 'secret', false),
    ).toBe(true);
    expect(
      authorized({ authorization: 'Bearer secreT' }, new URL('http://x/'), 'secret', false),
    ).toBe(false);
    expect(authorized({}, new URL('http://x/'), 'secret', true)).toBe(false);
  });
});
