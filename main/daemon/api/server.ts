/**
 * The control API server: HTTP and a WebSocket on a loopback address, for the UI and for
 * scripts. Every request passes the access rules (access.ts) first; /api/* is JSON checked
 * against the contract, /api/events is the live event stream, anything else is a file of
 * the renderer build. docs/api.md describes it for clients.
 */
import {
  createServer,
  STATUS_CODES,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PATH } from '../../api/contract.js';
import { LanfoldError } from '../../engine/errors.js';
import type { Logger } from '../../engine/logger.js';
import { splitHostPort } from '../config.js';
import { authorized, hostAllowed, isLoopbackHost, originAllowed, ownOrigins } from './access.js';
import type { ControlBackend } from './backend.js';
import type { ApiEventHub } from './event-hub.js';
import {
  ApiHttpError,
  errorReply,
  readJsonBody,
  sendError,
  sendJson,
  setSecurityHeaders,
} from './http.js';
import {
  createContext,
  implementations,
  matchRoute,
  runRoute,
  type Implementations,
} from './routes.js';
import { HeldWatch } from './held-watch.js';
import { defaultRendererDir, serveStatic } from './static-files.js';
import { status } from './views.js';

export interface ApiServerOptions {
  readonly backend: ControlBackend;
  readonly hub: ApiEventHub;
  readonly token: string;
  readonly logger: Logger;
  /** The renderer build to serve (default: renderer/dist of this package). */
  readonly staticDir?: string;
}

