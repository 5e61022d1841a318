/**
 * What the control API needs from the running daemon: its configuration (DeviceState), its
 * open folders, the replication host's view of replicas and peers, and a few actions. The
 * Daemon implements it; tests can hand the API a smaller one.
 */
import type { CoordinatorStatus } from '../../engine/twophase/coordinator.js';
import type { FolderSettings } from '../../engine/folder-settings.js';
import type { MasterFolder } from '../../engine/master-folder.js';
import type { ReplicaFolder } from '../../engine/replica/replica-folder.js';
import type { ReplicaState } from '../../engine/replication/publisher.js';
import type { DeviceState } from '../device.js';
import type { LanControl } from '../lan-control.js';
import type { PeerStatus } from '../replication-host.js';

export interface ControlBackend {
  readonly state: DeviceState;
  /** When the daemon started, ms since the epoch. */
  readonly startedAt: number;
  /** The port the daemon listens on for other devices (0 before it listens). */
  readonly listenPort: number;
  /** The open master folder with this ID. */
  folder(id: string): MasterFolder | undefined;
  /** The open replica folder with this ID. */
  replica(id: string): ReplicaFolder | undefined;
  /** Folders that could not be opened, with the reason. */
  failures(): ReadonlyMap<string, string>;
  /** The replicas connected to a master folder, with the version each acknowledged. */
  replicaStates(folderId: string): readonly ReplicaState[];
  /** Two-phase commit's state of an open master folder. */
  twoPhaseStatus(folderId: string): CoordinatorStatus | undefined;
  /** Every trusted device, and whether it is connected now. */
  peerStatus(): readonly PeerStatus[];
  /** Opens the folders of `state.folders` that are not open yet (resolves once tried). */
  openNewFolders(): Promise<void>;
  /** After the trusted devices changed: drops untrusted connections, dials new addresses. */
  peersChanged(): void;
  /** Whether a folder is paused on this device (its pause state in effect). */
  isPaused(folderId: string): boolean;
  /** After folders.json's pause states changed: pauses and resumes folders to match. */
  pausedChanged(): void;
  /** Applies new settings to an open master folder; true when some apply only after a restart. */
  applySettings(folderId: string, settings: FolderSettings): boolean;
  /** Discovery, pairing and offers (absent in tests that need none of them). */
  readonly lan?: LanControl;
}
