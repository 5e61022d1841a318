/**
 * The apply journal: the steps of one version's apply, written durably before the first
 * step runs and removed after the version is committed. Its presence at start means an
 * apply was interrupted and must be replayed.
 */
import { rmSync } from 'node:fs';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from '../atomic-write.js';
import { isRelPath } from '../relpath.js';

const Rel = z.string().refine(isRelPath);

const StepSchema = z.discriminatedUnion('op', [
  z.strictObject({ op: z.literal('move'), from: Rel, to: Rel }),
  z.strictObject({ op: z.literal('delete'), path: Rel }),
  z.strictObject({ op: z.literal('mkdir'), path: Rel, mode: z.number().int() }),
  z.strictObject({
    op: z.literal('place'),
    staged: z.string().regex(/^[0-9a-f]{64}\.ok$/),
    path: Rel,
  }),
  z.strictObject({ op: z.literal('symlink'), path: Rel, target: z.string().min(1) }),
  z.strictObject({ op: z.literal('meta'), path: Rel, mode: z.number().int(), mtimeMs: z.number() }),
]);
export type Step = z.infer<typeof StepSchema>;

const JournalSchema = z.strictObject({
  version: z.number().int().positive(),
  createdAt: z.number(),
  method: z.enum(['scan', '1pc', '2pc']),
  steps: z.array(StepSchema),
  entries: z.array(z.unknown()),
});
export type Journal = z.infer<typeof JournalSchema>;

export function writeJournal(file: string, journal: Journal): void {
  writeFileAtomic(file, JSON.stringify(journal));
}

export function readJournal(file: string): Journal | undefined {
  return readJsonFile(
    file,
    JournalSchema,
    'The apply journal',
    'move it aside; the replica then re-fetches the version',
  );
}

export function removeJournal(file: string): void {
  rmSync(file, { force: true });
}