/** A client that does not read its events is dropped beyond this much unsent data. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

export class ApiServer {
  private readonly http: Server;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly impl: Implementations;
  private readonly staticDir: string;
  private origins: ReadonlySet<string> = new Set();
  private address: { host: string; port: number } | undefined;
  private readonly heldWatch: HeldWatch;

  constructor(private readonly options: ApiServerOptions) {
    const ctx = createContext(options.backend, options.hub, options.logger);
    this.impl = implementations(ctx);
    this.staticDir = options.staticDir ?? defaultRendererDir();
    this.http = createServer((req, res) => void this.onRequest(req, res));
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(req, socket, head),
    );
    this.http.on('clientError', (_err, socket) => socket.destroy());
    options.hub.setSnapshotSource(() => status(ctx));
    this.heldWatch = new HeldWatch(options.backend, options.hub);
  }

  /** HOST:PORT it listens on (the real port when 0 was asked for). */
  get listening(): string | undefined {
    if (!this.address) return undefined;
    const { host, port } = this.address;
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  get port(): number {
    return this.address?.port ?? 0;
  }

  /** Listens on a loopback HOST:PORT (port 0: the system picks a free port). */
  async listen(address: string): Promise<number> {
    const { host, port } = splitHostPort(address);
    if (!isLoopbackHost(host)) {
      throw new LanfoldError(
        'BAD_CONFIG',
        `The control API listens only on this computer (127.0.0.1), not on ${host}`,
        'set the GUI address to 127.0.0.1:PORT (`lanfold start --gui 127.0.0.1:PORT`)',
      );
    }
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(port, host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    const bound = this.http.address();
    const actual = typeof bound === 'object' && bound ? bound.port : port;
    this.address = { host, port: actual };
    this.origins = ownOrigins(actual, host);
    this.options.logger.info({ host, port: actual }, 'control API listening');
    return actual;
  }

  async close(): Promise<void> {
    this.heldWatch.close();
    this.options.hub.setSnapshotSource(undefined);
    for (const ws of this.wss.clients) ws.close(1001, 'the daemon is stopping');
    this.wss.close();
    await new Promise<void>((resolve) => {
      if (!this.http.listening) return resolve();
      this.http.close(() => resolve());
      this.http.closeAllConnections();
    });
    for (const ws of this.wss.clients) ws.terminate();
  }

  /** The access rules every request passes; the reason it fails, or undefined. */
  private refusal(
    req: IncomingMessage,
    url: URL,
    allowQueryToken: boolean,
  ): ApiHttpError | undefined {
    if (!hostAllowed(req.headers.host, this.origins)) {
      return new ApiHttpError('FORBIDDEN', `Host "${req.headers.host ?? ''}" is not this server`);
    }
    if (!originAllowed(req.headers.origin, this.origins)) {
      return new ApiHttpError(
        'FORBIDDEN',
        `Requests from ${req.headers.origin ?? '?'} are refused`,
        'only pages served by the daemon itself may use this API',
      );
    }
    if (
      url.pathname.startsWith('/api/') &&
      !authorized(req.headers, url, this.options.token, allowQueryToken)
    ) {
      return new ApiHttpError(
        'UNAUTHORIZED',
        'Missing or wrong access token',
        'send Authorization: Bearer TOKEN; `lanfold gui-url` prints a signed-in address',
      );
    }
    return undefined;
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    try {
      const raw = req.url ?? '';
      if (!raw.startsWith('/')) throw new ApiHttpError('BAD_REQUEST', 'Bad request target');
      const url = new URL(`http://server${raw}`);
      const refused = this.refusal(req, url, false);
      if (refused) {
        if (refused.code === 'UNAUTHORIZED') res.setHeader('WWW-Authenticate', 'Bearer');
        req.resume();
        return sendError(res, refused);
      }
      if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
        await this.onApi(req, res, url);
      } else {
        req.resume();
        serveStatic(req, res, this.staticDir, url.pathname);
      }
    } catch (err) {
      const { status } = errorReply(err);
      if (status === 500)
        this.options.logger.error({ err, url: req.url }, 'control API request failed');
      req.resume();
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    }
  }

  private async onApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = matchRoute(req.method ?? '', url.pathname);
    if (!match)
      throw new ApiHttpError('NOT_FOUND', `No endpoint ${url.pathname}`, 'see docs/api.md');
    if ('allowed' in match) {
      res.setHeader('Allow', match.allowed.join(', '));
      throw new ApiHttpError(
        'METHOD_NOT_ALLOWED',
        `${req.method ?? '?'} is not allowed on ${url.pathname}`,
      );
    }
    const body = await readJsonBody(req);
    const result = await runRoute(this.impl, match, url.searchParams, body);
    sendJson(res, match.def.status ?? 200, result);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const reject = (err: ApiHttpError): void => {
      const body = JSON.stringify(errorReply(err).body);
      socket.end(
        `HTTP/1.1 ${err.status} ${STATUS_CODES[err.status] ?? ''}\r\n` +
          'Content-Type: application/json; charset=utf-8\r\n' +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    };
    const raw = req.url ?? '';
    if (!raw.startsWith('/')) return reject(new ApiHttpError('BAD_REQUEST', 'Bad request target'));
    const url = new URL(`http://server${raw}`);
    const refused = this.refusal(req, url, true);
    if (refused) return reject(refused);
    if (url.pathname !== EVENTS_PATH) {
      return reject(
        new ApiHttpError('NOT_FOUND', `No WebSocket at ${url.pathname}`, `use ${EVENTS_PATH}`),
      );
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onClient(ws));
  }

  private onClient(ws: WebSocket): void {
    const { hub, logger } = this.options;
    const send = (text: string): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        logger.warn({}, 'an API client does not keep up with its events; dropping it');
        ws.terminate();
        return;
      }
      ws.send(text);
    };
    const unsubscribe = hub.subscribe((text) => send(text));
    ws.on('close', unsubscribe);
    ws.on('error', (err) => logger.debug({ err }, 'API WebSocket error'));
    ws.on('message', () => undefined); // clients have nothing to say; ignored
    try {
      const first = hub.statusEvent();
      if (first) send(JSON.stringify(first));
    } catch (err) {
      logger.warn({ err }, 'building the first status event failed');
    }
  }
}
