import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  ApiHttpError,
  errorReply,
  MAX_BODY_BYTES,
  readJsonBody,
} from '../../../main/daemon/api/http.js';
import { LanfoldError, type ErrorCode } from '../../../main/engine/errors.js';

/** A request with these headers whose body arrives in `parts`. */
function request(headers: Record<string, string>, ...parts: string[]): IncomingMessage {
  const stream = Readable.from(parts.map((p) => Buffer.from(p)));
  return Object.assign(stream, { headers }) as unknown as IncomingMessage;
}

async function rejection(p: Promise<unknown>): Promise<ApiHttpError> {
  const err: unknown = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiHttpError);
  return err as ApiHttpError;
}

describe('errorReply', () => {
  it.each<[ErrorCode, number]>([
    ['BAD_PATH', 400],
    ['BAD_ARGUMENT', 400],
    ['FOLDER_UNKNOWN', 404],
    ['VERSION_UNKNOWN', 404],
    ['FOLDER_EXISTS', 409],
    ['CONTENT_GONE', 410],
    ['FOLDER_MISSING', 422],
    ['DB_CORRUPT', 500],
  ])('answers a LanfoldError %s with %i and its message and hint', (code, status) => {
    const reply = errorReply(new LanfoldError(code, 'what failed', 'what to do'));
    expect(reply).toEqual({
      status,
      body: { error: { code, message: 'what failed', hint: 'what to do' } },
    });
  });

  it('answers an unexpected error with 500 and no internals', () => {
    const reply = errorReply(new TypeError('secret internals at /home/x'));
    expect(reply.status).toBe(500);
    expect(reply.body.error.code).toBe('INTERNAL');
    expect(JSON.stringify(reply.body)).not.toContain('secret');
  });

  it('answers API errors with their own status', () => {
    expect(errorReply(new ApiHttpError('UNAUTHORIZED', 'no')).status).toBe(401);
    expect(errorReply(new ApiHttpError('NOT_MASTER', 'no')).status).toBe(409);
    expect(errorReply(new ApiHttpError('FOLDER_UNAVAILABLE', 'no')).status).toBe(503);
  });
});

describe('readJsonBody', () => {
  const json = { 'content-type': 'application/json; charset=utf-8' };

  it('parses a JSON body sent in pieces', async () => {
    await expect(readJsonBody(request(json, '{"a":', '1}'))).resolves.toEqual({ a: 1 });
  });

  it('gives undefined for no body', async () => {
    await expect(readJsonBody(request({}))).resolves.toBeUndefined();
  });

  it('refuses bad JSON with 400', async () => {
    const err = await rejection(readJsonBody(request(json, '{"a":')));
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/not valid JSON/);
  });

  it('refuses other content types with 415 (no form posts)', async () => {
    const err = await rejection(
      readJsonBody(request({ 'content-type': 'application/x-www-form-urlencoded' }, 'a=1')),
    );
    expect(err.status).toBe(415);
  });

  it('refuses a body over the limit with 413, by its declared length or as it arrives', async () => {
    const declared = await rejection(
      readJsonBody(request({ ...json, 'content-length': String(MAX_BODY_BYTES + 1) }, '{}')),
    );
    expect(declared.status).toBe(413);
    const big = 'x'.repeat(40 * 1024);
    const streamed = await rejection(readJsonBody(request(json, big, big)));
    expect(streamed.status).toBe(413);
  });
});
