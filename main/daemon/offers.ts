/**
 * Folder offers a device has received (offers.json in the state directory): a master that
 * shares a folder with this device offers it over their connection, and the offer waits
 * here until accepted (`lanfold folder accept FOLDER_ID PATH`) or the folder exists here.
 */
import path from 'node:path';
import { z } from 'zod';
import { DeviceIdSchema, readConfig, writeConfig } from './config.js';

export const OfferSchema = z.strictObject({
  folderId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/),
  /** The master's device ID. */
  from: DeviceIdSchema,
  fromName: z.string().max(64),
  /** The master's name for the folder (its directory name). */
  label: z.string().max(255),
  offeredAt: z.number().int(),
});
export type Offer = z.infer<typeof OfferSchema>;

const OffersFileSchema = z.strictObject({ version: z.literal(1), offers: z.array(OfferSchema) });

/** At most this many offers are kept (the oldest go first). */
export const MAX_OFFERS = 256;

export function offersPath(stateDir: string): string {
  return path.join(stateDir, 'offers.json');
}

export class OfferStore {
  constructor(private readonly file: string) {}

  list(): Offer[] {
    return readConfig(this.file, OffersFileSchema, { version: 1, offers: [] }).offers;
  }

  /** Records an offer (a repeated one keeps its first time); true when it is new. */
  add(offer: Offer): boolean {
    const offers = this.list();
    const old = offers.find((o) => o.folderId === offer.folderId && o.from === offer.from);
    if (old && old.label === offer.label && old.fromName === offer.fromName) return false;
    const kept = offers.filter((o) => o !== old);
    const next = [...kept, { ...offer, offeredAt: old?.offeredAt ?? offer.offeredAt }];
    this.save(next.slice(-MAX_OFFERS));
    return old === undefined;
  }

  find(folderId: string): Offer | undefined {
    return this.list().find((o) => o.folderId === folderId);
  }

  /** Drops the offers of a folder (accepted) or of a device (removed). */
  remove(match: { folderId?: string; from?: string }): void {
    const offers = this.list();
    const kept = offers.filter(
      (o) =>
        !(
          (match.folderId === undefined || o.folderId === match.folderId) &&
          (match.from === undefined || o.from === match.from)
        ),
    );
    if (kept.length !== offers.length) this.save(kept);
  }

  private save(offers: Offer[]): void {
    writeConfig(this.file, { version: 1, offers });
  }
}
