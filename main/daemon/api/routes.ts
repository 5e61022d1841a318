/**
 * The control API's routes: the contract's endpoint table matched against request paths,
 * and one implementation per endpoint (the compiler checks that every endpoint has one and
 * that it returns the contract's response type).
 */
import path from 'node:path';
import type { z } from 'zod';
import {
  endpoints,
  type BodyOf,
  type EndpointDef,
  type EndpointName,
  type ParamsOf,
  type QueryOf,
  type ResponseOf,
} from '../../api/contract.js';
import type { Logger } from '../../engine/logger.js';
import type { ControlBackend } from './backend.js';
import type { ApiEventHub } from './event-hub.js';
import { decideHeld } from './deletions.js';
import { changes, diff, history, StateLister, versionDetail } from './history.js';
import { ApiHttpError, describeZodError } from './http.js';
import * as lan from './lan-routes.js';
import * as mutate from './mutations.js';
import * as resolve from './resolve.js';
import { Resolutions } from './resolve.js';
import {
  folderDetail,
  LagCache,
  peerList,
  replicaFacts,
  ReplicaSightings,
  status,
  type ViewContext,
} from './views.js';

export interface RouteInput<N extends EndpointName> {
  readonly params: ParamsOf<N>;
  readonly query: QueryOf<N>;
  readonly body: BodyOf<N>;
}

export type Implementations = {
  readonly [N in EndpointName]: (input: RouteInput<N>) => ResponseOf<N> | Promise<ResponseOf<N>>;
};

export interface RouteContext extends ViewContext {
  readonly logger: Logger;
}

/** Where a replica folder's keep choices are kept, in its data directory. */
export const RESOLUTIONS_FILE = 'resolutions.json';

export function createContext(
  backend: ControlBackend,
  hub: ApiEventHub,
  logger: Logger,
): RouteContext {
  return {
    backend,
    hub,
    logger,
    lags: new LagCache(),
    sightings: new ReplicaSightings(),
    resolutions: new Resolutions((id) =>
      path.join(backend.state.folderDataDir(id), RESOLUTIONS_FILE),
    ),
    listenAtStart: backend.state.device.listen,
  };
}

/** Every endpoint's implementation over the daemon (`ctx.backend`). */
export function implementations(ctx: RouteContext): Implementations {
  const { backend, hub } = ctx;
  const lister = new StateLister();
  return {
    status: () => status(ctx),
    folder: ({ params }) => folderDetail(ctx, params.id),
    history: ({ params, query }) =>
      history(backend, replicaFacts(ctx, params.id), params.id, query.limit, query.before),
    version: ({ params, query }) =>
      versionDetail(
        backend,
        replicaFacts(ctx, params.id),
        params.id,
        params.version,
        query.offset,
        query.limit,
      ),
    changes: ({ params, query }) =>
      changes(backend, params.id, query.from, query.to, query.offset, query.limit),
    diff: ({ params, query }) => diff(backend, params.id, query.from, query.to, query.path),
    files: ({ params, query }) =>
      lister.list(backend, params.id, query.version, query.prefix, query.offset, query.limit),
    addFolder: ({ body }) => mutate.addFolder(backend, hub, body),
    shareFolder: ({ params, body }) => mutate.shareFolder(backend, hub, params.id, body.deviceId),
    updateSettings: ({ params, body }) => mutate.updateSettings(backend, hub, params.id, body),
    restore: ({ params, body }) => mutate.restore(backend, params.id, body.path, body.version),
    pauseFolder: ({ params }) => mutate.setPaused(backend, hub, params.id, true),
    resumeFolder: ({ params }) => mutate.setPaused(backend, hub, params.id, false),
    pauseAll: () => mutate.setPaused(backend, hub, undefined, true),
    resumeAll: () => mutate.setPaused(backend, hub, undefined, false),
    resolveLocalChange: ({ params, body }) =>
      resolve.localChange(ctx, params.id, body.path, body.action),
    resolveConflict: ({ params, body }) =>
      resolve.conflict(ctx, params.id, body.keptAs, body.action),
    approveDeletion: ({ params, body }) => decideHeld(ctx, params.id, body.version, 'approve'),
    rejectDeletion: ({ params, body }) => decideHeld(ctx, params.id, body.version, 'reject'),
    peers: () => ({ peers: peerList(backend) }),
    addPeer: ({ body }) => mutate.addPeer(backend, hub, body),
    removePeer: ({ params }) => mutate.removePeer(backend, hub, params.deviceId),
    updateDevice: ({ body }) => mutate.updateDevice(ctx, body),
    devices: () => lan.devices(backend),
    createInvite: ({ body }) => lan.createInvite(backend, body.ttlSeconds),
    inviteStatus: () => lan.inviteStatus(backend),
    cancelInvite: () => lan.cancelInvite(backend),
    joinPairing: ({ body }) => lan.joinPairing(backend, hub, body),
    offers: () => lan.offers(backend),
    acceptOffer: ({ params, body }) => lan.acceptOffer(backend, hub, params.id, body.path),
  };
}

