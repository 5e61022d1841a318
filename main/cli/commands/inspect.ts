/** `lanfold status|history|show|diff`: reading a folder's version log, with or without a running daemon. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DeviceState } from '../../daemon/device.js';
import { lockHolder } from '../../daemon/lock.js';
import type { FolderConfig } from '../../daemon/config.js';
import type { Entry, VersionInfo } from '../../engine/entry.js';
import { LanfoldError } from '../../engine/errors.js';
import { readEntryContent } from '../../engine/history-content.js';
import { toRelPath } from '../../engine/relpath.js';
import { ContentStore } from '../../engine/store/content-store.js';
import { VersionLog } from '../../engine/store/version-log.js';
import type { CoordinatorStatus } from '../../engine/twophase/coordinator.js';
import { TxStore } from '../../engine/twophase/tx-store.js';
import { diffBuffers, formatUnified } from '../../engine/text-diff.js';
import { formatDeviceId, type DeviceId } from '../../transport/identity.js';
import { formatBytes, formatCount, formatTime, table } from '../format.js';
import { parsePositiveInt, print, printJson, stateDirOf } from '../context.js';

const MAX_DIFF_BYTES = 64 * 1024 * 1024;

interface ReplicaRuntime {
  readonly role: 'replica';
  readonly upstreamVersion: number;
  readonly connected: boolean;
  readonly syncing: boolean;
  readonly lastError: string | null;
  readonly conflicts: readonly { path: string; keptAs: string }[];
  readonly localChanges: readonly { path: string; kind: string }[];
  /** The device followed now (absent from daemons before relays). */
  readonly upstream?: string | null;
  readonly relay?: boolean;
  readonly replicas?: readonly { deviceId: string; name: string; acked: number }[];
  /** A relay's two-phase commit on the hop below it. */
  readonly twoPhase?: CoordinatorStatus | null;
  /** Absent in the status of daemons older than the atomic view. */
  readonly atomicView?: boolean;
}

interface MasterRuntime {
  readonly role: 'master';
  readonly replicas: readonly { deviceId: string; name: string; acked: number }[];
  readonly error: string | null;
  readonly twoPhase?: CoordinatorStatus | null;
}

interface RuntimeInfo {
  readonly folderErrors?: Record<string, string>;
  readonly folders?: Record<string, ReplicaRuntime | MasterRuntime>;
  readonly peers?: readonly { deviceId: string; name: string; connected: boolean }[];
}

/** Lines under a folder's row: replication state from the running daemon. */
function runtimeLines(version: number, r: ReplicaRuntime | MasterRuntime | undefined): string[] {
  if (!r) return [];
  const served = (replicas: NonNullable<ReplicaRuntime['replicas']>): string[] =>
    replicas.map(
      (x) =>
        `    replica ${x.name || x.deviceId.slice(0, 8)}: v${x.acked}${x.acked >= version ? ' (in sync)' : `, ${version - x.acked} version(s) behind`}`,
    );
  if (r.role === 'master') {
    const lines = twoPhaseLines(r.twoPhase ?? undefined, r.replicas);
    if (r.replicas.length === 0) return ['    no replica connected', ...lines];
    return [...served(r.replicas), ...lines];
  }
  const via = r.upstream ? ` (following ${r.upstream.slice(0, 8)})` : '';
  const lines = [
    `    upstream ${r.connected ? 'connected' : 'offline'}${via}, at v${r.upstreamVersion}${r.syncing ? ', syncing' : version >= r.upstreamVersion ? ', in sync' : ', behind'}`,
  ];
  if (r.relay) {
    lines.push(`    relay: serving ${r.replicas?.length ?? 0} replica(s)`);
    lines.push(...served(r.replicas ?? []));
    lines.push(...twoPhaseLines(r.twoPhase ?? undefined, r.replicas ?? []));
  }
  if (r.atomicView) lines.push('    atomic view: on (the folder is a link to the current version)');
  if (r.lastError) lines.push(`    last error: ${r.lastError}`);
  for (const c of r.localChanges.slice(0, 10))
    lines.push(`    local change (${c.kind}): ${c.path}`);
  if (r.localChanges.length > 10)
    lines.push(`    ... and ${r.localChanges.length - 10} more local changes`);
  for (const c of r.conflicts.slice(-10)) lines.push(`    conflict: ${c.path} kept as ${c.keptAs}`);
  return lines;
}

