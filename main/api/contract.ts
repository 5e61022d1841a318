/**
 * The control API's contract: every endpoint (method, path, parameters, body, response) and
 * every live event, as zod schemas with the TypeScript types derived from them. The daemon's
 * server and the one client (main/api/client.ts) are both built from the `endpoints` table.
 * Pure: it imports only zod, because the browser renderer bundles it too.
 * docs/api.md describes the same in words.
 */
import { z } from 'zod';

/** Bumped when a change would break an existing client. */
export const API_VERSION = 1;

/** Path of the WebSocket that carries live events. */
export const EVENTS_PATH = '/api/events';

// ---------------------------------------------------------------------------------------
// Values

const Count = z.number().int().min(0);
/** A version number (0: before the first version). */
const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Millis = z.number();

export const FolderIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, '1-64 letters, digits, dots, dashes or underscores');

/** A device ID as a person may type it (any case, dashes or spaces); parsed to the 52-character form. */
export const DeviceIdSchema = z
  .string()
  .max(128)
  .transform((s) => s.toUpperCase().replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[A-Z2-7]{52}$/, 'a device ID: 52 letters and digits 2-7'));

const HostPortSchema = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'HOST:PORT')
  .refine((s) => Number(s.slice(s.lastIndexOf(':') + 1)) <= 65535, 'port above 65535');

/** An absolute path on the daemon's machine (POSIX `/...` or Windows `C:\...`). */
const AbsolutePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => !p.includes('\0'), 'contains NUL')
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path');

/** A folder-relative path (`docs/a.txt`); the daemon checks it fully. */
const RelPathSchema = z.string().min(1).max(4096);

/** A whole number in a query string (`?limit=20`). */
function intParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,16}$/, 'a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

// ---------------------------------------------------------------------------------------
// Folder settings (the same rules as main/engine/folder-settings.ts; a unit test keeps them equal)

const CommitModeSchema = z.enum(['auto', 'one-phase', 'two-phase']);
const TwoPhasePolicySchema = z.enum(['all', 'available']);
const DeletionGuardSchema = z.number().min(0).max(1);
const AtomicPatternsSchema = z.array(z.string().min(1).max(1024)).max(1000);
const HistoryCapSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 50);
const RetainMaxSchema = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);
const QuietMsSchema = z.number().int().min(5).max(60_000);
const MaxDelayMsSchema = z.number().int().min(50).max(600_000);

export const FolderSettingsSchema = z.strictObject({
  commitMode: CommitModeSchema.default('auto'),
  /** Two-phase commit: commit only when every connected replica votes yes, or on those that do. */
  twoPhasePolicy: TwoPhasePolicySchema.default('available'),
  /** A version deleting more than this fraction of the folder's files is held until approved. */
  deletionGuardRatio: DeletionGuardSchema.default(0.5),
  atomicPatterns: AtomicPatternsSchema.default([]),
  /** Bytes of past content the master retains for diffs, restores and text deltas. */
  historyCapBytes: HistoryCapSchema.default(1024 ** 3),
  /** Files up to this size have their content retained when they change. */
  retainMaxFileBytes: RetainMaxSchema.default(16 * 1024 ** 2),
  /** Quiet time after the last event before a batch is recorded, ms. */
  batchQuietMs: QuietMsSchema.default(30),
  /** Longest a batch stays open under continuous writes, ms. */
  batchMaxDelayMs: MaxDelayMsSchema.default(2000),
});
export type FolderSettings = z.output<typeof FolderSettingsSchema>;

