/** Formatting numbers, sizes, times and versions the way the UI shows them (en-US grouping). */

const count = new Intl.NumberFormat('en-US');

export function formatCount(n: number): string {
  return count.format(n);
}

/** A version number as users read it: "v1,234". */
export function formatVersion(v: number): string {
  return `v${count.format(v)}`;
}

/** "1 file" / "3 files". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count.format(n)} ${n === 1 ? one : many}`;
}

/** Decimal units (kB, MB, GB), as file managers show them: "1.2 MB". */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 999.95 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 100 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A transfer rate: "3.4 MB/s". */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(Math.round(bytesPerSecond))}/s`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const timeOnly = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A moment: the time alone when it is today, else date and time. */
export function formatTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  return new Date(now).toDateString() === d.toDateString()
    ? timeOnly.format(d)
    : dateTime.format(d);
}

/** The full date and time (for tooltips and the version detail). */
export function formatDateTime(ms: number): string {
  return dateTime.format(new Date(ms));
}

/** "just now", "5 min ago", "3 h ago", "2 days ago". */
export function formatAgo(ms: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 10) return 'just now';
  if (s < 60) return `${s} s ago`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} days ago`;
}

/** A device ID shortened for display: its first seven characters, as Syncthing does. */
export function shortDeviceId(id: string): string {
  return id.slice(0, 7);
}

/** A device ID in groups of four, for reading aloud or comparing. */
export function groupedDeviceId(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, '').replace(/(.{4})(?!$)/g, '$1-');
}
