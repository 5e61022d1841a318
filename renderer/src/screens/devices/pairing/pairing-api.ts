/**
 * Pairing as this UI expects it from the daemon: invite a device (a short code to type, and
 * the same as a QR code) and join another device by its code. The daemon's pairing routes
 * are being built separately; this interface is what the UI is written against, and
 * `pairingApi` adapts the API client to it once they exist. Until then it reports that
 * pairing is not available, and the Devices page does not offer it.
 */

export interface PairingInvite {
  /** What the other device types: letters and digits, shown in groups. */
  readonly code: string;
  /** What the QR code holds (a link with the code and how to reach this device). */
  readonly link: string;
  /** When the code stops working, ms since the epoch. */
  readonly expiresAt: number;
}

export interface JoinedDevice {
  readonly deviceId: string;
  readonly name: string;
}

export interface PairingApi {
  /** Whether the daemon offers pairing at all. */
  readonly available: boolean;
  invite(): Promise<PairingInvite>;
  cancel(code: string): Promise<void>;
  join(code: string): Promise<JoinedDevice>;
}

/** The error of every call while the daemon has no pairing routes (worded for describeError). */
function unavailable(): Promise<never> {
  return Promise.reject({
    code: 'NOT_AVAILABLE',
    message: 'Pairing by code is not available in this version of Lanfold',
    hint: 'add the device by its ID instead',
  });
}

export const NO_PAIRING: PairingApi = {
  available: false,
  invite: unavailable,
  cancel: unavailable,
  join: unavailable,
};

/** A typed code as the daemon takes it: letters and digits only, upper case. */
export function normaliseCode(raw: string): string {
  return raw.replace(/[\s-]/g, '').toUpperCase();
}

/** Why a typed code cannot be right, or undefined. */
export function codeProblem(raw: string): string | undefined {
  const code = normaliseCode(raw);
  if (code === '') return 'Type the code the other device shows.';
  if (!/^[A-Z0-9]+$/.test(code)) return 'A code has only letters and digits.';
  if (code.length < 6 || code.length > 64) return 'That code is too short or too long.';
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
