/**
 * Pure pieces of bench/fanout.ts: parsing a size, the files that make up "the change", the
 * devices of a relay tree or a flat fleet, and CPU seconds from /proc/PID/stat. Nothing here
 * touches a process or the network.
 */

/** Parses `200MB`, `20MiB`, `1.5GB`, `512KiB` or a plain byte count (MB = 10^6, MiB = 2^20). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|KIB|MB|MIB|GB|GIB)?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: "${text}" (e.g. 200MB, 20MiB)`);
  const unit = (m[2] ?? 'B').toUpperCase();
  const mult: Record<string, number> = {
    B: 1,
    KB: 1e3,
    KIB: 1024,
    MB: 1e6,
    MIB: 1024 ** 2,
    GB: 1e9,
    GIB: 1024 ** 3,
  };
  const bytes = Math.round(Number(m[1]) * mult[unit]!);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`size out of range: "${text}"`);
  return bytes;
}

/** One file of the change: its path in the folder and its size. */
export interface ChangeFile {
  readonly rel: string;
  readonly size: number;
}

/**
 * The change of `total` bytes: one large binary file of half of it, and `mediumCount` medium
 * files sharing the other half (the last one takes the remainder). Sizes add up to `total`.
 */
export function changeFiles(total: number, mediumCount = 20): ChangeFile[] {
  if (!Number.isSafeInteger(total) || total < 2 * mediumCount)
    throw new Error(`a change of ${total} bytes is too small for ${mediumCount} medium files`);
  const big = Math.floor(total / 2);
  const rest = total - big;
  const each = Math.floor(rest / mediumCount);
  const files: ChangeFile[] = [{ rel: 'change/large.bin', size: big }];
  for (let i = 0; i < mediumCount; i++) {
    const size = i === mediumCount - 1 ? rest - each * (mediumCount - 1) : each;
    files.push({ rel: `change/medium/m${String(i + 1).padStart(2, '0')}.bin`, size });
  }
  return files;
}

/** A device of the bench fleet: who it follows, most preferred first (empty for the master). */
export interface FleetDevice {
  readonly name: string;
  readonly role: 'master' | 'relay' | 'leaf';
  /** Names of its upstreams, most preferred first. */
  readonly upstreams: readonly string[];
  /** Names of the devices it serves (its folder is shared with them). */
  readonly serves: readonly string[];
}

/**
 * `relays` relays under the master, `perRelay` leaves under each (each leaf lists its relay,
 * then the master, as in test/helpers/relay-tree.ts); with `relays` 0, `perRelay` leaves
 * straight under the master. The master shares the folder with every device (so a leaf can
 * fall back to it).
 */
export function fleetLayout(relays: number, perRelay: number): FleetDevice[] {
  const out: FleetDevice[] = [];
  const all: string[] = [];
  const leafNames = (prefix: string): string[] =>
    Array.from({ length: perRelay }, (_, i) => `${prefix}leaf${String(i + 1).padStart(2, '0')}`);
  if (relays === 0) {
    const leaves = leafNames('');
    for (const l of leaves) out.push({ name: l, role: 'leaf', upstreams: ['master'], serves: [] });
    all.push(...leaves);
  } else {
    for (let r = 1; r <= relays; r++) {
      const relay = `relay${r}`;
      const leaves = leafNames(`${relay}-`);
      out.push({ name: relay, role: 'relay', upstreams: ['master'], serves: leaves });
      for (const l of leaves)
        out.push({ name: l, role: 'leaf', upstreams: [relay, 'master'], serves: [] });
      all.push(relay, ...leaves);
    }
  }
  return [{ name: 'master', role: 'master', upstreams: [], serves: all }, ...out];
}

/** User + system CPU seconds from the text of /proc/PID/stat (all threads of the process). */
export function cpuSecondsFromStat(stat: string, ticksPerSecond = 100): number {
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error('not a /proc/PID/stat line');
  const fields = stat
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error('no utime/stime');
  return (utime + stime) / ticksPerSecond;
}
