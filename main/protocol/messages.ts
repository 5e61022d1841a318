/**
 * Every message of the peer protocol, as one discriminated union told apart by `t`. Each
 * variant is a zod schema; types are derived from the schemas, and `parseMessage`
 * validates whatever arrives before anything else looks at it. docs/protocol.md is the
 * normative description of these messages and of the rules around them.
 */
import { z } from 'zod';
import { CHUNK_RECORD_BYTES } from '../engine/chunk-list.js';
import { isRelPath } from '../engine/relpath.js';
import { ChunkListDelta } from './chunk-delta.js';

/** Largest frame either side accepts (length prefix excluded). */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;
/** Largest payload of one `data` message: a chunk or a run of chunks (the chunker's maximum chunk size fits). */
export const MAX_CHUNK_BYTES = 1024 * 1024;
/** Most chunks one `get` asks for (`count`, and the counts of its `more` runs, together). */
export const MAX_RUN_CHUNKS = 256;
/** Files up to this size travel inline with change packets (claims 11/12). */
export const INLINE_FILE_BYTES = 64 * 1024;

const U32 = z.number().int().min(0).max(0xffffffff);
const Seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const Id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const FolderId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/);
const WirePath = z.string().max(4096).refine(isRelPath, 'invalid path');
const Hash = z.string().regex(/^[0-9a-f]{64}$/);
/** A two-phase transaction: `<version>.<attempt>`. */
const TxId = z.string().regex(/^[0-9]{1,16}\.[0-9]{1,9}$/);
/** A device ID: the base32 SHA-256 of its certificate. */
const DeviceIdText = z.string().regex(/^[A-Z2-7]{52}$/);
const Bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const U16 = z.number().int().min(0).max(65535);
/** A ristretto255 element (32 bytes) of the pairing exchange. */
const PairElement = Bytes.refine((b) => b.length === 32, 'a pairing element is 32 bytes');
/** An HMAC-SHA-256 key confirmation. */
const PairMac = Bytes.refine((b) => b.length === 32, 'a confirmation is 32 bytes');

/** One path at one version, as it travels: the log entry without local fields (inode). */
export const WireEntry = z
  .strictObject({
    path: WirePath,
    op: z.enum(['add', 'modify', 'delete', 'move', 'meta']),
    kind: z.enum(['file', 'dir', 'symlink', 'none']),
    size: z
      .number()
      .int()
      .min(0)
      .max(2 ** 50),
    mtimeMs: z.number(), // zod 4 refuses NaN and ±Infinity
    mode: z.number().int().min(0).max(0o7777),
    hash: Hash.nullable(),
    target: z
      .string()
      .min(1)
      .max(4096)
      .refine((t) => !t.includes('\0'), 'NUL in target')
      .nullable(),
    /** The file's chunk list, whole or as an edit of the receiver's base version of the same path. */
    chunks: z
      .union([
        Bytes.refine((b) => b.length % CHUNK_RECORD_BYTES === 0, 'chunk list is not whole records'),
        ChunkListDelta,
      ])
      .nullable(),
    movedFrom: WirePath.nullable(),
  })
  .superRefine((e, ctx) => {
    if (e.kind === 'file' && (e.hash === null || e.chunks === null))
      ctx.addIssue({ code: 'custom', message: 'a file needs hash and chunks' });
    if (e.kind === 'symlink' && e.target === null)
      ctx.addIssue({ code: 'custom', message: 'a symlink needs a target' });
    if (e.kind === 'none' && e.op !== 'delete')
      ctx.addIssue({ code: 'custom', message: 'kind none is only for deletions' });
  });
export type WireEntry = z.infer<typeof WireEntry>;

/** A version's operations, in a change packet's window of recent versions (claims 14/18). */
export const WireVersion = z.strictObject({
  prior: Seq,
  version: Seq,
  createdAt: z.number().int(),
  method: z.enum(['scan', '1pc', '2pc']),
  entries: z.array(WireEntry).max(100_000),
});
export type WireVersion = z.infer<typeof WireVersion>;

/** A text edit script against a base: [0, n] keep n code units, [1, s] insert s, [-1, n] delete n. */
export const TextEdit = z.union([
  z.tuple([z.literal(0), U32]),
  z.tuple([z.literal(1), z.string()]),
  z.tuple([z.literal(-1), U32]),
]);

