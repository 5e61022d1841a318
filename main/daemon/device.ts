/**
 * A device's state directory as a whole: creating it (`lanfold init`), reading its
 * configuration, and adding folders with every check a user can trip over done up front.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { LanfoldError } from '../engine/errors.js';
import {
  DEFAULT_FOLDER_SETTINGS,
  FolderSettingsSchema,
  type FolderSettings,
} from '../engine/folder-settings.js';
import { checkFolderRoot } from '../engine/folder-root.js';
import { atomicViewUnsupported } from '../engine/replica/view/atomic-view.js';
import { generateIdentity } from '../transport/identity.js';
import { writeFileAtomic } from '../engine/atomic-write.js';
import {
  DEFAULT_GUI,
  DEFAULT_LISTEN,
  DeviceConfigSchema,
  emptyFolders,
  emptyPeers,
  PeersFileSchema,
  type PeerConfig,
  type PeersFile,
  FOLDER_ID_PATTERN,
  FoldersFileSchema,
  readConfig,
  writeConfig,
  type DeviceConfig,
  type FolderConfig,
  type FoldersFile,
} from './config.js';
import { checkStateOutside, isInside, statePaths, type StatePaths } from './state-dir.js';

/** Settings a replica folder keeps for itself: the method of the hop below a relay. */
const RELAY_HOP_KEYS = new Set<string>(['commitMode', 'twoPhasePolicy']);
export interface InitOptions {
  readonly name: string;
  readonly listen?: string;
  readonly gui?: string;
  /** LAN discovery (default on). */
  readonly discovery?: boolean;
}

export async function initDevice(dir: string, options: InitOptions): Promise<DeviceConfig> {
  const paths = statePaths(dir);
  if (existsSync(paths.device)) {
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `A device already exists in ${paths.dir}`,
      'use another --state, or keep this one',
    );
  }
  const parsed = DeviceConfigSchema.safeParse({
    version: 1,
    deviceId: 'A'.repeat(52),
    name: options.name,
    listen: options.listen ?? DEFAULT_LISTEN,
    gui: options.gui ?? DEFAULT_GUI,
    createdAt: Date.now(),
    discovery: options.discovery ?? true,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new LanfoldError(
      'BAD_ARGUMENT',
      `Invalid ${issue?.path.join('.') || 'device setting'}: ${issue?.message ?? 'bad value'}`,
    );
  }
  const device: DeviceConfig = parsed.data;
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const identity = await generateIdentity(options.name);
  writeFileAtomic(paths.key, identity.keyPem, 0o600);
  writeFileAtomic(paths.cert, identity.certPem, 0o644);
  const withId = { ...device, deviceId: identity.deviceId };
  if (!existsSync(paths.folders)) writeConfig(paths.folders, emptyFolders());
  writeConfig(paths.device, withId); // last: its presence means the device is complete
  return withId;
}

export class DeviceState {
  readonly paths: StatePaths;
  readonly device: DeviceConfig;
  private foldersFile: FoldersFile;
  private peersFile: PeersFile;

  private constructor(
    paths: StatePaths,
    device: DeviceConfig,
    folders: FoldersFile,
    peers: PeersFile,
  ) {
    this.paths = paths;
    this.device = device;
    this.foldersFile = folders;
    this.peersFile = peers;
  }

  static open(dir: string): DeviceState {
    const paths = statePaths(dir);
    const device = readConfig(paths.device, DeviceConfigSchema);
    const folders = readConfig(paths.folders, FoldersFileSchema, emptyFolders());
    const peers = readConfig(paths.peers, PeersFileSchema, emptyPeers());
    return new DeviceState(paths, device, folders, peers);
  }

  get folders(): readonly FolderConfig[] {
    return this.foldersFile.folders;
  }

  /** Re-reads folders.json (after another process changed it). */
  reloadFolders(): void {
    this.foldersFile = readConfig(this.paths.folders, FoldersFileSchema, emptyFolders());
  }

  folder(id: string): FolderConfig {
    const f = this.folders.find((x) => x.id === id);
    if (!f) {
      const known = this.folders.map((x) => x.id).join(', ') || 'none';
      throw new LanfoldError(
        'FOLDER_UNKNOWN',
        `No folder with ID "${id}"`,
        `known folders: ${known}`,
      );
    }
    return f;
  }