/** PATCH body: the settings to change (at least one); the others keep their values. */
export const FolderSettingsPatchSchema = z
  .strictObject({
    commitMode: CommitModeSchema.optional(),
    twoPhasePolicy: TwoPhasePolicySchema.optional(),
    deletionGuardRatio: DeletionGuardSchema.optional(),
    atomicPatterns: AtomicPatternsSchema.optional(),
    historyCapBytes: HistoryCapSchema.optional(),
    retainMaxFileBytes: RetainMaxSchema.optional(),
    batchQuietMs: QuietMsSchema.optional(),
    batchMaxDelayMs: MaxDelayMsSchema.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'name at least one setting to change');
export type FolderSettingsPatch = z.input<typeof FolderSettingsPatchSchema>;

// ---------------------------------------------------------------------------------------
// Responses

export const ApiErrorBodySchema = z.object({
  error: z.object({
    /** A Lanfold error code (main/engine/errors.ts) or an API one (UNAUTHORIZED, NOT_FOUND...). */
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
  }),
});
export type ApiErrorBody = z.output<typeof ApiErrorBodySchema>;

export const SyncStateSchema = z.enum([
  'in-sync',
  'syncing',
  'behind',
  'offline',
  'paused',
  'error',
]);
export type SyncState = z.output<typeof SyncStateSchema>;

/** How far behind: versions, and (when the master computes it) the files and bytes to move. */
export const LagSchema = z.object({
  versions: Count,
  files: Count.nullable(),
  bytes: Count.nullable(),
});
export type Lag = z.output<typeof LagSchema>;

/** A scan (master) or a transfer (replica) under way. */
export const ProgressSchema = z.object({
  phase: z.enum(['walking', 'hashing', 'fetching']),
  /** Null while fetching: a transfer counts bytes, not files. */
  filesDone: Count.nullable(),
  filesTotal: Count.nullable(),
  bytesDone: Count,
  bytesTotal: Count.nullable(),
  bytesPerSecond: Count,
});
export type Progress = z.output<typeof ProgressSchema>;

export const FolderSummarySchema = z.object({
  id: z.string(),
  role: z.enum(['master', 'replica']),
  path: z.string(),
  head: Seq,
  /** When the head version was made, ms since the epoch; null before the first version. */
  lastChange: Millis.nullable(),
  state: SyncStateSchema,
  /** Master: its furthest-behind connected replica; replica: how far it is behind its upstream. */
  lag: LagSchema.nullable(),
  progress: ProgressSchema.nullable(),
  error: z.string().nullable(),
  /** Paused on this device: a replica applies nothing, a master serves nothing (it still records). */
  paused: z.boolean(),
  /** Master: replicas it is shared with that are not connected now (0 for a replica). */
  replicasOffline: Count,
});
export type FolderSummary = z.output<typeof FolderSummarySchema>;

export const PeerSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  addresses: z.array(z.string()),
  addedAt: Millis,
  connected: z.boolean(),
  bytesIn: Count,
  bytesOut: Count,
});
export type Peer = z.output<typeof PeerSchema>;

export const StatusSchema = z.object({
  apiVersion: z.number().int(),
  device: z.object({
    id: z.string(),
    name: z.string(),
    /** The listen address saved in device.json (HOST:PORT), where other devices connect. */
    listen: z.string(),
    /** The address in use now (the port the system picked when 0 was asked for). */
    listening: z.string(),
    /** The saved listen address differs from the one in use: it applies when Lanfold restarts. */
    restartNeeded: z.boolean(),
  }),
  daemon: z.object({ pid: z.number().int(), version: z.string(), startedAt: Millis }),
  folders: z.array(FolderSummarySchema),
  peers: z.array(PeerSchema),
});
export type Status = z.output<typeof StatusSchema>;

export const ReplicaLagSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  connected: z.boolean(),
  /** The version it acknowledged; null when it has not connected since the daemon started. */
  version: Seq.nullable(),
  connectedAt: Millis.nullable(),
  lag: LagSchema.nullable(),
});
export type ReplicaLag = z.output<typeof ReplicaLagSchema>;

export const HeldSchema = z.object({
  version: Seq,
  reason: z.string(),
  deleted: Count,
  before: Count,
});
export type Held = z.output<typeof HeldSchema>;