/** What holds two-phase delivery back on a master: a held deletion, or the replicas that refused. */
function twoPhaseLines(
  t: CoordinatorStatus | undefined,
  replicas: readonly { deviceId: string; name: string }[],
): string[] {
  if (!t) return [];
  const name = (id: string) => replicas.find((r) => r.deviceId === id)?.name || id.slice(0, 8);
  const lines: string[] = [];
  if (t.held)
    lines.push(
      `    held deletion: v${t.held.version} waits for approval (${t.held.reason}); run \`lanfold approve\` or \`lanfold reject\``,
    );
  if (t.preparing)
    lines.push(
      `    two-phase v${t.preparing.version}: ${t.preparing.voted.length} of ${t.preparing.participants.length} vote(s) in`,
    );
  if (t.blocked) {
    lines.push(
      `    two-phase v${t.blocked.version} aborted (${t.blocked.attempt} time(s)); retry at ${formatTime(t.blocked.retryAt)}; blocked by:`,
    );
    for (const b of t.blocked.blockers) lines.push(`      ${name(b.replica)}: ${b.reason}`);
  }
  return lines;
}

function openLog(state: DeviceState, folder: FolderConfig): VersionLog | undefined {
  const file = path.join(state.folderDataDir(folder.id), 'log.db');
  return existsSync(file) ? new VersionLog(file, { readonly: true }) : undefined;
}

function withLog<T>(
  state: DeviceState,
  folderId: string,
  use: (log: VersionLog, folder: FolderConfig) => T,
): T {
  const folder = state.folder(folderId);
  const log = openLog(state, folder);
  if (!log)
    throw new LanfoldError(
      'VERSION_UNKNOWN',
      `Folder "${folderId}" has no versions yet`,
      'start the daemon (`lanfold start`) to scan it',
    );
  try {
    return use(log, folder);
  } finally {
    log.close();
  }
}

function checkVersion(log: VersionLog, seq: number): VersionInfo {
  const v = log.version(seq);
  if (!v)
    throw new LanfoldError(
      'VERSION_UNKNOWN',
      `Version ${seq} does not exist (the latest is ${log.head()})`,
    );
  return v;
}

function versionLine(v: VersionInfo): string[] {
  return [
    `v${v.seq}`,
    formatTime(v.createdAt),
    v.method,
    String(v.changes),
    formatBytes(v.bytes),
    v.origin,
    v.reason,
  ];
}

function entryJson(e: Entry) {
  return {
    path: e.path,
    op: e.op,
    kind: e.kind,
    size: e.size,
    mtimeMs: e.mtimeMs,
    mode: e.mode,
    hash: e.hash,
    target: e.target,
    movedFrom: e.movedFrom,
    chunks: e.chunks?.count ?? 0,
  };
}

function describeOp(e: Entry): string {
  switch (e.op) {
    case 'move':
      return `${e.movedFrom ?? '?'} -> ${e.path}`;
    case 'delete':
      return e.path;
    default:
      return e.kind === 'symlink'
        ? `${e.path} -> ${e.target ?? ''}`
        : e.kind === 'dir'
          ? `${e.path}/`
          : e.path;
  }
}

