/** Helpers to look at the LanfoldError a call throws. */
import { expect } from 'vitest';
import { LanfoldError } from '../../../main/engine/errors.js';

/** The LanfoldError thrown by `fn`; fails the test when it throws something else or nothing. */
export function lanfoldErrorOf(fn: () => unknown): LanfoldError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a LanfoldError').toBeInstanceOf(LanfoldError);
  return caught as LanfoldError;
}

/** The LanfoldError a promise rejects with; fails the test otherwise. */
export async function lanfoldRejectionOf(promise: Promise<unknown>): Promise<LanfoldError> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a LanfoldError').toBeInstanceOf(LanfoldError);
  return caught as LanfoldError;
}