export interface RouteMatch {
  readonly name: EndpointName;
  readonly def: EndpointDef;
  readonly params: Record<string, string>;
}

const table = (Object.keys(endpoints) as EndpointName[]).map((name) => {
  const def: EndpointDef = endpoints[name];
  return { name, def, segments: def.path.split('/') };
});

/**
 * The endpoint for a method and path: a match, `{allowed}` when the path exists with other
 * methods only, or undefined. Path segments are URL-decoded; a bad escape is a 400.
 */
export function matchRoute(
  method: string,
  pathname: string,
): RouteMatch | { allowed: string[] } | undefined {
  const parts = pathname.split('/');
  const allowed: string[] = [];
  for (const route of table) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const want = route.segments[i]!;
      const got = parts[i]!;
      if (want.startsWith(':')) {
        try {
          params[want.slice(1)] = decodeURIComponent(got);
        } catch {
          throw new ApiHttpError('BAD_REQUEST', `Bad escape in the path segment "${got}"`);
        }
        ok = got !== '';
      } else ok = want === got;
    }
    if (!ok) continue;
    if (route.def.method === method) return { name: route.name, def: route.def, params };
    allowed.push(route.def.method);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}

function parsePart(schema: z.ZodType | undefined, value: unknown, where: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw describeZodError(where, parsed.error);
  return parsed.data;
}

/** Validates a request's parts against the endpoint's schemas and runs its implementation. */
export async function runRoute(
  impl: Implementations,
  match: RouteMatch,
  query: URLSearchParams,
  body: unknown,
): Promise<unknown> {
  const { def } = match;
  if (def.body && body === undefined) {
    throw new ApiHttpError('BAD_REQUEST', 'This request needs a JSON body', 'see docs/api.md');
  }
  if (!def.body && body !== undefined) {
    throw new ApiHttpError('BAD_REQUEST', 'This request takes no body');
  }
  const queryObject: Record<string, string> = {};
  for (const [k, v] of query) {
    if (k in queryObject)
      throw new ApiHttpError('BAD_REQUEST', `Query parameter "${k}" is given twice`);
    queryObject[k] = v;
  }
  const input = {
    params: parsePart(def.params, match.params, 'path parameter'),
    query: def.query
      ? parsePart(def.query, queryObject, 'query parameter')
      : checkNoQuery(queryObject),
    body: parsePart(def.body, body, 'body'),
  };
  // The implementation for this name takes exactly the parts its schemas produce.
  const run = impl[match.name] as (input: unknown) => unknown;
  return def.response.parse(await run(input));
}

function checkNoQuery(query: Record<string, string>): undefined {
  const keys = Object.keys(query);
  if (keys.length > 0) {
    throw new ApiHttpError(
      'BAD_REQUEST',
      `Unknown query parameter "${keys[0]}"`,
      'see docs/api.md',
    );
  }
  return undefined;
}
