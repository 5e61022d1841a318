/**
 * The folder settings form's values as typed (strings), their checks against the API's
 * limits, and the patch of what changed. Pure, so the rules are easy to see and test.
 */
import type { FolderSettings, FolderSettingsPatch } from '../../api/types';

export type SizeUnit = 'MiB' | 'GiB';

export interface SettingsDraft {
  readonly commitMode: FolderSettings['commitMode'];
  readonly twoPhasePolicy: FolderSettings['twoPhasePolicy'];
  /** The deletion guard is on (a ratio below 1; `lanfold folder set … deletion-guard off` is 1). */
  readonly deletionGuardOn: boolean;
  /** Hold a change deleting more than this share of the files, in percent. */
  readonly deletionGuardPercent: string;
  readonly atomicPatterns: string;
  readonly historyCap: string;
  readonly historyCapUnit: SizeUnit;
  readonly retainMax: string;
  readonly retainMaxUnit: SizeUnit;
  readonly batchQuietMs: string;
  readonly batchMaxDelayMs: string;
}

const UNIT: Record<SizeUnit, number> = { MiB: 1024 ** 2, GiB: 1024 ** 3 };

function sizeDraft(bytes: number): { value: string; unit: SizeUnit } {
  const gib = bytes / UNIT.GiB;
  if (bytes >= UNIT.GiB && Number.isInteger(gib * 100)) return { value: String(gib), unit: 'GiB' };
  return { value: String(Math.round((bytes / UNIT.MiB) * 100) / 100), unit: 'MiB' };
}

export function draftOf(s: FolderSettings): SettingsDraft {
  const cap = sizeDraft(s.historyCapBytes);
  const retain = sizeDraft(s.retainMaxFileBytes);
  return {
    commitMode: s.commitMode,
    twoPhasePolicy: s.twoPhasePolicy,
    deletionGuardOn: s.deletionGuardRatio < 1,
    deletionGuardPercent:
      s.deletionGuardRatio < 1 ? String(Math.round(s.deletionGuardRatio * 10_000) / 100) : '50',
    atomicPatterns: s.atomicPatterns.join('\n'),
    historyCap: cap.value,
    historyCapUnit: cap.unit,
    retainMax: retain.value,
    retainMaxUnit: retain.unit,
    batchQuietMs: String(s.batchQuietMs),
    batchMaxDelayMs: String(s.batchMaxDelayMs),
  };
}

export type DraftErrors = Partial<Record<keyof SettingsDraft, string>>;

function number(raw: string): number | undefined {
  const t = raw.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** The settings a draft stands for, or the problem with each field. */
export function parseDraft(d: SettingsDraft): { settings?: FolderSettings; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const patterns = d.atomicPatterns
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (patterns.length > 1000) errors.atomicPatterns = 'At most 1,000 patterns.';
  else if (patterns.some((p) => p.length > 1024))
    errors.atomicPatterns = 'A pattern may have at most 1,024 characters.';
  const cap = number(d.historyCap);
  const historyCapBytes = cap === undefined ? undefined : Math.round(cap * UNIT[d.historyCapUnit]);
  if (historyCapBytes === undefined) errors.historyCap = 'Enter a size, for example 1 GiB.';
  else if (historyCapBytes > 2 ** 50) errors.historyCap = 'At most 1,048,576 GiB.';
  const retain = number(d.retainMax);
  const retainMaxFileBytes =
    retain === undefined ? undefined : Math.round(retain * UNIT[d.retainMaxUnit]);
  if (retainMaxFileBytes === undefined) errors.retainMax = 'Enter a size, for example 16 MiB.';
  else if (retainMaxFileBytes > 2 ** 40) errors.retainMax = 'At most 1,024 GiB.';
  const quiet = number(d.batchQuietMs);
  if (quiet === undefined || !Number.isInteger(quiet) || quiet < 5 || quiet > 60_000)
    errors.batchQuietMs = 'A whole number of milliseconds from 5 to 60,000.';
  const delay = number(d.batchMaxDelayMs);
  if (delay === undefined || !Number.isInteger(delay) || delay < 50 || delay > 600_000)
    errors.batchMaxDelayMs = 'A whole number of milliseconds from 50 to 600,000.';
  else if (quiet !== undefined && delay < quiet)
    errors.batchMaxDelayMs = 'Must be at least the quiet time.';
  const pct = number(d.deletionGuardPercent);
  if (d.deletionGuardOn && (pct === undefined || pct >= 100))
    errors.deletionGuardPercent =
      'A percentage from 0 to 99 (for example 50). To never hold deletions, turn the guard off.';
  if (Object.keys(errors).length > 0) return { errors };
  return {
    errors,
    settings: {
      commitMode: d.commitMode,
      twoPhasePolicy: d.twoPhasePolicy,
      deletionGuardRatio: d.deletionGuardOn ? Math.round(pct! * 100) / 10_000 : 1,
      atomicPatterns: patterns,
      historyCapBytes: historyCapBytes!,
      retainMaxFileBytes: retainMaxFileBytes!,
      batchQuietMs: quiet!,
      batchMaxDelayMs: delay!,
    },
  };
}

/** Only the settings that differ from `current` (the PATCH body), or undefined if none. */
export function patchOf(
  current: FolderSettings,
  next: FolderSettings,
): FolderSettingsPatch | undefined {
  const patch: { -readonly [K in keyof FolderSettings]?: FolderSettings[K] } = {};
  if (next.commitMode !== current.commitMode) patch.commitMode = next.commitMode;
  if (next.twoPhasePolicy !== current.twoPhasePolicy) patch.twoPhasePolicy = next.twoPhasePolicy;
  if (next.deletionGuardRatio !== current.deletionGuardRatio)
    patch.deletionGuardRatio = next.deletionGuardRatio;
  if (next.atomicPatterns.join('\n') !== current.atomicPatterns.join('\n'))
    patch.atomicPatterns = next.atomicPatterns;
  if (next.historyCapBytes !== current.historyCapBytes)
    patch.historyCapBytes = next.historyCapBytes;
  if (next.retainMaxFileBytes !== current.retainMaxFileBytes)
    patch.retainMaxFileBytes = next.retainMaxFileBytes;
  if (next.batchQuietMs !== current.batchQuietMs) patch.batchQuietMs = next.batchQuietMs;
  if (next.batchMaxDelayMs !== current.batchMaxDelayMs)
    patch.batchMaxDelayMs = next.batchMaxDelayMs;
  return Object.keys(patch).length > 0 ? patch : undefined;
}
