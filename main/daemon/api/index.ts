/** The control API's public surface for the rest of the daemon and the CLI. */
export { ApiServer, type ApiServerOptions } from './server.js';
export { ApiEventHub } from './event-hub.js';
export type { ControlBackend } from './backend.js';
export { loadOrCreateToken, readToken, requireToken } from './token.js';