/** Master: two-phase commit's state — the released version, what blocks delivery, held deletions. */
export const TwoPhaseStatusSchema = z.object({
  released: Seq,
  policy: TwoPhasePolicySchema,
  preparing: z
    .object({
      tx: z.string(),
      version: Seq,
      participants: z.array(z.string()),
      voted: z.array(z.string()),
    })
    .nullable(),
  /** A version aborted under `all`: which replicas refused it and why; when it is retried. */
  blocked: z
    .object({
      version: Seq,
      attempt: Count,
      blockers: z.array(z.object({ replica: z.string(), reason: z.string() })),
      retryAt: Millis,
    })
    .nullable(),
  /**
   * A held deletion, waiting for a person's verdict (`lanfold approve`/`reject`, or the
   * approve and reject routes): the versions up to `version` delete `deleted` of the
   * `before` files the folder had at `released`.
   */
  held: HeldSchema.nullable(),
});
export type TwoPhaseStatus = z.output<typeof TwoPhaseStatusSchema>;

export const FolderDetailSchema = FolderSummarySchema.extend({
  createdAt: Millis,
  settings: FolderSettingsSchema,
  /** Master: devices it is served to. */
  sharedWith: z.array(z.string()),
  /** Replica: devices it follows, in order of preference. */
  upstreams: z.array(z.string()),
  /** Master: live paths and bytes at the head (null when the folder is not open). */
  totals: z.object({ files: Count, dirs: Count, bytes: Count }).nullable(),
  /** Master: every replica it is shared with or connected to, with its exact lag. */
  replicas: z.array(ReplicaLagSchema),
  /** Master: two-phase commit (null for a replica or a folder not open). */
  twoPhase: TwoPhaseStatusSchema.nullable(),
  /** Replica: its upstream (null for a master). */
  upstream: z
    .object({ deviceId: z.string(), name: z.string(), connected: z.boolean(), version: Seq })
    .nullable(),
  syncing: z.boolean(),
  bytesFetched: Count,
  /**
   * Replica: paths edited locally (at most 1000; `localChangesTotal` counts them all).
   * `kept`: the user chose to keep this change (it stays listed, apart from the others).
   */
  localChanges: z.array(z.object({ path: z.string(), kind: z.string(), kept: z.boolean() })),
  localChangesTotal: Count,
  /** Replica: local edits kept as conflict copies, not yet kept or discarded by the user. */
  conflicts: z.array(z.object({ path: z.string(), keptAs: z.string(), at: Millis })),
});
export type FolderDetail = z.output<typeof FolderDetailSchema>;

export const VersionInfoSchema = z.object({
  seq: Seq,
  epoch: z.number().int(),
  createdAt: Millis,
  method: z.enum(['scan', '1pc', '2pc']),
  reason: z.string(),
  origin: z.enum(['initial-scan', 'rescan', 'watch', 'restore', 'apply']),
  changes: Count,
  bytes: Count,
});
export type VersionInfo = z.output<typeof VersionInfoSchema>;

/** One replica's part in a two-phase attempt. */
export const CommitVoteSchema = z.object({
  replica: z.string(),
  /** Its name as this device knows it ('' when unknown). */
  name: z.string(),
  /**
   * yes: prepared and can apply; no: refused (`reason` says why); timeout: did not answer in
   * time; none: the attempt was decided (another replica said no) before its vote came.
   */
  vote: z.enum(['yes', 'no', 'timeout', 'none']),
  reason: z.string(),
  /**
   * committed: switched with the others; aborted: the attempt was called off; caught-up: it
   * voted no or was late under `available`, and has the version now; behind: not yet.
   */
  outcome: z.enum(['committed', 'aborted', 'caught-up', 'behind']),
});
export type CommitVote = z.output<typeof CommitVoteSchema>;

/** One attempt at delivering (prior, version] to the replicas as one prepared change. */
export const CommitAttemptSchema = z.object({
  tx: z.string(),
  prior: Seq,
  version: Seq,
  attempt: Count,
  policy: TwoPhasePolicySchema,
  state: z.enum(['preparing', 'committed', 'aborted']),
  /** The coordinator's words for its decision. */
  reason: z.string(),
  startedAt: Millis,
  decidedAt: Millis.nullable(),
  votes: z.array(CommitVoteSchema),
});
export type CommitAttempt = z.output<typeof CommitAttemptSchema>;

