/**
 * HTTP plumbing of the control API: its errors and their statuses, the security headers
 * every response carries, JSON replies, and request bodies read with a size limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { ApiErrorBody } from '../../api/contract.js';
import { isLanfoldError, type ErrorCode } from '../../engine/errors.js';

/** Codes of the API itself, beside the engine's (main/engine/errors.ts). */
export type ApiOnlyCode =
  | 'BAD_REQUEST'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_MASTER'
  | 'NOT_REPLICA'
  | 'FOLDER_UNAVAILABLE'
  | 'PAIRING_REFUSED'
  | 'PEER_UNREACHABLE'
  | 'NOTHING_HELD';

/** Largest request body accepted (every body is a small JSON object). */
export const MAX_BODY_BYTES = 64 * 1024;

const STATUS_OF_CODE: Record<ErrorCode | ApiOnlyCode, number> = {
  BAD_REQUEST: 400,
  BAD_PATH: 400,
  BAD_ARGUMENT: 400,
  NOT_A_FILE: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  FOLDER_UNKNOWN: 404,
  VERSION_UNKNOWN: 404,
  METHOD_NOT_ALLOWED: 405,
  FOLDER_EXISTS: 409,
  NOT_MASTER: 409,
  NOT_REPLICA: 409,
  NOTHING_HELD: 409,
  CONTENT_GONE: 410,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  FOLDER_MISSING: 422,
  PAIRING_REFUSED: 422,
  PEER_UNREACHABLE: 502,
  FOLDER_UNREADABLE: 422,
  STATE_INSIDE_FOLDER: 422,
  BAD_CONFIG: 500,
  STATE_MISSING: 500,
  STATE_LOCKED: 500,
  DB_CORRUPT: 500,
  DB_TOO_NEW: 500,
  INTERNAL: 500,
  FOLDER_UNAVAILABLE: 503,
  DAEMON_UNREACHABLE: 503,
};

export function statusOfCode(code: ErrorCode | ApiOnlyCode): number {
  return STATUS_OF_CODE[code];
}

/** An error answered with its status and `{error: {code, message, hint}}`. */
export class ApiHttpError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode | ApiOnlyCode,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ApiHttpError';
    this.status = statusOfCode(code);
  }
}

/** The status and body for anything a handler threw; unexpected errors say no more than that. */
export function errorReply(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof ApiHttpError || isLanfoldError(err)) {
    const status = err instanceof ApiHttpError ? err.status : statusOfCode(err.code);
    return {
      status,
      body: {
        error: {
          code: err.code,
          message: err.message,
          ...(err.hint !== undefined ? { hint: err.hint } : {}),
        },
      },
    };
  }
  return {
    status: 500,
    body: {
      error: {
        code: 'INTERNAL',
        message: 'The daemon failed unexpectedly while answering',
        hint: 'its log (daemon.log in the state directory) has the details',
      },
    },
  };
}

/** The first problem zod found, as one sentence naming the field. */
export function describeZodError(where: string, error: z.ZodError): ApiHttpError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? ` at "${issue.path.join('.')}"` : '';
  return new ApiHttpError(
    'BAD_REQUEST',
    `Invalid ${where}${field}: ${issue?.message ?? 'bad value'}`,
    'see docs/api.md for what this endpoint accepts',
  );
}

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "img-src 'self' data:",
  "style-src 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers on every response: a strict CSP, no sniffing, no referrer, no framing. */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  const { status, body } = errorReply(err);
  sendJson(res, status, body);
}

/**
 * Reads a JSON body of at most `limit` bytes; undefined when there is none. Refuses other
 * content types (415) and bodies over the limit (413) before buffering them.
 */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiHttpError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Request bodies must be JSON, not "${type || 'unspecified'}"`,
      'send Content-Type: application/json',
    );
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (err) {
    throw new ApiHttpError(
      'BAD_REQUEST',
      `Request body is not valid JSON: ${(err as Error).message}`,
    );
  }
}

function tooLarge(limit: number): ApiHttpError {
  return new ApiHttpError(
    'PAYLOAD_TOO_LARGE',
    `Request body is larger than ${limit} bytes`,
    'every request body of this API is a small JSON object',
  );
}
