/** Every error Lanfold reports: a stable code, a message that says what failed, and a hint. */

export type ErrorCode =
  | 'BAD_PATH'
  | 'BAD_CONFIG'
  | 'BAD_ARGUMENT'
  | 'FOLDER_MISSING'
  | 'FOLDER_UNREADABLE'
  | 'FOLDER_UNKNOWN'
  | 'FOLDER_EXISTS'
  | 'STATE_INSIDE_FOLDER'
  | 'STATE_MISSING'
  | 'STATE_LOCKED'
  | 'DB_CORRUPT'
  | 'DB_TOO_NEW'
  | 'VERSION_UNKNOWN'
  | 'NOT_A_FILE'
  | 'CONTENT_GONE'
  | 'DAEMON_UNREACHABLE'
  | 'INTERNAL';

export class LanfoldError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, hint?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LanfoldError';
    this.code = code;
    this.hint = hint;
  }

  /** One line for a terminal: the message, then what to do about it. */
  toLine(): string {
    return this.hint ? `${this.message} (${this.hint})` : this.message;
  }
}

export function isLanfoldError(err: unknown): err is LanfoldError {
  return err instanceof LanfoldError;
}

/** The errno code of a Node system error, or undefined. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = err.code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