/** How a version reached the replicas (a master's history; null on a replica). */
export const CommitInfoSchema = z.object({
  /**
   * committed: delivered; aborted: its last attempt was aborted and it waits to be tried
   * again; pending: not delivered yet (preparing, held, or behind a blocked version).
   */
  outcome: z.enum(['committed', 'aborted', 'pending']),
  /** Two-phase attempts that carried this version, oldest first (empty for one-phase). */
  attempts: z.array(CommitAttemptSchema),
  /**
   * What relays reported of the replicas below them (docs/relays.md): each replica's
   * outcome on its relay's own attempt covering this version.
   */
  downstream: z
    .array(
      z.object({
        replica: z.string(),
        name: z.string(),
        /** The relay that ran the replica's hop, and its name as this device knows it. */
        via: z.string(),
        viaName: z.string(),
        outcome: z.enum(['committed', 'aborted', 'behind']),
        reason: z.string(),
      }),
    )
    .default([]),
});
export type CommitInfo = z.output<typeof CommitInfoSchema>;

export const HistoryVersionSchema = VersionInfoSchema.extend({
  commit: CommitInfoSchema.nullable(),
});
export type HistoryVersion = z.output<typeof HistoryVersionSchema>;

export const HistorySchema = z.object({
  folder: z.string(),
  head: Seq,
  versions: z.array(HistoryVersionSchema),
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: Seq.nullable(),
});
export type History = z.output<typeof HistorySchema>;

/** One path at one version (an operation of a version, or a change between two). */
export const EntrySchema = z.object({
  path: z.string(),
  seq: Seq,
  op: z.enum(['add', 'modify', 'delete', 'move', 'meta']),
  kind: z.enum(['file', 'dir', 'symlink', 'none']),
  size: Count,
  mtimeMs: z.number(),
  mode: Count,
  hash: z.string().nullable(),
  target: z.string().nullable(),
  movedFrom: z.string().nullable(),
});
export type Entry = z.output<typeof EntrySchema>;

export const VersionDetailSchema = z.object({
  folder: z.string(),
  version: HistoryVersionSchema,
  total: Count,
  offset: Count,
  operations: z.array(EntrySchema),
});
export type VersionDetail = z.output<typeof VersionDetailSchema>;

export const ChangesSchema = z.object({
  folder: z.string(),
  from: Seq,
  to: Seq,
  total: Count,
  offset: Count,
  changes: z.array(EntrySchema),
});
export type Changes = z.output<typeof ChangesSchema>;

export const LineOpSchema = z.object({
  kind: z.enum(['equal', 'insert', 'delete']),
  lines: z.array(z.string()),
});
export type LineOp = z.output<typeof LineOpSchema>;

const DiffSideSchema = z
  .object({ kind: z.enum(['file', 'dir', 'symlink']), size: Count, hash: z.string().nullable() })
  .nullable();
const diffCommon = { folder: z.string(), path: z.string(), from: Seq, to: Seq };
export const DiffSchema = z.discriminatedUnion('kind', [
  z.object({
    ...diffCommon,
    kind: z.literal('text'),
    before: DiffSideSchema,
    after: DiffSideSchema,
    ops: z.array(LineOpSchema),
  }),
  z.object({
    ...diffCommon,
    kind: z.literal('binary'),
    before: DiffSideSchema,
    after: DiffSideSchema,
  }),
  z.object({
    ...diffCommon,
    kind: z.literal('too-large'),
    before: DiffSideSchema,
    after: DiffSideSchema,
  }),
]);
export type Diff = z.output<typeof DiffSchema>;

export const FileListSchema = z.object({
  folder: z.string(),
  version: Seq,
  total: Count,
  offset: Count,
  files: z.array(EntrySchema.omit({ op: true, movedFrom: true })),
});
export type FileList = z.output<typeof FileListSchema>;

