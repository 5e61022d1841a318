/**
 * The device's configuration files (device.json, folders.json): their schemas, defaults,
 * and validated reads and atomic writes. A damaged or hand-broken file is reported with
 * the field that is wrong, and nothing is overwritten.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { errnoCode, LanfoldError } from '../engine/errors.js';
import { FolderSettingsSchema } from '../engine/folder-settings.js';
import { writeFileAtomic } from '../engine/atomic-write.js';

export const DEFAULT_LISTEN = '0.0.0.0:47210';
export const DEFAULT_GUI = '127.0.0.1:47211';

const HostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'HOST:PORT')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port above 65535');

export const DeviceIdSchema = z.string().regex(/^[A-Z2-7]{52}$/, 'a device ID');

export const PeerSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  name: z.string().max(64).default(''),
  /** HOST:PORT addresses to reach it, most recent first. */
  addresses: z.array(HostPort).max(16).default([]),
  addedAt: z.number().int(),
});
export type PeerConfig = z.infer<typeof PeerSchema>;

export const PeersFileSchema = z.strictObject({
  version: z.literal(1),
  peers: z.array(PeerSchema),
});
export type PeersFile = z.infer<typeof PeersFileSchema>;

export function emptyPeers(): PeersFile {
  return { version: 1, peers: [] };
}

/** Splits HOST:PORT (IPv6 in brackets). */
export function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  return { host, port: Number(address.slice(i + 1)) };
}

export const DeviceConfigSchema = z.strictObject({
  version: z.literal(1),
  deviceId: DeviceIdSchema,
  name: z.string().min(1).max(64),
  listen: HostPort,
  gui: HostPort,
  createdAt: z.number().int(),
  /** Announce this device and listen for others on the LAN (mDNS); LANFOLD_DISCOVERY=off overrides. */
  discovery: z.boolean().default(true),
});
export type DeviceConfig = z.infer<typeof DeviceConfigSchema>;

export const FOLDER_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const FolderConfigSchema = z.strictObject({
  id: z.string().regex(FOLDER_ID_PATTERN),
  path: z.string().min(1),
  role: z.enum(['master', 'replica']),
  createdAt: z.number().int(),
  settings: FolderSettingsSchema,
  /** Master (or relay): devices this folder is served to. */
  sharedWith: z.array(DeviceIdSchema).default([]),
  /** Replica: the devices it follows, in order of preference. */
  upstreams: z.array(DeviceIdSchema).max(16).default([]),
  /** Paused on this device: it neither applies (replica) nor serves (master) until resumed. */
  paused: z.boolean().default(false),
  /** Replica: also serve the folder to the replicas that name this device as an upstream. */
  relay: z.boolean().default(false),
  /** Replica: present the folder as a link to complete version directories (docs/atomic-view.md). */
  atomicView: z.boolean().default(false),
});
export type FolderConfig = z.infer<typeof FolderConfigSchema>;

export const FoldersFileSchema = z.strictObject({
  version: z.literal(1),
  folders: z.array(FolderConfigSchema),
});
export type FoldersFile = z.infer<typeof FoldersFileSchema>;

/** Reads and validates a JSON config file; `fallback` when it does not exist (if given). */
export function readConfig<T>(file: string, schema: z.ZodType<T>, fallback?: T): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' && fallback !== undefined) return fallback;
    if (errnoCode(err) === 'ENOENT') {
      throw new LanfoldError(
        'STATE_MISSING',
        `No Lanfold device in ${file.replace(/\/[^/]+$/, '')}`,
        'run `lanfold init --name NAME` first, or pass --state',
      );
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new LanfoldError(
      'BAD_CONFIG',
      `${file} is not valid JSON: ${(err as Error).message}`,
      'fix or restore the file',
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'top level';
    throw new LanfoldError(
      'BAD_CONFIG',
      `${file} is invalid at ${where}: ${issue?.message ?? 'bad value'}`,
      'fix or restore the file',
    );
  }
  return parsed.data;
}

export function writeConfig(
  file: string,
  value: unknown,
  options: { durable?: boolean } = {},
): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, 0o600, options);
}

export function emptyFolders(): FoldersFile {
  return { version: 1, folders: [] };
}
