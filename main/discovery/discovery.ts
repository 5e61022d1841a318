/**
 * LAN discovery over mDNS/DNS-SD: announces this device (`_lanfold._tcp`, its ID and name in
 * TXT) and keeps the devices it hears, paired or not, with their address and when they were
 * last heard. It sends one query when it starts and one every `requeryMs` after (a bounded
 * rate), plus the library's announcements; a device that says goodbye is dropped. Nothing here trusts what it hears: a record is
 * only a hint of where a device might be; TLS and the pinned ID decide who it is.
 */
import bonjourPkg from 'bonjour-service';
import type { Logger } from '../engine/logger.js';
import {
  announcementTxt,
  instanceName,
  parseAnnouncement,
  SERVICE_TYPE,
  type DiscoveryRecord,
} from './record.js';

const { Bonjour } = bonjourPkg;

export interface HeardDevice extends DiscoveryRecord {
  readonly lastSeen: number;
}

export interface DiscoveryOptions {
  readonly deviceId: string;
  readonly name: string;
  readonly port: number;
  readonly logger: Logger;
  /** A device was heard (first time or again). */
  readonly onHeard?: (record: DiscoveryRecord) => void;
  readonly requeryMs?: number;
}

/** True unless LANFOLD_DISCOVERY=off (or 0/false/no) or the device setting turns it off. */
export function discoveryEnabled(setting: boolean, env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.LANFOLD_DISCOVERY ?? '').trim().toLowerCase();
  if (['off', '0', 'false', 'no'].includes(v)) return false;
  return setting;
}

/**
 * A heard announcement as a record, or undefined: a malformed one is ignored with a debug
 * log, and this device's own announcement is skipped.
 */
export function acceptAnnouncement(
  service: unknown,
  ownId: string,
  logger: Logger,
): DiscoveryRecord | undefined {
  const parsed = parseAnnouncement(service);
  if (!parsed.ok) {
    logger.debug({ problem: parsed.problem }, 'ignored a malformed announcement');
    return undefined;
  }
  return parsed.record.deviceId === ownId ? undefined : parsed.record;
}

export class Discovery {
  private bonjour: InstanceType<typeof Bonjour> | undefined;
  private browser: ReturnType<InstanceType<typeof Bonjour>['find']> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly heard = new Map<string, HeardDevice>();

  constructor(private readonly options: DiscoveryOptions) {}

  start(): void {
    const { logger } = this.options;
    this.bonjour = new Bonjour({}, (err: unknown) =>
      logger.warn({ err: String(err) }, 'mDNS error'),
    );
    const name = instanceName(this.options.deviceId);
    this.bonjour.publish({
      name,
      type: SERVICE_TYPE,
      port: this.options.port,
      host: `${name}.local`,
      txt: announcementTxt(this.options.deviceId, this.options.name),
      disableIPv6: true,
    });
    this.browse();
    // A fresh browser each period: it queries once and reports every device that answers,
    // which refreshes `lastSeen` (a running browser reports a device only when it is new).
    this.timer = setInterval(() => this.browse(), this.options.requeryMs ?? 30_000);
    this.timer.unref();
    logger.info({ port: this.options.port }, 'LAN discovery on');
  }

  private browse(): void {
    if (!this.bonjour) return;
    this.browser?.stop();
    const browser = this.bonjour.find({ type: SERVICE_TYPE });
    browser.on('up', (s) => this.onService(s));
    browser.on('txt-update', (s) => this.onService(s));
    browser.on('srv-update', (s) => this.onService(s));
    browser.on('down', (s) => this.onGone(s));
    this.browser = browser;
  }

  /** A device said goodbye (its daemon stopped): forget where it was. */
  private onGone(service: unknown): void {
    const parsed = parseAnnouncement(service);
    if (parsed.ok) this.heard.delete(parsed.record.deviceId);
  }

  private onService(service: unknown): void {
    const record = acceptAnnouncement(service, this.options.deviceId, this.options.logger);
    if (!record) return;
    const isNew = !this.heard.has(record.deviceId);
    this.heard.set(record.deviceId, { ...record, lastSeen: Date.now() });
    if (isNew) this.options.logger.info({ ...record }, 'heard a device on the LAN');
    this.options.onHeard?.(record);
  }

  /** The devices heard, most recently heard first. */
  devices(): HeardDevice[] {
    return [...this.heard.values()].sort((a, b) => b.lastSeen - a.lastSeen);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.browser?.stop();
    const bonjour = this.bonjour;
    this.bonjour = undefined;
    if (!bonjour) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 1000);
      bonjour.unpublishAll(() => {
        clearTimeout(t);
        bonjour.destroy();
        resolve();
      });
    });
  }
}
