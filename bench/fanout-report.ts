/**
 * The table and JSON of bench/fanout.ts: one row per configuration (Lanfold through relays,
 * Lanfold flat, rsync one after another and all at once), with ratios to rsync and to the
 * size of the change.
 */
import { fmt, formatTable } from './lib.js';

/** One Lanfold configuration, measured. */
export interface ConfigResult {
  readonly config: 'relays' | 'flat';
  readonly devices: number;
  readonly relays: number;
  readonly leaves: number;
  /** Writing the change on the master (part of `seconds`). */
  readonly writeSeconds: number;
  /** From the start of the write until the last leaf holds every file of the change. */
  readonly seconds: number | null;
  readonly firstLeafSeconds: number | null;
  /** When each relay held the whole change (same origin). */
  readonly relaySeconds: readonly (number | null)[];
  readonly leafSeconds: readonly (number | null)[];
  /** Versions the master made of the change. */
  readonly versions: number;
  /** Frame bytes the master daemon sent over all its links during the change. */
  readonly masterBytesOut: number;
  readonly relayBytesOut: readonly number[];
  readonly leafBytesOut: number;
  /** Replicas subscribed to the master afterwards (its daemon.json). */
  readonly masterSubscribers: number;
  /** User + system CPU seconds per group of daemons during the change. */
  readonly cpu: { master: number; relays: number; leaves: number };
  readonly peakRssMiB: { master: number | null; maxOther: number };
  /** Every replica's copy of the change matched by SHA-256, and nothing timed out. */
  readonly verified: boolean;
  readonly settled: boolean;
  readonly note: string;
}

export interface RsyncResult {
  readonly destinations: number;
  readonly writeSeconds: number;
  /** Write + the runs one after another. */
  readonly seconds: number;
  readonly syncSeconds: number;
  readonly bytesSent: number;
  readonly clientCpu: number;
  /** The runs all at once (no write; the data in the page cache). */
  readonly parallelSeconds: number;
  readonly parallelBytesSent: number;
  readonly verified: boolean;
  readonly note: string;
}

export interface FanoutMeta {
  readonly date: string;
  readonly revision: string;
  readonly command: string;
  readonly load: readonly [number, number];
  readonly psi: readonly [number | null, number | null];
  readonly totalSeconds: number;
  readonly changeBytes: number;
  readonly changeFiles: number;
  readonly rsync: RsyncResult | null;
  readonly configs: readonly ConfigResult[];
}

export function fanoutReport(meta: FanoutMeta): { text: string; json: unknown } {
  const S = meta.changeBytes;
  const rs = meta.rsync;
  const ratio = (a: number | null | undefined, b: number | null | undefined): string =>
    a != null && b != null && b > 0 ? `${fmt(a / b, 2)}×` : '–';
  const rows: string[][] = [
    [
      'configuration',
      'time s',
      '÷ rsync',
      'master sent MB',
      '÷ change',
      'CPU s master / relays / leaves',
      'verified',
      'note',
    ],
  ];
  for (const c of meta.configs) {
    rows.push([
      c.config === 'relays'
        ? `Lanfold 1 → ${c.relays} relays → ${c.leaves}`
        : `Lanfold 1 → ${c.leaves} (flat)`,
      fmt(c.seconds),
      ratio(c.seconds, rs?.seconds),
      fmt(c.masterBytesOut / 1e6),
      ratio(c.masterBytesOut, S),
      `${fmt(c.cpu.master)} / ${c.relays ? fmt(c.cpu.relays) : '–'} / ${fmt(c.cpu.leaves)}`,
      c.verified ? 'yes' : 'NO',
      c.note,
    ]);
  }
  if (rs) {
    rows.push([
      `rsync daemon ×${rs.destinations}, one after another`,
      fmt(rs.seconds),
      '1.0×',
      fmt(rs.bytesSent / 1e6),
      ratio(rs.bytesSent, S),
      `clients ${fmt(rs.clientCpu)}`,
      rs.verified ? 'yes' : 'NO',
      `+ sync ${fmt(rs.syncSeconds)} s; write ${fmt(rs.writeSeconds)} s included`,
    ]);
    rows.push([
      `rsync daemon ×${rs.destinations}, all at once`,
      fmt(rs.parallelSeconds),
      ratio(rs.parallelSeconds, rs.seconds),
      fmt(rs.parallelBytesSent / 1e6),
      ratio(rs.parallelBytesSent, S),
      '',
      '',
      'runs only (no write)',
    ]);
  }
  const detail: string[][] = [
    [
      'configuration',
      'write s',
      'first leaf s',
      'relays s',
      'versions',
      'master subscribers',
      'relays sent MB',
      'peak RSS MiB master / max other',
    ],
  ];
  for (const c of meta.configs)
    detail.push([
      c.config,
      fmt(c.writeSeconds),
      fmt(c.firstLeafSeconds),
      c.relaySeconds.map((x) => fmt(x)).join(' '),
      String(c.versions),
      String(c.masterSubscribers),
      c.relayBytesOut.map((x) => fmt(x / 1e6)).join(' '),
      `${fmt(c.peakRssMiB.master)} / ${fmt(c.peakRssMiB.maxOther)}`,
    ]);
  const text = [
    `Lanfold fanout benchmark, ${meta.date.slice(0, 16).replace('T', ' ')} UTC, revision ${meta.revision}`,
    `change: ${fmt(S / 1e6)} MB in ${meta.changeFiles} files (one large, the rest medium; random bytes)`,
    `load average ${meta.load[0]} before, ${meta.load[1]} after; CPU pressure (PSI some avg60) ${meta.psi[0] ?? '–'}% → ${meta.psi[1] ?? '–'}%`,
    `command: ${meta.command}`,
    '',
    formatTable(rows),
    '',
    formatTable(detail),
    '',
    'time s: Lanfold from the start of writing the change on the master until the last replica',
    '  (leaf) holds every file of it at its size (renamed into place after the replica verified',
    '  each chunk); every copy is then checked by SHA-256 against the bytes written ("verified").',
    '  rsync: writing the change, then one `rsync -a` per destination through an rsync daemon on',
    '  127.0.0.1; rsync does not fsync (Lanfold does): "+ sync" is the `sync` after it.',
    'master sent: frame bytes the master daemon handed to TLS on all its links during the change',
    '  (daemon.json `wire.bytesOut`; TLS adds ~22 B per 16 KiB record, +0.13%); rsync: the',
    '  senders\' "Total bytes sent".',
    'CPU s: user + system of each daemon process (/proc/PID/stat) over the change, summed per group.',
    `total ${fmt(meta.totalSeconds)} s`,
  ].join('\n');
  const json = {
    benchmark: 'fanout',
    date: meta.date,
    revision: meta.revision,
    command: meta.command,
    loadAverage: { before: meta.load[0], after: meta.load[1] },
    cpuPressureAvg60: { before: meta.psi[0], after: meta.psi[1] },
    totalSeconds: Math.round(meta.totalSeconds),
    changeBytes: S,
    changeFiles: meta.changeFiles,
    rsync: meta.rsync,
    configs: meta.configs,
    ratios: Object.fromEntries(
      meta.configs.map((c) => [
        c.config,
        {
          timeOverRsync: c.seconds !== null && rs ? c.seconds / rs.seconds : null,
          masterBytesOverChange: c.masterBytesOut / S,
        },
      ]),
    ),
  };
  return { text, json };
}
