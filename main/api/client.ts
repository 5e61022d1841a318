/**
 * The one typed client of the control API, used by the renderer (in Electron and in a
 * browser) and by tests: one method per endpoint of the contract, each response checked
 * against its schema, and `subscribe` for live events with automatic reconnection. No Node
 * imports: it runs on `fetch` and a WebSocket constructor given to it (the browser's by
 * default, `ws` in Node tests).
 */
import type { z } from 'zod';
import {
  ApiErrorBodySchema,
  ApiEventSchema,
  endpoints,
  EVENTS_PATH,
  type AddFolder,
  type AddPeer,
  type ApiEvent,
  type BodyInputOf,
  type DevicePatch,
  type EndpointName,
  type FolderSettingsPatch,
  type Peer,
  type ResponseOf,
} from './contract.js';

/**
 * The WebSocket surface the client uses; both the browser's WebSocket and `ws` have it.
 * Handlers take `never` so that either one's event types fit.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface LanfoldClientOptions {
  /** The daemon's address, e.g. http://127.0.0.1:47211 (in the UI: the page's own origin). */
  readonly baseUrl: string;
  readonly token: string;
  /** Default: globalThis.WebSocket. */
  readonly WebSocket?: WebSocketConstructor;
  /** Default: globalThis.fetch. */
  readonly fetch?: typeof fetch;
  /** Reconnection delays of `subscribe`: from `minMs`, doubling up to `maxMs`. */
  readonly reconnect?: { readonly minMs: number; readonly maxMs: number };
}

export interface SubscribeOptions {
  /** Told when the event stream connects (true) or is lost and being retried (false). */
  readonly onConnection?: (connected: boolean) => void;
}

/** A failed call: the HTTP status (0: the daemon could not be reached) and the daemon's error. */
export class LanfoldApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'LanfoldApiError';
  }
}

type Query = Record<string, string | number | undefined>;

