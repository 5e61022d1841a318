/**
 * Pairing as the UI uses it, adapted from the daemon's pairing routes (docs/api.md,
 * `/api/pairing/*`): invite a device (a one-time code, the same as a QR code, with an
 * expiry), follow the invite until someone joins it, and join another device's invite by
 * its code (at an address, or found on the LAN). Errors come out in words a user
 * understands (`pairingProblem`), shaped for describeError / ErrorBanner.
 */
import type { LanfoldClient } from '../../../../../main/api/client';
import type { Invite, InviteStatus, PairedDevice } from '../../../../../main/api/contract';

export interface PairingInvite {
  /** What the other device types, `ABCD-EFGH`. */
  readonly code: string;
  /** When the code stops working, ms since the epoch. */
  readonly expiresAt: number;
  /** This device, for the person joining to compare. */
  readonly deviceId: string;
  readonly name: string;
  /** The QR code as the daemon drew it: rows of '0'/'1' (1 = dark), and what it holds. */
  readonly qr: { readonly text: string; readonly modules: readonly string[] };
}

export type JoinedDevice = PairedDevice;

export interface InviteProgress {
  readonly state: InviteStatus['state'];
  /** The code of the invite this is about (null when there is none). */
  readonly code: string | null;
  /** Wrong codes tried within the last minute. */
  readonly recentFailures: number;
  /** The device that joined, once `state` is `paired`. */
  readonly paired: JoinedDevice | null;
}

export interface JoinRequest {
  readonly code: string;
  /** HOST:PORT of the other device; without it, devices heard on the LAN are tried. */
  readonly address?: string;
  /** Only a discovered device whose ID starts with this. */
  readonly devicePrefix?: string;
}

export interface PairingApi {
  invite(): Promise<PairingInvite>;
  /** The invitation the daemon has open now (made by any window, or before a reload), if any. */
  current(): Promise<PairingInvite | undefined>;
  progress(): Promise<InviteProgress>;
  cancel(): Promise<void>;
  join(request: JoinRequest): Promise<JoinedDevice>;
}

/** The part of the API client pairing needs (a fake in tests). */
export type PairingClient = Pick<
  LanfoldClient,
  'createInvite' | 'inviteStatus' | 'cancelInvite' | 'joinPairing'
>;

/** An invite lasts this long (the daemon's default). */
export const INVITE_TTL_SECONDS = 600;

export function pairingApi(client: PairingClient): PairingApi {
  return {
    invite: async () => {
      const i: Invite = await client.createInvite({ ttlSeconds: INVITE_TTL_SECONDS });
      return {
        code: i.code,
        expiresAt: i.expiresAt,
        deviceId: i.deviceId,
        name: i.name,
        qr: { text: i.qr.text, modules: i.qr.modules },
      };
    },
    current: async () => {
      const s = await client.inviteStatus();
      const i = s.invite;
      if (s.state !== 'open' || !i) return undefined;
      return {
        code: i.code,
        expiresAt: i.expiresAt,
        deviceId: i.deviceId,
        name: i.name,
        qr: { text: i.qr.text, modules: i.qr.modules },
      };
    },
    progress: async () => {
      const s = await client.inviteStatus();
      return {
        state: s.state,
        code: s.invite?.code ?? null,
        recentFailures: s.recentFailures,
        paired: s.paired,
      };
    },
    cancel: async () => {
      await client.cancelInvite();
    },
    join: async (r) => {
      try {
        return await client.joinPairing({
          code: normaliseCode(r.code),
          ...(r.address !== undefined && r.address !== '' ? { address: r.address } : {}),
          ...(r.devicePrefix !== undefined ? { devicePrefix: r.devicePrefix } : {}),
        });
      } catch (err) {
        throw pairingProblem(err, r.address !== undefined && r.address !== '');
      }
    },
  };
}

/** An error worded for the person pairing (read by describeError: message + hint). */
export interface PairingProblem {
  readonly code: string;
  readonly status: number;
  readonly message: string;
  readonly hint: string;
}

function text(err: unknown, name: 'message' | 'code' | 'status'): string {
  if (typeof err !== 'object' || err === null || !(name in err)) return '';
  return String((err as Record<string, unknown>)[name]);
}

/**
 * What went wrong with a join, for a person: wrong code, too many tries, no invite open
 * (expired or used), unreachable, not a code. Anything else (the daemon not answering, a
 * refused window) is passed on as it was, for describeError's own words.
 */
export function pairingProblem(err: unknown, hadAddress: boolean): unknown {
  const code = text(err, 'code');
  const status = Number(text(err, 'status'));
  const message = text(err, 'message');
  const problem = (title: string, hint: string): PairingProblem => ({
    code,
    status,
    message: title,
    hint,
  });
  if (code === 'PAIRING_REFUSED') {
    if (/too many/i.test(message)) {
      const wait = /in (\d+) s/.exec(message)?.[1];
      return problem(
        'Too many wrong codes were tried',
        `The other device refuses every code for a while. Wait ${wait !== undefined ? `${wait} seconds` : 'a minute'}, then try again`,
      );
    }
    if (/wrong code/i.test(message))
      return problem(
        'That code is not right',
        'Check the code the other device shows (it changes with every invitation) and type it again',
      );
    if (/no pairing invite|timed out|closed/i.test(message))
      return problem(
        'The other device has no invitation open',
        'The code may have expired or been used already. Make a new code on the other device',
      );
    return problem('The other device refused to pair', message.replace(/^Pairing refused: /, ''));
  }
  if (code === 'PEER_UNREACHABLE')
    return problem(
      'Could not reach the other device',
      hadAddress
        ? 'Check the address (the host and port Lanfold listens on there, for example 192.168.1.20:47210), that Lanfold runs there and that its invitation is open'
        : 'No device that can pair was found on this network. Type the other device’s address (host:port) and try again',
    );
  if (status === 400 || code === 'BAD_REQUEST' || code === 'BAD_ARGUMENT')
    return problem(
      'That is not a pairing code',
      'A code has 8 letters and digits, like ABCD-EFGH. Check it and the address',
    );
  return err;
}

/** A typed code as the daemon takes it: letters and digits only, upper case. */
export function normaliseCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/** Why a typed code cannot be right, or undefined. */
export function codeProblem(raw: string): string | undefined {
  const code = normaliseCode(raw);
  if (code === '') return 'Type the code the other device shows.';
  if (!/^[A-Z0-9]+$/.test(code)) return 'A code has only letters and digits.';
  if (code.length !== 8) return 'A code has 8 letters and digits, like ABCD-EFGH.';
  return undefined;
}

/** A code in groups of four, for reading and typing. */
export function groupCode(code: string): string {
  return normaliseCode(code).replace(/(.{4})(?!$)/g, '$1-');
}

/** "9:41 left", "expired". */
export function timeLeft(expiresAt: number, now: number): string {
  const s = Math.max(0, Math.ceil((expiresAt - now) / 1000));
  if (s === 0) return 'expired';
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')} left`;
}
