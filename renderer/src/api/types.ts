/**
 * The control API's types as the renderer uses them: re-exported from the one contract
 * (main/api/contract.ts), plus names for the parts the screens pass around.
 */
import type { FolderSummary, Status } from '../../../main/api/contract';

export type {
  ApiEvent,
  CommitAttempt,
  CommitInfo,
  CommitVote,
  Diff,
  Entry,
  FileList,
  FolderConfig,
  FolderDetail,
  FolderSettings,
  FolderSettingsPatch,
  FolderSummary,
  Held,
  History,
  HistoryVersion,
  LanDevice,
  Lag,
  LineOp,
  Offer,
  PauseResult,
  Peer,
  Progress,
  ReplicaLag,
  ResolveResult,
  RestoreResult,
  SettingsResult,
  Status,
  SyncState,
  TwoPhaseStatus,
  VerdictResult,
  VersionDetail,
  VersionInfo,
} from '../../../main/api/contract';

export type FolderRole = FolderSummary['role'];
export type DeviceInfo = Status['device'];
