/** Checking a device address as a person types it (HOST:PORT, IPv6 in brackets). */

const ADDRESS = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

/** Why a typed address cannot be right (empty is fine: it is optional), or undefined. */
export function addressProblem(raw: string): string | undefined {
  const a = raw.trim();
  if (a === '' || ADDRESS.test(a)) return undefined;
  return 'Write the address as host:port, for example 192.168.1.20:47210.';
}