export const FolderConfigSchema = z.object({
  id: z.string(),
  path: z.string(),
  role: z.enum(['master', 'replica']),
  createdAt: Millis,
  settings: FolderSettingsSchema,
  sharedWith: z.array(z.string()),
  upstreams: z.array(z.string()),
});
export type FolderConfig = z.output<typeof FolderConfigSchema>;

export const SettingsResultSchema = z.object({
  settings: FolderSettingsSchema,
  /** True when a changed batch timing applies only after the daemon restarts. */
  restartNeeded: z.boolean(),
});
export type SettingsResult = z.output<typeof SettingsResultSchema>;

export const RestoreResultSchema = z.object({
  /** Paths written back (files, directories and symlinks). */
  written: Count,
  /** Paths that could not be restored, and why. */
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })),
  /** The version that recorded the restore; null when the folder already held that content. */
  version: VersionInfoSchema.nullable(),
});
export type RestoreResult = z.output<typeof RestoreResultSchema>;

export const PauseResultSchema = z.object({
  /** The folders whose state this call changed (those already in that state are not). */
  changed: z.array(z.string()),
  /** Every folder's pause state after the call. */
  folders: z.array(z.object({ id: z.string(), paused: z.boolean() })),
});
export type PauseResult = z.output<typeof PauseResultSchema>;

/** What keeping or reverting a local change or a conflict did, in a sentence for the user. */
export const ResolveResultSchema = z.object({
  path: z.string(),
  action: z.enum(['keep', 'revert']),
  done: z.string(),
});
export type ResolveResult = z.output<typeof ResolveResultSchema>;

export const PeerListSchema = z.object({ peers: z.array(PeerSchema) });

/** A device paired with this one, or heard on the LAN (or both). */
export const LanDeviceSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  paired: z.boolean(),
  connected: z.boolean(),
  /** Where discovery last heard it (HOST:PORT); null when not heard. */
  heardAt: z.string().nullable(),
  lastSeen: Millis.nullable(),
  /** Paired devices: known addresses, most recent first. */
  addresses: z.array(z.string()),
});
export type LanDevice = z.output<typeof LanDeviceSchema>;

export const DeviceListSchema = z.object({
  /** False when discovery is off (device setting or LANFOLD_DISCOVERY=off). */
  discovery: z.boolean(),
  devices: z.array(LanDeviceSchema),
});

/** An invite as a QR code: the text it encodes and its modules, rows of '0'/'1'. */
export const InviteQrSchema = z.object({
  text: z.string(),
  size: Count,
  modules: z.array(z.string()),
});

export const InviteSchema = z.object({
  /** The one-time code, `ABCD-EFGH`. */
  code: z.string(),
  createdAt: Millis,
  expiresAt: Millis,
  /** This device, for the person joining to compare. */
  deviceId: z.string(),
  name: z.string(),
  qr: InviteQrSchema,
});
export type Invite = z.output<typeof InviteSchema>;

const PairedDeviceSchema = z.object({
  deviceId: z.string(),
  name: z.string(),
  address: z.string().nullable(),
});
export type PairedDevice = z.output<typeof PairedDeviceSchema>;

export const InviteStatusSchema = z.object({
  state: z.enum(['none', 'open', 'paired', 'expired', 'cancelled']),
  /** The open (or last) invite; `qr`, `deviceId` and `name` as when it was made, to show it again. */
  invite: z
    .object({
      code: z.string(),
      createdAt: Millis,
      expiresAt: Millis,
      deviceId: z.string(),
      name: z.string(),
      qr: InviteQrSchema,
    })
    .nullable(),
  /** Wrong tries within the last minute; the fifth is refused without checking. */
  recentFailures: Count,
  retryAfterMs: Count,
  paired: PairedDeviceSchema.nullable(),
});
export type InviteStatus = z.output<typeof InviteStatusSchema>;

