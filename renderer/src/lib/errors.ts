/**
 * Errors in words a user understands: what failed and what to do. Works on whatever a
 * call threw — the API client's errors (an HTTP status, a Lanfold error code, the daemon's
 * message and hint), a network failure, or anything else — by looking at its fields.
 */

export interface ErrorWords {
  readonly title: string;
  readonly detail: string;
  /** The daemon refused this window's access token. */
  readonly unauthorized: boolean;
  /** The daemon could not be reached at all. */
  readonly offline: boolean;
}

function field(err: unknown, name: string): unknown {
  return typeof err === 'object' && err !== null && name in err
    ? (err as Record<string, unknown>)[name]
    : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/** Titles for the daemon's error codes (main/engine/errors.ts) when its message is missing. */
const codeTitles: Record<string, string> = {
  BAD_PATH: 'That path is not allowed',
  BAD_CONFIG: 'A configuration file is damaged',
  BAD_ARGUMENT: 'That value is not valid',
  FOLDER_MISSING: 'The folder is missing on disk',
  FOLDER_UNREADABLE: 'The folder cannot be read',
  FOLDER_UNKNOWN: 'There is no such folder',
  FOLDER_EXISTS: 'That folder is already synced',
  STATE_LOCKED: 'Another Lanfold is using this device',
  DB_CORRUPT: "The folder's history database is damaged",
  VERSION_UNKNOWN: 'That version does not exist',
  NOT_A_FILE: 'That path is not a file in this version',
  CONTENT_GONE: 'That old content is no longer kept',
  DAEMON_UNREACHABLE: 'Lanfold is not running',
  UNAUTHORIZED: 'This window is not signed in to Lanfold',
  NOT_FOUND: 'Not found',
};

export function describeError(err: unknown): ErrorWords {
  const status = num(field(err, 'status'));
  const code = str(field(err, 'code'));
  const message = str(field(err, 'message'));
  const hint = str(field(err, 'hint'));
  if (status === 401 || status === 403 || code === 'UNAUTHORIZED') {
    return {
      title: 'This window is not signed in to Lanfold',
      detail:
        'Its access key was refused. Open Lanfold again with the address that `lanfold gui-url` prints.',
      unauthorized: true,
      offline: false,
    };
  }
  const networkFailure =
    (err instanceof TypeError && /fetch|network|load failed/i.test(err.message)) ||
    code === 'DAEMON_UNREACHABLE' ||
    code === 'NETWORK';
  if (networkFailure) {
    return {
      title: 'Lanfold’s background service is not answering',
      detail: 'Check that it is running (`lanfold start`); this page reconnects by itself.',
      unauthorized: false,
      offline: true,
    };
  }
  const title =
    message ?? (code !== undefined ? codeTitles[code] : undefined) ?? 'Something went wrong';
  const detail =
    hint !== undefined
      ? capitalise(hint)
      : status === 500
        ? 'The daemon reported an internal error; its log (daemon.log in the state folder) says more.'
        : '';
  return { title: stripPeriod(title), detail, unauthorized: false, offline: false };
}

function capitalise(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}

function stripPeriod(s: string): string {
  return s.replace(/\.$/, '');
}