export const TextDelta = z.strictObject({
  path: WirePath,
  baseHash: Hash,
  hash: Hash,
  edits: z.array(TextEdit).max(1_000_000),
});
export type TextDelta = z.infer<typeof TextDelta>;

/** A further run of a batched `get` (protocol 3): `count` chunks of `path` from chunk `index`. */
const MoreRun = z.strictObject({
  path: WirePath,
  index: U32,
  hash: Hash,
  count: z.number().int().min(1).max(MAX_RUN_CHUNKS).optional(),
});

const InlineData = z.strictObject({
  hash: Hash,
  data: Bytes.refine((b) => b.length <= INLINE_FILE_BYTES, 'inline data too large'),
});

export const Message = z.discriminatedUnion('t', [
  /** First message on every connection, both ways. */
  z.strictObject({
    t: z.literal('hello'),
    protocol: z.number().int().min(1),
    name: z.string().max(64),
    app: z.string().max(32),
  }),
  /** Replica -> upstream: serve me this folder; I hold version `have`. */
  z.strictObject({ t: z.literal('subscribe'), folder: FolderId, have: Seq }),
  /** Replica -> upstream: stop serving me this folder (I follow another upstream now). */
  z.strictObject({ t: z.literal('unsubscribe'), folder: FolderId }),
  /** Upstream -> replica: this folder is not served to you (unknown, or not shared). */
  z.strictObject({ t: z.literal('refuse'), folder: FolderId, reason: z.string().max(500) }),
  /** Master -> replica: the current version (claims 5/9/10). */
  z.strictObject({ t: z.literal('heartbeat'), folder: FolderId, version: Seq }),
  /** Replica -> master: I now hold `version`. */
  z.strictObject({ t: z.literal('ack'), folder: FolderId, version: Seq }),
  /** Master -> replica: a new version with small files inline and a window of the versions before it. */
  z.strictObject({
    t: z.literal('change'),
    folder: FolderId,
    current: WireVersion,
    window: z.array(WireVersion).max(64),
    inline: z.array(InlineData).max(4096),
  }),
  /** Replica -> master: send me what I need to go from `have` to your current version. */
  z.strictObject({ t: z.literal('delta-req'), folder: FolderId, id: Id, have: Seq }),
  /** Master -> replica: one part of a delta's scope (the net effect per path over (from, to]). */
  z.strictObject({
    t: z.literal('delta-part'),
    folder: FolderId,
    id: Id,
    entries: z.array(WireEntry).max(20_000),
    texts: z.array(TextDelta).max(20_000),
    inline: z.array(InlineData).max(4096),
  }),
  /** Master -> replica: the delta is complete. */
  z.strictObject({
    t: z.literal('delta-end'),
    folder: FolderId,
    id: Id,
    from: Seq,
    to: Seq,
    createdAt: z.number().int(),
  }),
  /**
   * Replica -> master: send chunk `index` of `path` as of `version` (hashing to `hash`), or
   * with `count`, that chunk and the `count - 1` after it, back to back in one `data`; with
   * `more`, each further run's bytes after those, in order (all of them in one `data`).
   */
  z
    .strictObject({
      t: z.literal('get'),
      folder: FolderId,
      id: Id,
      path: WirePath,
      version: Seq,
      index: U32,
      hash: Hash,
      count: z.number().int().min(1).max(MAX_RUN_CHUNKS).optional(),
      more: z
        .array(MoreRun)
        .min(1)
        .max(MAX_RUN_CHUNKS - 1)
        .optional(),
    })
    .refine(
      (m) => chunksAsked(m) <= MAX_RUN_CHUNKS,
      `a get asks for at most ${MAX_RUN_CHUNKS} chunks in all`,
    ),
  /** Master -> replica: the bytes of a requested chunk. */
  z.strictObject({
    t: z.literal('data'),
    folder: FolderId,
    id: Id,
    data: Bytes.refine((b) => b.length <= MAX_CHUNK_BYTES, 'chunk too large'),
  }),
  /** Master -> replica: that chunk is no longer available (superseded; ask for a new delta). */
  z.strictObject({ t: z.literal('nodata'), folder: FolderId, id: Id, reason: z.string().max(500) }),
  /** Master -> device it shares `folder` with: you may follow this folder (see `lanfold folder offers`). */
  z.strictObject({ t: z.literal('offer'), folder: FolderId, label: z.string().max(255) }),
  /**
   * Joiner -> inviter, on a connection the inviter accepted only because an invite is open:
   * the joiner's SPAKE2 element, and the port it listens on (so the inviter can dial back).
   */
  z.strictObject({ t: z.literal('pair-start'), x: PairElement, listenPort: U16 }),
  /** Inviter -> joiner: the inviter's SPAKE2 element and its key confirmation. */
  z.strictObject({ t: z.literal('pair-reply'), y: PairElement, confirm: PairMac }),
  /** Joiner -> inviter: the joiner's key confirmation (sent only after checking the inviter's). */
  z.strictObject({ t: z.literal('pair-confirm'), confirm: PairMac }),
  /** Either side: how the pairing ended; the connection closes after it. */
  z.strictObject({ t: z.literal('pair-result'), ok: z.boolean(), reason: z.string().max(500) }),
  /**
   * Master -> replica: two-phase commit, phase one. Stage `version` (whose operations go
   * from `prior` to `version.version`) durably, check that it can be applied, and vote.
   */
  z.strictObject({
    t: z.literal('prepare'),
    folder: FolderId,
    tx: TxId,
    prior: Seq,
    version: WireVersion,
    inline: z.array(InlineData).max(4096),
  }),
  /** Replica -> master: its vote on `tx` (yes only when upToDate and canApply). */
  z.strictObject({
    t: z.literal('vote'),
    folder: FolderId,
    tx: TxId,
    upToDate: z.boolean(),
    canApply: z.boolean(),
    reason: z.string().max(500),
  }),
  /**
   * Replica -> master: still staging `tx` (sent every few seconds while its content is
   * fetched and written), so a large change is not taken for a silent replica.
   */
  z.strictObject({ t: z.literal('staging'), folder: FolderId, tx: TxId }),
  /** Master -> replica: the durable outcome of `tx`; also the answer to outcome-req. */
  z.strictObject({
    t: z.literal('decision'),
    folder: FolderId,
    tx: TxId,
    outcome: z.enum(['commit', 'abort']),
  }),
  /** Replica -> master: I am prepared for `tx` and do not know its outcome (after a restart). */
  z.strictObject({ t: z.literal('outcome-req'), folder: FolderId, tx: TxId }),
  /**
   * Relay -> its upstream: how a two-phase change went on the hop below the relay (claim 35):
   * each replica's outcome on the relay's attempt covering (prior, version]. Relays pass the
   * reports of relays below them on upward, so the master's history shows every level.
   */
  z.strictObject({
    t: z.literal('report'),
    folder: FolderId,
    prior: Seq,
    version: Seq,
    results: z
      .array(
        z.strictObject({
          replica: DeviceIdText,
          name: z.string().max(64),
          /** The relay that coordinated this replica's hop. */
          via: DeviceIdText,
          outcome: z.enum(['commit', 'abort', 'behind']),
          reason: z.string().max(500),
        }),
      )
      .max(1000),
  }),
  /** Either side: a protocol error; the connection closes after it. */
  z.strictObject({ t: z.literal('error'), reason: z.string().max(1000) }),
]);
export type Message = z.infer<typeof Message>;
export type MessageOf<T extends Message['t']> = Extract<Message, { t: T }>;

export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** Validates a decoded value as a Message, or throws a ProtocolError naming the problem. */
export function parseMessage(value: unknown): Message {
  const r = Message.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const t =
      typeof value === 'object' && value !== null && 't' in value
        ? String(value.t).slice(0, 32)
        : '?';
    throw new ProtocolError(
      `bad ${t} message at ${issue?.path.join('.') || 'top'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return r.data;
}

/** The runs a `get` asks for, in the order their bytes come back in `data`. */
export function runsOf<P extends string>(get: {
  readonly path: P;
  readonly index: number;
  readonly hash: string;
  readonly count?: number | undefined;
  readonly more?: readonly { path: P; index: number; hash: string; count?: number | undefined }[];
}): { path: P; index: number; hash: string; count: number }[] {
  const first = { path: get.path, index: get.index, hash: get.hash, count: get.count ?? 1 };
  return [first, ...(get.more ?? []).map((r) => ({ ...r, count: r.count ?? 1 }))];
}

function chunksAsked(get: {
  count?: number | undefined;
  more?: { count?: number | undefined }[];
}): number {
  let n = get.count ?? 1;
  for (const r of get.more ?? []) n += r.count ?? 1;
  return n;
}