export const OfferSchema = z.object({
  folderId: z.string(),
  from: z.string(),
  fromName: z.string(),
  label: z.string(),
  offeredAt: Millis,
});
export type Offer = z.output<typeof OfferSchema>;
export const DeviceSchema = z.object({
  id: z.string(),
  name: z.string(),
  listen: z.string(),
  /** The saved listen address is not the one in use: it applies when Lanfold restarts. */
  restartNeeded: z.boolean(),
});

export const VerdictResultSchema = z.object({
  folder: z.string(),
  version: Seq,
  verdict: z.enum(['approve', 'reject']),
  /** What happens next, in a sentence for the user. */
  done: z.string(),
});
export type VerdictResult = z.output<typeof VerdictResultSchema>;
export const RemovedSchema = z.object({ removed: z.string() });

// ---------------------------------------------------------------------------------------
// Requests

const FolderParams = z.strictObject({ id: FolderIdSchema });

export const AddFolderSchema = z.discriminatedUnion('role', [
  z.strictObject({
    role: z.literal('master'),
    path: AbsolutePathSchema,
    id: FolderIdSchema.optional(),
  }),
  z.strictObject({
    role: z.literal('replica'),
    path: AbsolutePathSchema,
    /** The master folder's ID. */
    id: FolderIdSchema,
    upstreams: z.array(DeviceIdSchema).min(1).max(8),
  }),
]);
export type AddFolder = z.input<typeof AddFolderSchema>;

/** Approve or reject the held deletions up to `version` (the held version the UI shows). */
export const VerdictBodySchema = z.strictObject({ version: Seq.min(1) });

/** The device's name and the address other devices connect to; at least one. */
export const DevicePatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(64).optional(),
    listen: HostPortSchema.optional(),
  })
  .refine((p) => p.name !== undefined || p.listen !== undefined, 'name or listen (or both)');
export type DevicePatch = z.input<typeof DevicePatchSchema>;

export const AddPeerSchema = z.strictObject({
  deviceId: DeviceIdSchema,
  address: HostPortSchema.optional(),
  name: z.string().trim().max(64).optional(),
});
export type AddPeer = z.input<typeof AddPeerSchema>;

// ---------------------------------------------------------------------------------------
// Endpoints

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** One endpoint: `:name` segments of `path` are filled from `params`. */
export interface EndpointDef {
  readonly method: HttpMethod;
  readonly path: string;
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly response: z.ZodType;
  /** HTTP status of success (default 200). */
  readonly status?: number;
}

