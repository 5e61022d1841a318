/**
 * Who may talk to the control API: requests must name this server in Host (no DNS
 * rebinding), carry no foreign Origin (no other web page may drive the daemon), and present
 * the token — as `Authorization: Bearer` or, for the WebSocket (browsers cannot set headers
 * there), as `?token=` on the upgrade request. Pure functions over header values.
 */
import { tokenMatches } from './token.js';

/** Loopback hosts the API may listen on. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/** The origins (scheme://host:port) that are this server. */
export function ownOrigins(port: number, boundHost: string): Set<string> {
  const hosts = new Set(['127.0.0.1', 'localhost', '[::1]']);
  const bound =
    boundHost.includes(':') && !boundHost.startsWith('[') ? `[${boundHost}]` : boundHost;
  hosts.add(bound.toLowerCase());
  return new Set([...hosts].map((h) => `http://${h}:${port}`));
}

/** True when the Host header names this server (so a rebound DNS name is refused). */
export function hostAllowed(host: string | undefined, origins: ReadonlySet<string>): boolean {
  return host !== undefined && origins.has(`http://${host.toLowerCase()}`);
}

/** True when there is no Origin (not a browser, or a same-origin GET) or it is this server. */
export function originAllowed(origin: string | undefined, origins: ReadonlySet<string>): boolean {
  return origin === undefined || origins.has(origin.toLowerCase());
}

/** The token of an `Authorization: Bearer TOKEN` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1];
}

/** True when the request carries the right token (header, or `?token=` when allowed). */
export function authorized(
  headers: { authorization?: string | undefined },
  url: URL,
  token: string,
  allowQueryToken: boolean,
): boolean {
  const presented =
    bearerToken(headers.authorization) ??
    (allowQueryToken ? (url.searchParams.get('token') ?? undefined) : undefined);
  return tokenMatches(presented, token);
}
