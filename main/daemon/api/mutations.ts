/**
 * The control API's changes to the device: adding and sharing folders, folder settings,
 * restoring a path to an older version, trusted devices, and the device's name. Each
 * re-reads the configuration file it changes first, so an edit made by the CLI a moment
 * ago is kept, and tells connected clients what changed.
 */
import path from 'node:path';
import type { z } from 'zod';
import type {
  AddFolderSchema,
  AddPeerSchema,
  DevicePatchSchema,
  FolderConfig as ApiFolderConfig,
  FolderSettingsPatch,
  PauseResult,
  Peer,
  RestoreResult,
  SettingsResult,
} from '../../api/contract.js';
import { LanfoldError } from '../../engine/errors.js';
import { FolderSettingsSchema } from '../../engine/folder-settings.js';
import { toRelPath } from '../../engine/relpath.js';
import { DeviceConfigSchema, readConfig, writeConfig, type FolderConfig } from '../config.js';
import type { ControlBackend } from './backend.js';
import type { ApiEventHub } from './event-hub.js';
import { ApiHttpError, describeZodError } from './http.js';
import { openLog, peerList, type ViewContext } from './views.js';

export function folderConfigJson(f: FolderConfig): ApiFolderConfig {
  return {
    id: f.id,
    path: f.path,
    role: f.role,
    createdAt: f.createdAt,
    settings: f.settings,
    sharedWith: [...f.sharedWith],
    upstreams: [...f.upstreams],
  };
}

function notMaster(id: string, what: string): ApiHttpError {
  return new ApiHttpError(
    'NOT_MASTER',
    `Folder "${id}" is a replica on this device; ${what}`,
    'a replica mirrors its master: do this on the master device',
  );
}

export function addFolder(
  backend: ControlBackend,
  hub: ApiEventHub,
  body: z.output<typeof AddFolderSchema>,
): ApiFolderConfig {
  if (!path.isAbsolute(body.path)) {
    throw new LanfoldError('BAD_ARGUMENT', `"${body.path}" is not an absolute path`);
  }
  backend.state.reloadFolders();
  backend.state.reloadPeers();
  const added = backend.state.addFolder(
    body.role === 'master'
      ? { path: body.path, role: 'master', ...(body.id !== undefined ? { id: body.id } : {}) }
      : { path: body.path, role: 'replica', id: body.id, upstreams: body.upstreams },
  );
  hub.publish({ type: 'config', what: 'folders' });
  // Opening scans the folder, which can take minutes: the answer does not wait for it. A
  // failure shows in status and as a folder-error event.
  void backend.openNewFolders().catch(() => undefined);
  return folderConfigJson(added);
}

export function shareFolder(
  backend: ControlBackend,
  hub: ApiEventHub,
  id: string,
  deviceId: string,
): ApiFolderConfig {
  backend.state.reloadFolders();
  backend.state.reloadPeers();
  if (backend.state.folder(id).role !== 'master') throw notMaster(id, 'share it from its master');
  const updated = backend.state.shareFolder(id, deviceId);
  hub.publish({ type: 'config', what: 'folders' });
  return folderConfigJson(updated);
}

export function updateSettings(
  backend: ControlBackend,
  hub: ApiEventHub,
  id: string,
  patch: FolderSettingsPatch,
): SettingsResult {
  const { state } = backend;
  state.reloadFolders();
  const config = state.folder(id);
  if (config.role !== 'master') throw notMaster(id, 'its settings are set on its master');
  const parsed = FolderSettingsSchema.safeParse({ ...config.settings, ...patch });
  if (!parsed.success) throw describeZodError('settings', parsed.error);
  const settings = parsed.data;
  const folders = state.folders.map((f) => (f.id === id ? { ...f, settings } : f));
  writeConfig(state.paths.folders, { version: 1, folders });
  state.reloadFolders();
  const restartNeeded = backend.applySettings(id, settings);
  hub.publish({ type: 'config', what: 'folders' });
  return { settings, restartNeeded };
}

export async function restore(
  backend: ControlBackend,
  id: string,
  rawPath: string,
  version: number,
): Promise<RestoreResult> {
  if (backend.state.folder(id).role !== 'master') {
    throw notMaster(id, 'restore the file on its master (the replica then follows)');
  }
  openLog(backend, id); // 503 unless the folder is open
  const master = backend.folder(id)!;
  const rel = toRelPath(rawPath.replace(/^\.\//, '').replace(/\/$/, ''));
  const result = await master.restore(rel, version);
  return {
    written: result.written,
    skipped: result.skipped.map((s) => ({ path: s.path, reason: s.reason })),
    version: result.version ? { ...result.version } : null,
  };
}

/**
 * Pauses or resumes one folder (or all when `id` is undefined): saved in folders.json, so it
 * holds across restarts, then put into effect at once. The `paused` events say what changed.
 */
export function setPaused(
  backend: ControlBackend,
  hub: ApiEventHub,
  id: string | undefined,
  paused: boolean,
): PauseResult {
  const { state } = backend;
  state.reloadFolders();
  const changed = state.setPaused(id, paused).map((f) => f.id);
  backend.pausedChanged();
  if (changed.length > 0) hub.publish({ type: 'config', what: 'folders' });
  return {
    changed,
    folders: state.folders.map((f) => ({ id: f.id, paused: backend.isPaused(f.id) })),
  };
}

export function addPeer(
  backend: ControlBackend,
  hub: ApiEventHub,
  body: z.output<typeof AddPeerSchema>,
): Peer {
  backend.state.reloadPeers();
  backend.state.addPeer(body.deviceId, body.address, body.name);
  backend.peersChanged();
  hub.publish({ type: 'config', what: 'peers' });
  return peerList(backend).find((p) => p.deviceId === body.deviceId)!;
}

export function removePeer(
  backend: ControlBackend,
  hub: ApiEventHub,
  deviceId: string,
): { removed: string } {
  const { state } = backend;
  state.reloadPeers();
  state.reloadFolders();
  if (!state.isTrusted(deviceId)) {
    throw new ApiHttpError('NOT_FOUND', `Device ${deviceId.slice(0, 8)} is not a trusted device`);
  }
  state.removePeer(deviceId);
  backend.peersChanged();
  hub.publish({ type: 'config', what: 'peers' });
  return { removed: deviceId };
}

/**
 * Renames the device and/or sets the address other devices connect to, in device.json. A
 * new name shows in status at once (peers hear it when the daemon next starts); a new
 * listen address is used from the next start (`restartNeeded`): the daemon does not close
 * its listening socket under connected devices.
 */
export function updateDevice(
  ctx: ViewContext,
  patch: z.output<typeof DevicePatchSchema>,
): { id: string; name: string; listen: string; restartNeeded: boolean } {
  const { state } = ctx.backend;
  const device = readConfig(state.paths.device, DeviceConfigSchema);
  const next = {
    ...device,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.listen !== undefined ? { listen: patch.listen } : {}),
  };
  writeConfig(state.paths.device, next);
  // The in-memory copy too, so status shows it at once.
  state.device.name = next.name;
  state.device.listen = next.listen;
  ctx.hub.publish({ type: 'config', what: 'device' });
  return {
    id: state.device.deviceId,
    name: next.name,
    listen: next.listen,
    restartNeeded: next.listen !== ctx.listenAtStart,
  };
}
