/**
 * The view journal: the one layout change of an atomic-view replica under way — turning the
 * view on or off, or building and switching to a new version directory. Written durably
 * before the first step and removed after the last, so a start that finds it finishes the
 * change (or, for a build that had not reached its apply journal, undoes it).
 */
import { rmSync } from 'node:fs';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../../atomic-write.js';

const Version = z.number().int().min(0);

const ViewJournalSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('enable'), version: Version }),
  z.strictObject({ op: z.literal('disable'), version: Version }),
  z.strictObject({ op: z.literal('build'), from: Version, to: Version }),
]);
export type ViewJournal = z.infer<typeof ViewJournalSchema>;

export function writeViewJournal(file: string, journal: ViewJournal): void {
  writeFileAtomic(file, JSON.stringify(journal));
}

export function readViewJournal(file: string): ViewJournal | undefined {
  return readJsonFile(
    file,
    ViewJournalSchema,
    'The atomic-view journal',
    'check the folder and its .<name>.lanfold-views sibling by hand, then remove the journal',
  );
}

export function removeViewJournal(file: string): void {
  rmSync(file, { force: true });
}