export const endpoints = {
  status: { method: 'GET', path: '/api/status', response: StatusSchema },
  folder: {
    method: 'GET',
    path: '/api/folders/:id',
    params: FolderParams,
    response: FolderDetailSchema,
  },
  history: {
    method: 'GET',
    path: '/api/folders/:id/history',
    params: FolderParams,
    query: z.strictObject({
      limit: intParam(1, 1000).optional(),
      before: intParam(1, Number.MAX_SAFE_INTEGER).optional(),
    }),
    response: HistorySchema,
  },
  version: {
    method: 'GET',
    path: '/api/folders/:id/versions/:version',
    params: z.strictObject({ id: FolderIdSchema, version: intParam(1, Number.MAX_SAFE_INTEGER) }),
    query: z.strictObject({
      offset: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
      limit: intParam(1, 5000).optional(),
    }),
    response: VersionDetailSchema,
  },
  changes: {
    method: 'GET',
    path: '/api/folders/:id/changes',
    params: FolderParams,
    query: z.strictObject({
      from: intParam(0, Number.MAX_SAFE_INTEGER),
      to: intParam(0, Number.MAX_SAFE_INTEGER),
      offset: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
      limit: intParam(1, 5000).optional(),
    }),
    response: ChangesSchema,
  },
  diff: {
    method: 'GET',
    path: '/api/folders/:id/diff',
    params: FolderParams,
    query: z.strictObject({
      from: intParam(0, Number.MAX_SAFE_INTEGER),
      to: intParam(0, Number.MAX_SAFE_INTEGER),
      path: RelPathSchema,
    }),
    response: DiffSchema,
  },
  files: {
    method: 'GET',
    path: '/api/folders/:id/files',
    params: FolderParams,
    query: z.strictObject({
      version: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
      prefix: z.string().max(4096).optional(),
      offset: intParam(0, Number.MAX_SAFE_INTEGER).optional(),
      limit: intParam(1, 5000).optional(),
    }),
    response: FileListSchema,
  },
  addFolder: {
    method: 'POST',
    path: '/api/folders',
    body: AddFolderSchema,
    response: FolderConfigSchema,
    status: 201,
  },
  shareFolder: {
    method: 'POST',
    path: '/api/folders/:id/share',
    params: FolderParams,
    body: z.strictObject({ deviceId: DeviceIdSchema }),
    response: FolderConfigSchema,
  },
  updateSettings: {
    method: 'PATCH',
    path: '/api/folders/:id/settings',
    params: FolderParams,
    body: FolderSettingsPatchSchema,
    response: SettingsResultSchema,
  },
  restore: {
    method: 'POST',
    path: '/api/folders/:id/restore',
    params: FolderParams,
    body: z.strictObject({ path: RelPathSchema, version: Seq.min(1) }),
    response: RestoreResultSchema,
  },
  pauseFolder: {
    method: 'POST',
    path: '/api/folders/:id/pause',
    params: FolderParams,
    response: PauseResultSchema,
  },
  resumeFolder: {
    method: 'POST',
    path: '/api/folders/:id/resume',
    params: FolderParams,
    response: PauseResultSchema,
  },
  pauseAll: { method: 'POST', path: '/api/pause', response: PauseResultSchema },
  resumeAll: { method: 'POST', path: '/api/resume', response: PauseResultSchema },
  resolveLocalChange: {
    method: 'POST',
    path: '/api/folders/:id/local-changes/resolve',
    params: FolderParams,
    body: z.strictObject({ path: RelPathSchema, action: z.enum(['keep', 'revert']) }),
    response: ResolveResultSchema,
  },
  resolveConflict: {
    method: 'POST',
    path: '/api/folders/:id/conflicts/resolve',
    params: FolderParams,
    body: z.strictObject({ keptAs: RelPathSchema, action: z.enum(['keep', 'revert']) }),
    response: ResolveResultSchema,
  },
  approveDeletion: {
    method: 'POST',
    path: '/api/folders/:id/approve',
    params: FolderParams,
    body: VerdictBodySchema,
    response: VerdictResultSchema,
  },
  rejectDeletion: {
    method: 'POST',
    path: '/api/folders/:id/reject',
    params: FolderParams,
    body: VerdictBodySchema,
    response: VerdictResultSchema,
  },
  peers: { method: 'GET', path: '/api/peers', response: PeerListSchema },
  addPeer: {
    method: 'POST',
    path: '/api/peers',
    body: AddPeerSchema,
    response: PeerSchema,
    status: 201,
  },
  removePeer: {
    method: 'DELETE',
    path: '/api/peers/:deviceId',
    params: z.strictObject({ deviceId: DeviceIdSchema }),
    response: RemovedSchema,
  },
  devices: { method: 'GET', path: '/api/devices', response: DeviceListSchema },
  createInvite: {
    method: 'POST',
    path: '/api/pairing/invite',
    body: z.strictObject({ ttlSeconds: z.number().int().min(10).max(3600).optional() }),
    response: InviteSchema,
    status: 201,
  },
  inviteStatus: { method: 'GET', path: '/api/pairing/invite', response: InviteStatusSchema },
  cancelInvite: {
    method: 'DELETE',
    path: '/api/pairing/invite',
    response: z.object({ cancelled: z.boolean() }),
  },
  joinPairing: {
    method: 'POST',
    path: '/api/pairing/join',
    body: z.strictObject({
      code: z.string().min(1).max(32),
      address: HostPortSchema.optional(),
      /** With no address: join only a discovered device whose ID starts with this. */
      devicePrefix: z
        .string()
        .regex(/^[A-Za-z2-7]{1,52}$/, 'the start of a device ID')
        .optional(),
    }),
    response: PairedDeviceSchema,
  },
  offers: {
    method: 'GET',
    path: '/api/offers',
    response: z.object({ offers: z.array(OfferSchema) }),
  },
  acceptOffer: {
    method: 'POST',
    path: '/api/offers/:id/accept',
    params: FolderParams,
    body: z.strictObject({ path: AbsolutePathSchema }),
    response: FolderConfigSchema,
    status: 201,
  },
  updateDevice: {
    method: 'PATCH',
    path: '/api/device',
    body: DevicePatchSchema,
    response: DeviceSchema,
  },
} as const satisfies Record<string, EndpointDef>;

