import { describe, expect, it } from 'vitest';
import { errnoCode, isLanfoldError, LanfoldError } from '../../../main/engine/errors.js';

describe('LanfoldError', () => {
  it('carries a code, a message, a hint and a cause', () => {
    const cause = new Error('low level');
    const err = new LanfoldError('BAD_PATH', 'Refused path "x"', 'use another name', { cause });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('LanfoldError');
    expect(err.code).toBe('BAD_PATH');
    expect(err.hint).toBe('use another name');
    expect(err.cause).toBe(cause);
    expect(isLanfoldError(err)).toBe(true);
  });

  it('writes one line with the hint in brackets, or the message alone', () => {
    expect(new LanfoldError('INTERNAL', 'It broke', 'try again').toLine()).toBe(
      'It broke (try again)',
    );
    expect(new LanfoldError('INTERNAL', 'It broke').toLine()).toBe('It broke');
  });
});

describe('isLanfoldError', () => {
  it('is false for other errors and values', () => {
    expect(isLanfoldError(new Error('x'))).toBe(false);
    expect(isLanfoldError({ code: 'BAD_PATH', message: 'x' })).toBe(false);
    expect(isLanfoldError(undefined)).toBe(false);
  });
});

describe('errnoCode', () => {
  it('reads the code of a system error, and nothing else', () => {
    expect(errnoCode(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errnoCode({ code: 42 })).toBeUndefined();
    expect(errnoCode(new Error('x'))).toBeUndefined();
    expect(errnoCode(null)).toBeUndefined();
    expect(errnoCode('ENOENT')).toBeUndefined();
  });
});