export function registerInspect(program: Command): void {
  program
    .command('status')
    .description('show the device, the daemon and every folder')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }, cmd: Command) => {
      const state = DeviceState.open(stateDirOf(cmd));
      const pid = lockHolder(state.paths.lock);
      let runtime: RuntimeInfo = {};
      if (pid !== undefined) {
        try {
          runtime = JSON.parse(readFileSync(state.paths.runtime, 'utf8')) as RuntimeInfo;
        } catch {
          // The daemon is starting; no runtime details yet.
        }
      }
      const folders = state.folders.map((f) => {
        let log: VersionLog | undefined;
        try {
          log = openLog(state, f);
        } catch (err) {
          // One damaged folder must not hide the others: show it with what is wrong.
          if (!(err instanceof LanfoldError)) throw err;
          return {
            id: f.id,
            role: f.role,
            path: f.path,
            version: 0,
            lastChange: null,
            files: 0,
            dirs: 0,
            bytes: 0,
            error: err.toLine(),
            paused: f.paused,
            atomicView: f.atomicView,
            replication: runtime.folders?.[f.id] ?? null,
          };
        }
        try {
          const head = log?.head() ?? 0;
          const latest = head > 0 ? log?.version(head) : undefined;
          const live = head > 0 && log ? log.stateAt(head) : [];
          return {
            id: f.id,
            role: f.role,
            path: f.path,
            version: head,
            lastChange: latest?.createdAt ?? null,
            files: live.filter((e) => e.kind !== 'dir').length,
            dirs: live.filter((e) => e.kind === 'dir').length,
            bytes: live.reduce((n, e) => n + e.size, 0),
            error: runtime.folderErrors?.[f.id] ?? null,
            paused: f.paused,
            atomicView: f.atomicView,
            replication: runtime.folders?.[f.id] ?? null,
          };
        } finally {
          log?.close();
        }
      });
      const result = {
        device: { id: state.device.deviceId, name: state.device.name, stateDir: state.paths.dir },
        daemon: { running: pid !== undefined, pid: pid ?? null },
        folders,
      };
      if (opts.json) return printJson(result);
      print(`Device ${state.device.name} (${formatDeviceId(state.device.deviceId as DeviceId)})`);
      print(
        `Daemon ${pid !== undefined ? `running (pid ${pid})` : 'not running; start it with `lanfold start`'}`,
      );
      if (folders.length === 0)
        return print('No folders yet. Add one with `lanfold folder add PATH --master`.');
      print(
        table([
          ['FOLDER', 'ROLE', 'VERSION', 'FILES', 'SIZE', 'LAST CHANGE', 'PATH'],
          ...folders.map((f) => [
            f.id,
            `${f.role}${f.atomicView && f.role === 'replica' ? ', atomic view' : ''}${f.paused ? ' (paused)' : ''}`,
            f.version ? `v${f.version}` : '-',
            formatCount(f.files),
            formatBytes(f.bytes),
            f.lastChange ? formatTime(f.lastChange) : '-',
            f.error ? `${f.path}  ERROR: ${f.error}` : f.path,
          ]),
        ]),
      );
      for (const f of folders) {
        const lines = runtimeLines(f.version, f.replication ?? undefined);
        if (lines.length > 0) print(`${f.id}:\n${lines.join('\n')}`);
      }
    });

  program
    .command('history <folder>')
    .description("list a folder's versions, newest first")
    .option('--limit <n>', 'how many versions', '20')
    .option('--before <version>', 'only versions older than this one')
    .option('--json', 'print JSON')
    .action(
      (
        folderId: string,
        opts: { limit: string; before?: string; json?: boolean },
        cmd: Command,
      ) => {
        const limit = parsePositiveInt(opts.limit, '--limit');
        const before = opts.before ? parsePositiveInt(opts.before, '--before') : undefined;
        const state = DeviceState.open(stateDirOf(cmd));
        withLog(state, folderId, (log) => {
          const versions = log.history(limit, before);
          if (opts.json) {
            const txs = new TxStore(log.file, { readonly: true });
            try {
              return printJson({
                folder: folderId,
                head: log.head(),
                versions: versions.map((v) => ({
                  ...v,
                  twoPhase: txs.covering(v.seq),
                  downstream: txs.reportsCovering(v.seq),
                })),
              });
            } finally {
              txs.close();
            }
          }
          if (versions.length === 0) return print('No versions yet.');
          print(
            table([
              ['VERSION', 'TIME', 'METHOD', 'CHANGES', 'NEW DATA', 'ORIGIN', 'WHY'],
              ...versions.map(versionLine),
            ]),
          );
        });
      },
    );

  program
    .command('show <folder> <version>')
    .description('show the operations of one version')
    .option('--json', 'print JSON')
    .action((folderId: string, rawVersion: string, opts: { json?: boolean }, cmd: Command) => {
      const seq = parsePositiveInt(rawVersion.replace(/^v/, ''), 'VERSION');
      const state = DeviceState.open(stateDirOf(cmd));
      withLog(state, folderId, (log) => {
        const v = checkVersion(log, seq);
        const ops = log.operations(seq);
        if (opts.json) return printJson({ version: v, operations: ops.map(entryJson) });
        print(
          `Version ${v.seq} of ${folderId}: ${formatTime(v.createdAt)}, ${v.method} (${v.reason}), ${v.changes} changes`,
        );
        print(
          table(
            ops.map((e) => [
              e.op,
              e.kind === 'none' ? '' : e.kind,
              e.kind === 'file' ? formatBytes(e.size) : '',
              describeOp(e),
            ]),
          ),
        );
      });
    });

  program
    .command('diff <folder> <v1> <v2> [path]')
    .description('what changed between two versions; with PATH, the text diff of that file')
    .option('--json', 'print JSON')
    .option('--no-color', 'no colours, even in a terminal')
    .action(
      (
        folderId: string,
        rawA: string,
        rawB: string,
        rawPath: string | undefined,
        opts: { json?: boolean; color: boolean },
        cmd: Command,
      ) => {
        const a = parsePositiveInt(rawA.replace(/^v/, ''), 'V1');
        const b = parsePositiveInt(rawB.replace(/^v/, ''), 'V2');
        const state = DeviceState.open(stateDirOf(cmd));
        withLog(state, folderId, (log, folder) => {
          checkVersion(log, a);
          checkVersion(log, b);
          if (rawPath === undefined) {
            const [lo, hi] = a <= b ? [a, b] : [b, a];
            const changed = log.scope(lo, hi);
            if (opts.json) return printJson({ from: a, to: b, paths: changed.map(entryJson) });
            if (changed.length === 0) return print(`No differences between v${a} and v${b}.`);
            return print(
              changed
                .map((e) => `${e.kind === 'none' ? 'deleted ' : 'changed '} ${describeOp(e)}`)
                .join('\n'),
            );
          }
          const rel = toRelPath(rawPath.replace(/^\.\//, '').replace(/\/$/, ''));
          const ea = log.entryAt(rel, a);
          const eb = log.entryAt(rel, b);
          const store = new ContentStore(path.join(state.folderDataDir(folderId), 'content.db'), {
            readonly: true,
          });
          try {
            const read = (e: Entry | undefined) =>
              e && e.kind === 'file'
                ? readEntryContent(folder.path, store, e, MAX_DIFF_BYTES)
                : Buffer.alloc(0);
            if ((!ea || ea.kind === 'none') && (!eb || eb.kind === 'none'))
              throw new LanfoldError('NOT_A_FILE', `${rel} exists in neither v${a} nor v${b}`);
            const result = diffBuffers(read(ea), read(eb));
            if (opts.json) return printJson({ path: rel, from: a, to: b, ...result });
            if (result.kind === 'binary')
              return print(`Binary file ${rel} differs between v${a} and v${b}.`);
            if (result.kind === 'too-large')
              return print(`${rel} is too large, or changed too much, to diff as text.`);
            const text = formatUnified(result.ops, {
              color: opts.color && process.stdout.isTTY,
              labelA: `${rel}@v${a}`,
              labelB: `${rel}@v${b}`,
            });
            print(text === '' ? `${rel} is the same in v${a} and v${b}.` : text);
          } finally {
            store.close();
          }
        });
      },
    );
}
