/**
 * What a Lanfold device announces on the LAN (DNS-SD `_lanfold._tcp`) and how a heard
 * announcement is checked: everything in it comes from the network, so it is parsed with a
 * schema and a malformed one is dropped (the caller logs it at debug level).
 */
import net from 'node:net';
import { z } from 'zod';

export const SERVICE_TYPE = 'lanfold';
export const RECORD_VERSION = '1';

/** The TXT record we publish: protocol of the record, device ID, device name. */
export function announcementTxt(deviceId: string, name: string): Record<string, string> {
  return { v: RECORD_VERSION, id: deviceId, name: name.slice(0, 64) };
}

/** The DNS-SD instance name: unique per device, readable. */
export function instanceName(deviceId: string): string {
  return `lanfold-${deviceId.slice(0, 12).toLowerCase()}`;
}

const HeardSchema = z.object({
  port: z.number().int().min(1).max(65535),
  /** The source address of the packet that carried the announcement. */
  address: z.string().refine((a) => net.isIP(a) !== 0, 'an IP address'),
  txt: z.object({
    v: z.literal(RECORD_VERSION),
    id: z.string().regex(/^[A-Z2-7]{52}$/, 'a device ID'),
    name: z.string().max(64).default(''),
  }),
});

export interface DiscoveryRecord {
  readonly deviceId: string;
  readonly name: string;
  /** HOST:PORT to dial (IPv6 in brackets). */
  readonly address: string;
}

export type ParsedRecord =
  | { readonly ok: true; readonly record: DiscoveryRecord }
  | { readonly ok: false; readonly problem: string };

/** Checks a service as the mDNS library reported it, whatever its shape. */
export function parseAnnouncement(service: unknown): ParsedRecord {
  const s = typeof service === 'object' && service !== null ? service : {};
  const raw = {
    port: 'port' in s ? s.port : undefined,
    address:
      'referer' in s &&
      typeof s.referer === 'object' &&
      s.referer !== null &&
      'address' in s.referer
        ? s.referer.address
        : undefined,
    txt: 'txt' in s ? s.txt : undefined,
  };
  const parsed = HeardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      problem: `${issue?.path.join('.') || 'record'}: ${issue?.message ?? 'invalid'}`,
    };
  }
  const { address, port, txt } = parsed.data;
  const host = net.isIPv6(address) ? `[${address}]` : address;
  return { ok: true, record: { deviceId: txt.id, name: txt.name, address: `${host}:${port}` } };
}
