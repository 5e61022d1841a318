import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_OFFERS, OfferStore, type Offer } from '../../../main/daemon/offers.js';
import { useTempDirs } from '../helpers/temp-dir.js';

const A = 'A'.repeat(52);
const B = 'B'.repeat(52);

function offer(over: Partial<Offer> = {}): Offer {
  return { folderId: 'docs', from: A, fromName: 'desk', label: 'Docs', offeredAt: 1000, ...over };
}

describe('OfferStore', () => {
  const tmp = useTempDirs();

  it('keeps offers across instances (offers.json)', () => {
    const file = path.join(tmp(), 'offers.json');
    expect(new OfferStore(file).list()).toEqual([]);
    expect(new OfferStore(file).add(offer())).toBe(true);
    expect(new OfferStore(file).list()).toEqual([offer()]);
  });

  it('keeps the first time of a repeated offer and updates its label', () => {
    const s = new OfferStore(path.join(tmp(), 'offers.json'));
    s.add(offer());
    expect(s.add(offer({ offeredAt: 5000 }))).toBe(false);
    expect(s.add(offer({ label: 'Documents', offeredAt: 6000 }))).toBe(false);
    expect(s.list()).toEqual([offer({ label: 'Documents' })]);
  });

  it('removes by folder or by device', () => {
    const s = new OfferStore(path.join(tmp(), 'offers.json'));
    s.add(offer());
    s.add(offer({ folderId: 'photos' }));
    s.add(offer({ folderId: 'music', from: B }));
    s.remove({ folderId: 'docs' });
    expect(s.list().map((o) => o.folderId)).toEqual(['photos', 'music']);
    s.remove({ from: A });
    expect(s.list().map((o) => o.folderId)).toEqual(['music']);
    expect(s.find('music')?.from).toBe(B);
  });

  it(`keeps at most ${MAX_OFFERS} offers, dropping the oldest`, () => {
    const s = new OfferStore(path.join(tmp(), 'offers.json'));
    for (let i = 0; i < MAX_OFFERS + 3; i++) s.add(offer({ folderId: `f${i}` }));
    const ids = s.list().map((o) => o.folderId);
    expect(ids).toHaveLength(MAX_OFFERS);
    expect(ids[0]).toBe('f3');
  });

  it('reports a damaged offers.json with the field that is wrong', () => {
    const file = path.join(tmp(), 'offers.json');
    writeFileSync(file, JSON.stringify({ version: 1, offers: [{ ...offer(), from: 'x' }] }));
    expect(() => new OfferStore(file).list()).toThrow(/offers\.0\.from/);
  });
});
