/** Helpers of the two-phase commit tests: one-batch changes on a master, its history as JSON. */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DownstreamReport, TxRecord } from '../../main/engine/twophase/tx-store.js';
import { clusterCli, type ClusterDevice } from './cluster.js';
import { makeTempDir } from './temp.js';

export interface HistoryJson {
  readonly head: number;
  readonly versions: readonly {
    seq: number;
    method: string;
    twoPhase: TxRecord[];
    /** What relays reported of the replicas below them. */
    downstream: DownstreamReport[];
  }[];
}

/** Writes several files outside the folder and renames them in within milliseconds: one batch, one version. */
export function writeBatch(root: string, files: Record<string, string>): void {
  const outside = makeTempDir('lanfold-batch-');
  const names = Object.keys(files);
  names.forEach((rel, i) => writeFileSync(path.join(outside, String(i)), files[rel]!));
  names.forEach((rel, i) => renameSync(path.join(outside, String(i)), path.join(root, rel)));
}

export async function historyJson(device: ClusterDevice, limit = 10): Promise<HistoryJson> {
  return JSON.parse(
    await clusterCli(device.state, [
      'history',
      device.folderId,
      '--json',
      '--limit',
      String(limit),
    ]),
  ) as HistoryJson;
}

/** The two-phase attempts that delivered (or tried to deliver) `version`. */
export async function attemptsOf(master: ClusterDevice, version: number): Promise<TxRecord[]> {
  return (await historyJson(master)).versions.find((v) => v.seq === version)?.twoPhase ?? [];
}

/** Two-phase log lines of every device (for failure messages). */
export function twoPhaseLog(devices: readonly ClusterDevice[]): string {
  const wanted = /vote|prepare|outcome|decided|commit|abort|delta|presumed|held/;
  return devices
    .map(
      (d) =>
        `--- ${d.name}\n` +
        d
          .logLines()
          .filter((l) => wanted.test(l.msg))
          .slice(-25)
          .map((l) => {
            const { level: _l, time, pid, msg, hostname: _h, ...rest } = l;
            return `${new Date(time).toISOString().slice(11, 23)} ${pid} ${msg} ${JSON.stringify(rest)}`;
          })
          .join('\n'),
    )
    .join('\n');
}
