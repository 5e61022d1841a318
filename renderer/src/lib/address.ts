/** Checking a device address as a person types it (HOST:PORT, IPv6 in brackets). */

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** Why a typed address cannot be right (empty is fine: it is optional), or undefined. */
export function addressProblem(raw: string): string | undefined {
  const a = raw.trim();
  if (a === '' || ADDRESS.test(a)) return undefined;
  return 'Write the address as host:port, for example 192.168.1.20:47210.';
}

/** Why a typed listen address (required) cannot be right, or undefined. */
export function listenProblem(raw: string): string | undefined {
  const a = raw.trim();
  if (a === '') return 'Type the address to listen on, for example 0.0.0.0:47210.';
  if (!ADDRESS.test(a))
    return 'Write the address as host:port, for example 0.0.0.0:47210 (every network) or 192.168.1.20:47210.';
  if (Number(a.slice(a.lastIndexOf(':') + 1)) > 65535) return 'The port must be from 0 to 65535.';
  return undefined;
}