export class LanfoldClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: LanfoldClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  status(): Promise<ResponseOf<'status'>> {
    return this.call('status', undefined);
  }

  folder(id: string): Promise<ResponseOf<'folder'>> {
    return this.call('folder', { id });
  }

  /** Versions newest first; pass the answer's `nextBefore` as `before` for the next page. */
  history(
    id: string,
    query: { limit?: number; before?: number } = {},
  ): Promise<ResponseOf<'history'>> {
    return this.call('history', { id }, query);
  }

  version(
    id: string,
    version: number,
    query: { offset?: number; limit?: number } = {},
  ): Promise<ResponseOf<'version'>> {
    return this.call('version', { id, version }, query);
  }

  /** The paths changed between two versions, with their entries at `to`. */
  changes(
    id: string,
    query: { from: number; to: number; offset?: number; limit?: number },
  ): Promise<ResponseOf<'changes'>> {
    return this.call('changes', { id }, query);
  }

  diff(id: string, query: { from: number; to: number; path: string }): Promise<ResponseOf<'diff'>> {
    return this.call('diff', { id }, query);
  }

  files(
    id: string,
    query: { version?: number; prefix?: string; offset?: number; limit?: number } = {},
  ): Promise<ResponseOf<'files'>> {
    return this.call('files', { id }, query);
  }

  addFolder(body: AddFolder): Promise<ResponseOf<'addFolder'>> {
    return this.call('addFolder', undefined, undefined, body);
  }

  shareFolder(id: string, deviceId: string): Promise<ResponseOf<'shareFolder'>> {
    return this.call('shareFolder', { id }, undefined, { deviceId });
  }

  updateSettings(id: string, patch: FolderSettingsPatch): Promise<ResponseOf<'updateSettings'>> {
    return this.call('updateSettings', { id }, undefined, patch);
  }

  /** Master only: writes `path` (a file or a directory) back as it was at `version`. */
  restore(id: string, body: { path: string; version: number }): Promise<ResponseOf<'restore'>> {
    return this.call('restore', { id }, undefined, body);
  }

  /** Pauses one folder, or every folder of the device when `id` is omitted. */
  pause(id?: string): Promise<ResponseOf<'pauseFolder'>> {
    return id === undefined ? this.call('pauseAll', undefined) : this.call('pauseFolder', { id });
  }

  /** Resumes one folder, or every folder of the device when `id` is omitted. */
  resume(id?: string): Promise<ResponseOf<'resumeFolder'>> {
    return id === undefined ? this.call('resumeAll', undefined) : this.call('resumeFolder', { id });
  }

  /** Replica only: keeps a local change as it is, or reverts it to the master's version. */
  resolveLocalChange(
    id: string,
    body: { path: string; action: 'keep' | 'revert' },
  ): Promise<ResponseOf<'resolveLocalChange'>> {
    return this.call('resolveLocalChange', { id }, undefined, body);
  }

  /** Replica only: keeps a conflict copy (and stops listing it), or deletes it. */
  resolveConflict(
    id: string,
    body: { keptAs: string; action: 'keep' | 'revert' },
  ): Promise<ResponseOf<'resolveConflict'>> {
    return this.call('resolveConflict', { id }, undefined, body);
  }

  /** Master only: lets the held mass deletion up to `version` reach the replicas. */
  approveDeletion(id: string, version: number): Promise<ResponseOf<'approveDeletion'>> {
    return this.call('approveDeletion', { id }, undefined, { version });
  }

  /** Master only: puts back the files the held deletion up to `version` removed. */
  rejectDeletion(id: string, version: number): Promise<ResponseOf<'rejectDeletion'>> {
    return this.call('rejectDeletion', { id }, undefined, { version });
  }

  async peers(): Promise<Peer[]> {
    return (await this.call('peers', undefined)).peers;
  }

  addPeer(body: AddPeer): Promise<ResponseOf<'addPeer'>> {
    return this.call('addPeer', undefined, undefined, body);
  }

  async removePeer(deviceId: string): Promise<void> {
    await this.call('removePeer', { deviceId });
  }

  /** Renames this device and/or sets the address other devices connect to. */
  updateDevice(body: DevicePatch): Promise<ResponseOf<'updateDevice'>> {
    return this.call('updateDevice', undefined, undefined, body);
  }

  /** Paired devices and devices heard on the LAN. */
  devices(): Promise<ResponseOf<'devices'>> {
    return this.call('devices', undefined);
  }

  /** Opens a pairing invite (replacing an open one): its code, expiry and QR code. */
  createInvite(body: BodyInputOf<'createInvite'> = {}): Promise<ResponseOf<'createInvite'>> {
    return this.call('createInvite', undefined, undefined, body);
  }

  inviteStatus(): Promise<ResponseOf<'inviteStatus'>> {
    return this.call('inviteStatus', undefined);
  }

  cancelInvite(): Promise<ResponseOf<'cancelInvite'>> {
    return this.call('cancelInvite', undefined);
  }

  /** Pairs with the device that shows this code (at `address`, or found on the LAN). */
  joinPairing(body: BodyInputOf<'joinPairing'>): Promise<ResponseOf<'joinPairing'>> {
    return this.call('joinPairing', undefined, undefined, body);
  }

  /** Folders masters have offered to this device. */
  offers(): Promise<ResponseOf<'offers'>> {
    return this.call('offers', undefined);
  }

  /** Accepts an offered folder as a replica at `path` (absolute, on the daemon's machine). */
  acceptOffer(folderId: string, path: string): Promise<ResponseOf<'acceptOffer'>> {
    return this.call('acceptOffer', { id: folderId }, undefined, { path });
  }

  /**
   * Calls `onEvent` for every live event until the returned function is called. A lost
   * connection is retried with a growing delay (bounded by `reconnect.maxMs`); after each
   * reconnection the first event is a fresh status.
   */
  subscribe(onEvent: (event: ApiEvent) => void, options: SubscribeOptions = {}): () => void {
    const Ctor =
      this.options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Ctor) throw new Error('No WebSocket implementation: pass one as options.WebSocket');
    const { minMs, maxMs } = this.options.reconnect ?? { minMs: 250, maxMs: 10_000 };
    const url = `${this.baseUrl.replace(/^http/, 'ws')}${EVENTS_PATH}?token=${encodeURIComponent(this.options.token)}`;
    let socket: WebSocketLike | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let delay = minMs;
    let stopped = false;
    let connected = false;
    const connect = (): void => {
      const ws = new Ctor(url);
      socket = ws;
      ws.onopen = () => {
        delay = minMs;
        connected = true;
        options.onConnection?.(true);
      };
      ws.onmessage = (e: { data: unknown }) => {
        if (typeof e.data !== 'string') return;
        let json: unknown;
        try {
          json = JSON.parse(e.data);
        } catch {
          return;
        }
        const parsed = ApiEventSchema.safeParse(json);
        if (parsed.success) onEvent(parsed.data); // unknown (newer) events are skipped
      };
      ws.onerror = () => undefined; // a close follows
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = undefined;
        if (connected) options.onConnection?.(false);
        connected = false;
        if (stopped) return;
        timer = setTimeout(connect, delay);
        delay = Math.min(maxMs, delay * 2);
      };
    };
    connect();
    return () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      const ws = socket;
      socket = undefined;
      ws?.close(1000, 'unsubscribed');
    };
  }

  /** Sends one request of the contract and parses its answer with the endpoint's schema. */
  private async call<N extends EndpointName>(
    name: N,
    params: Record<string, string | number> | undefined,
    query?: Query,
    body?: BodyInputOf<N>,
  ): Promise<ResponseOf<N>> {
    const def = endpoints[name];
    const path = def.path.replace(/:([A-Za-z]+)/g, (_m, key: string) => {
      const value = params?.[key];
      return encodeURIComponent(String(value ?? ''));
    });
    const search = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) search.set(k, String(v));
    const qs = search.toString();
    const headers: Record<string, string> = { Authorization: `Bearer ${this.options.token}` };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}${qs ? `?${qs}` : ''}`, {
        method: def.method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new LanfoldApiError(
        0,
        'NETWORK',
        `Cannot reach the Lanfold daemon at ${this.baseUrl}: ${err instanceof Error ? err.message : String(err)}`,
        'check that it is running (`lanfold start`)',
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const parsed = ApiErrorBodySchema.safeParse(json);
      if (parsed.success) {
        const { code, message, hint } = parsed.data.error;
        throw new LanfoldApiError(res.status, code, message, hint);
      }
      throw new LanfoldApiError(res.status, 'HTTP_ERROR', `The daemon answered ${res.status}`);
    }
    const schema: z.ZodType = def.response;
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new LanfoldApiError(
        res.status,
        'BAD_RESPONSE',
        `The daemon's answer to ${def.method} ${def.path} does not match the contract: ${parsed.error.issues[0]?.message ?? ''}`,
        'the daemon and this client are from different Lanfold versions',
      );
    }
    // The schema is this endpoint's response schema: its output is ResponseOf<N>.
    return parsed.data as ResponseOf<N>;
  }
}
