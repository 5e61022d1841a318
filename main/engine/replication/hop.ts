/**
 * How one hop of the tree runs two-phase commit (claims 31-37): on a master, its folder's
 * settings and deletion guard; on a relay, the relay's own settings for the hop below it.
 * The publisher's coordinator asks this, so the same coordinator serves both.
 */
import type { VersionInfo } from '../entry.js';
import type { FolderSettings } from '../folder-settings.js';
import type { MasterFolder } from '../master-folder.js';
import type { TwoPhasePolicy } from '../twophase/decision.js';

/** What a master can do about a mass deletion that a person rejected. */
export interface DeletionGuardHost {
  /** The share of the folder's files a version may delete before it is held (1: off). */
  ratio(): number;
  /** Writes the files back as they were at `prior`, as a new version. */
  readonly restorePaths: MasterFolder['restorePaths'];
}

export interface HopControl {
  /** Which replicas a two-phase change must commit on (all | available). */
  policy(): TwoPhasePolicy;
  /** Whether this version goes two-phase on this hop. */
  twoPhase(info: VersionInfo): boolean;
  /** The deletion guard: only on the master (a relay passes on what the master released). */
  readonly guard?: DeletionGuardHost;
}

/** A master's hop: the method each version was recorded with, the folder's guard. */
export function masterHop(folder: MasterFolder): HopControl {
  return {
    policy: () => folder.settings.twoPhasePolicy,
    twoPhase: (info) => info.method === '2pc',
    guard: {
      ratio: () => folder.settings.deletionGuardRatio,
      restorePaths: (paths, prior) => folder.restorePaths(paths, prior),
    },
  };
}

/** A relay's settings for the hop below it (its own folder settings, not the master's). */
export type RelayHopSettings = Pick<FolderSettings, 'commitMode' | 'twoPhasePolicy'>;

/**
 * A relay's hop: in `auto` a version goes two-phase below when it is recorded as two-phase
 * in the relay's log (the relay took it by two-phase commit, or caught up over it); the
 * other modes force one method for every version. While the folder does not relay, every
 * version passes as one-phase (no replica is below it; nothing is recorded).
 */
export function relayHop(relaying: () => boolean, settings: () => RelayHopSettings): HopControl {
  return {
    policy: () => settings().twoPhasePolicy,
    twoPhase: (info) => {
      if (!relaying()) return false;
      const mode = settings().commitMode;
      return mode === 'two-phase' || (mode === 'auto' && info.method === '2pc');
    },
  };
}