export type Endpoints = typeof endpoints;
export type EndpointName = keyof Endpoints;

/** The parsed (output) type of an endpoint part, or undefined when it has none. */
type Part<D, K extends string> = D extends { readonly [P in K]: infer S extends z.ZodType }
  ? z.output<S>
  : undefined;
/** What a caller sends (input types: a device ID may still have dashes). */
type InputPart<D, K extends string> = D extends { readonly [P in K]: infer S extends z.ZodType }
  ? z.input<S>
  : undefined;

export type ParamsOf<N extends EndpointName> = Part<Endpoints[N], 'params'>;
export type QueryOf<N extends EndpointName> = Part<Endpoints[N], 'query'>;
export type BodyOf<N extends EndpointName> = Part<Endpoints[N], 'body'>;
export type BodyInputOf<N extends EndpointName> = InputPart<Endpoints[N], 'body'>;
export type ResponseOf<N extends EndpointName> = z.output<Endpoints[N]['response']>;

// ---------------------------------------------------------------------------------------
// Events (server -> client, JSON text frames on the WebSocket at EVENTS_PATH)

export const ApiEventSchema = z.discriminatedUnion('type', [
  /** A master recorded, or a replica applied, a version. */
  z.object({ type: z.literal('version'), folder: z.string(), version: VersionInfoSchema }),
  /** A scan or a transfer advanced (at most about 5 per second per folder). */
  z.object({ type: z.literal('progress'), folder: z.string(), progress: ProgressSchema }),
  /** A trusted device connected or went away. */
  z.object({
    type: z.literal('peer'),
    deviceId: z.string(),
    name: z.string(),
    connected: z.boolean(),
  }),
  /** A replica kept a local edit as a conflict file before applying a version. */
  z.object({
    type: z.literal('conflict'),
    folder: z.string(),
    path: z.string(),
    keptAs: z.string(),
  }),
  /** A folder could not be opened (or failed again with another reason). */
  z.object({ type: z.literal('folder-error'), folder: z.string(), message: z.string() }),
  /** A folder was paused or resumed on this device. */
  z.object({ type: z.literal('paused'), folder: z.string(), paused: z.boolean() }),
  /** A local change or a conflict of a replica was kept or reverted. */
  z.object({
    type: z.literal('resolved'),
    folder: z.string(),
    path: z.string(),
    action: z.enum(['keep', 'revert']),
  }),
  /** A mass deletion was held on a master (`held`), or its hold ended (`held: null`). */
  z.object({ type: z.literal('held'), folder: z.string(), held: HeldSchema.nullable() }),
  /** A person approved or rejected a held deletion through this API. */
  z.object({
    type: z.literal('verdict'),
    folder: z.string(),
    version: Seq,
    verdict: z.enum(['approve', 'reject']),
  }),
  /** Configuration changed (through the API, a pairing, or an offer received): reload what shows it. */
  z.object({
    type: z.literal('config'),
    what: z.enum(['folders', 'peers', 'device', 'offers']),
  }),
  /** The whole status: on connecting, every second while it changes, and at least every 5 s. */
  z.object({ type: z.literal('status'), status: StatusSchema }),
]);
export type ApiEvent = z.output<typeof ApiEventSchema>;
