/** A folder's settings, with defaults and validation; set at the master and versioned with it. */
import { z } from 'zod';

export const FolderSettingsSchema = z.strictObject({
  commitMode: z.enum(['auto', 'one-phase', 'two-phase']).default('auto'),
  /** Two-phase commit: commit only when every connected replica votes yes, or on those that do. */
  twoPhasePolicy: z.enum(['all', 'available']).default('available'),
  /** A version deleting more than this fraction of the folder's files is held until approved. */
  deletionGuardRatio: z.number().min(0).max(1).default(0.5),
  atomicPatterns: z.array(z.string().min(1).max(1024)).max(1000).default([]),
  /** Bytes of past content the master retains for diffs, restores and text deltas. */
  historyCapBytes: z
    .number()
    .int()
    .min(0)
    .max(2 ** 50)
    .default(1024 ** 3),
  /** Files up to this size have their content retained when they change. */
  retainMaxFileBytes: z
    .number()
    .int()
    .min(0)
    .max(2 ** 40)
    .default(16 * 1024 ** 2),
  /** Quiet time after the last event before a batch is recorded, ms. */
  batchQuietMs: z.number().int().min(5).max(60_000).default(30),
  /** Longest a batch stays open under continuous writes, ms. */
  batchMaxDelayMs: z.number().int().min(50).max(600_000).default(2000),
});

export type FolderSettings = z.infer<typeof FolderSettingsSchema>;

export const DEFAULT_FOLDER_SETTINGS: FolderSettings = FolderSettingsSchema.parse({});