  addFolder(options: {
    path: string;
    role: 'master' | 'replica';
    id?: string;
    upstreams?: readonly string[];
  }): FolderConfig {
    if (options.role === 'replica') {
      if (!options.id)
        throw new LanfoldError(
          'BAD_ARGUMENT',
          "A replica folder needs the master folder's ID",
          'pass --id FOLDER',
        );
      if (!options.upstreams?.length)
        throw new LanfoldError(
          'BAD_ARGUMENT',
          'A replica folder needs an upstream device',
          'pass --replica-of DEVICE_ID',
        );
      if (new Set(options.upstreams).size !== options.upstreams.length)
        throw new LanfoldError(
          'BAD_ARGUMENT',
          'An upstream device is listed twice',
          'list each device once in --replica-of, most preferred first',
        );
      if (options.upstreams.includes(this.device.deviceId))
        throw new LanfoldError('BAD_ARGUMENT', "A replica cannot follow this device's own ID");
      for (const up of options.upstreams) this.peer(up);
      mkdirSync(options.path, { recursive: true });
    }
    checkFolderRoot(options.path);
    const root = realpathSync(options.path);
    checkStateOutside(this.paths.dir, root);
    const id = options.id ?? newFolderId();
    if (!FOLDER_ID_PATTERN.test(id)) {
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `"${id}" is not a valid folder ID`,
        'use 1-64 letters, digits, dots, dashes or underscores',
      );
    }
    if (this.folders.some((f) => f.id === id))
      throw new LanfoldError('FOLDER_EXISTS', `A folder with ID "${id}" already exists`);
    const overlap = this.folders.find((f) => isInside(root, f.path) || isInside(f.path, root));
    if (overlap) {
      throw new LanfoldError(
        'FOLDER_EXISTS',
        `${root} overlaps the folder "${overlap.id}" at ${overlap.path}`,
        'folders may not be nested',
      );
    }
    const folder: FolderConfig = {
      id,
      path: root,
      role: options.role,
      createdAt: Date.now(),
      settings: DEFAULT_FOLDER_SETTINGS,
      sharedWith: [],
      upstreams: options.upstreams ? [...options.upstreams] : [],
      paused: false,
      relay: false,
      atomicView: false,
    };
    this.saveFolders([...this.folders, folder]);
    return folder;
  }

  /** Serves a master folder, or a relay's replica folder, to a (known) device. */
  shareFolder(folderId: string, deviceId: string): FolderConfig {
    const folder = this.folder(folderId);
    if (folder.role !== 'master' && !folder.relay)
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Folder "${folderId}" is a replica here; share it from its master`,
        `or make this replica a relay first: \`lanfold folder set ${folderId} relay on\``,
      );
    if (folder.upstreams.includes(deviceId))
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Device ${deviceId.slice(0, 8)} is an upstream of folder "${folderId}" here`,
        'a relay serves only devices below it',
      );
    this.peer(deviceId);
    const updated = { ...folder, sharedWith: [...new Set([...folder.sharedWith, deviceId])] };
    this.saveFolders(this.folders.map((f) => (f.id === folderId ? updated : f)));
    return updated;
  }

  /**
   * Pauses or resumes folders: the one named, or every folder when `folderId` is undefined.
   * Returns the folders whose state changed.
   */
  setPaused(folderId: string | undefined, paused: boolean): FolderConfig[] {
    if (folderId !== undefined) this.folder(folderId);
    const changed: FolderConfig[] = [];
    const folders = this.folders.map((f) => {
      if ((folderId !== undefined && f.id !== folderId) || f.paused === paused) return f;
      const updated = { ...f, paused };
      changed.push(updated);
      return updated;
    });
    if (changed.length > 0) this.saveFolders(folders);
    return changed;
  }

  /**
   * Turns a replica folder's atomic view on or off in folders.json; the daemon converts the
   * folder when it opens it, or at once when it runs (it watches the file).
   */
  setAtomicView(folderId: string, on: boolean): FolderConfig {
    const folder = this.folder(folderId);
    if (folder.role !== 'replica')
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Folder "${folderId}" is the master here; the atomic view is a setting of replica folders`,
        'set it on the devices that hold replicas of this folder',
      );
    const unsupported = atomicViewUnsupported();
    if (on && unsupported) throw new LanfoldError('BAD_ARGUMENT', unsupported);
    const updated = { ...folder, atomicView: on };
    this.saveFolders(this.folders.map((f) => (f.id === folderId ? updated : f)));
    return updated;
  }

  /**
   * Changes settings of a folder (validated as a whole); returns the new settings. A replica
   * sets only the method and policy of the hop below it, used while it relays.
   */
  setFolderSettings(folderId: string, patch: Partial<FolderSettings>): FolderSettings {
    const folder = this.folder(folderId);
    const foreign = Object.keys(patch).filter((k) => !RELAY_HOP_KEYS.has(k));
    if (folder.role !== 'master' && foreign.length > 0)
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Folder "${folderId}" is a replica here; its ${foreign.join(', ')} is set on its master`,
        'a replica sets only commitMode and twoPhasePolicy, for the replicas it relays to',
      );
    const parsed = FolderSettingsSchema.safeParse({ ...folder.settings, ...patch });
    if (!parsed.success)
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Invalid setting: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const updated = { ...folder, settings: parsed.data };
    this.saveFolders(this.folders.map((f) => (f.id === folderId ? updated : f)));
    return parsed.data;
  }

  /**
   * Makes a replica folder a relay (it also serves the replicas that name this device as an
   * upstream) or stops that. A master serves its folder already.
   */
  setRelay(folderId: string, on: boolean): FolderConfig {
    const folder = this.folder(folderId);
    if (folder.role !== 'replica')
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Folder "${folderId}" is the master here; only a replica folder can be a relay`,
        'a master serves its replicas already',
      );
    const updated = { ...folder, relay: on };
    this.saveFolders(this.folders.map((f) => (f.id === folderId ? updated : f)));
    return updated;
  }

  private saveFolders(folders: FolderConfig[]): void {
    this.foldersFile = { ...this.foldersFile, folders };
    writeConfig(this.paths.folders, this.foldersFile);
  }

  get peers(): readonly PeerConfig[] {
    return this.peersFile.peers;
  }

  reloadPeers(): void {
    this.peersFile = readConfig(this.paths.peers, PeersFileSchema, emptyPeers());
  }

  peer(deviceId: string): PeerConfig {
    const p = this.peers.find((x) => x.deviceId === deviceId);
    if (!p)
      throw new LanfoldError(
        'BAD_ARGUMENT',
        `Device ${deviceId.slice(0, 8)} is not a known peer`,
        'add it with `lanfold peer add DEVICE_ID@HOST:PORT`',
      );
    return p;
  }

  isTrusted(deviceId: string): boolean {
    return this.peers.some((p) => p.deviceId === deviceId);
  }

  /** Trusts a device (or updates its address and name). */
  addPeer(deviceId: string, address?: string, name?: string): PeerConfig {
    if (deviceId === this.device.deviceId)
      throw new LanfoldError('BAD_ARGUMENT', "That is this device's own ID");
    const old = this.peers.find((p) => p.deviceId === deviceId);
    const peer: PeerConfig = {
      deviceId,
      name: name ?? old?.name ?? '',
      addresses: address
        ? [address, ...(old?.addresses ?? []).filter((a) => a !== address)].slice(0, 16)
        : (old?.addresses ?? []),
      addedAt: old?.addedAt ?? Date.now(),
    };
    this.peersFile = {
      ...this.peersFile,
      peers: [...this.peers.filter((p) => p.deviceId !== deviceId), peer],
    };
    writeConfig(this.paths.peers, this.peersFile);
    return peer;
  }

  /** Stops trusting a device, and stops sharing folders with it. */
  removePeer(deviceId: string): void {
    this.peer(deviceId);
    this.peersFile = {
      ...this.peersFile,
      peers: this.peers.filter((p) => p.deviceId !== deviceId),
    };
    writeConfig(this.paths.peers, this.peersFile);
    this.saveFolders(
      this.folders.map((f) => ({ ...f, sharedWith: f.sharedWith.filter((d) => d !== deviceId) })),
    );
  }

  /** The device's certificate and private key (PEM). */
  identity(): { certPem: string; keyPem: string } {
    return {
      certPem: readFileSync(this.paths.cert, 'utf8'),
      keyPem: readFileSync(this.paths.key, 'utf8'),
    };
  }

  folderDataDir(id: string): string {
    return this.paths.folderData(id);
  }
}

function newFolderId(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}
