/**
 * `npm run bench -- floor`: how fast the least Lanfold-like transfer in Node moves a data set,
 * against rsync in the same run. The floor (bench/floor-peer.ts) is one TLS 1.3 stream of
 * every file, SHA-256 of each on arrival, a write, one `sync -f`: no requests, no log, no
 * staging. Lanfold does all of that and more, so when the floor is slower than rsync, so is
 * Lanfold, on that machine (docs/benchmarks.md, "The floor").
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateIdentity } from '../main/transport/identity.js';
import {
  fmt,
  formatTable,
  makeScratchDir,
  median,
  removeOnExit,
  startRsyncDaemon,
  syncDisks,
  writeJsonResult,
} from './lib.js';

export const summary = 'the floor of a TLS + SHA-256 + durable transfer in Node, against rsync';

const USAGE = `usage: npm run bench -- floor [options]

  --data DIR     a data set made by ../shared/bench/gen.sh (default /var/tmp/lfsync-data)
  --sets LIST    sub-directories of DIR to move (default mixed,small,big)
  --repeat N     samples of each (default 3)
  --out FILE     JSON results (default bench/results/floor-latest.json)
`;

const PEER = fileURLToPath(new URL('./floor-peer.js', import.meta.url));
const RSYNC_PORT = 28742;

interface Sample {
  readonly set: string;
  readonly tool: string;
  readonly seconds: number;
}

function seconds(run: () => void): number {
  const t0 = performance.now();
  run();
  return (performance.now() - t0) / 1000;
}

/** One sample: the receiver's wall time from spawning it, and the files it got. */
async function floorOnce(src: string, dest: string, certFile: string, keyFile: string) {
  const sender = spawn(process.execPath, [PEER, 'send', src, '0', certFile, keyFile], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    // "ready PORT" once it listens (on a port the system chose).
    const port = await new Promise<string>((resolve, reject) => {
      sender.stdout.once('data', (b: Buffer) => resolve(b.toString().trim().split(' ')[1] ?? ''));
      sender.once('exit', (code) => reject(new Error(`the sender exited with ${code}`)));
    });
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [PEER, 'receive', dest, port], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const wall = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`the receiver exited with ${r.status ?? r.signal}`);
    const line = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { files?: number };
    return { wall, files: line.files ?? 0 };
  } finally {
    sender.kill();
  }
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string', default: '/var/tmp/lfsync-data' },
      sets: { type: 'string', default: 'mixed,small,big' },
      repeat: { type: 'string', default: '3' },
      out: { type: 'string', default: 'bench/results/floor-latest.json' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const repeat = Number(values.repeat);
  const sets = values.sets.split(',').filter((s) => s.length > 0);
  const missing = sets.filter((s) => !existsSync(path.join(values.data, s)));
  if (!Number.isInteger(repeat) || repeat < 1 || sets.length === 0 || missing.length > 0) {
    if (missing.length > 0)
      process.stderr.write(
        `no data set ${missing.join(', ')} in ${values.data} (make it with ../shared/bench/gen.sh)\n`,
      );
    process.stderr.write(USAGE);
    return 2;
  }
  const work = makeScratchDir('lanfold-bench-floor');
  const cleanup = removeOnExit(work);
  const identity = await generateIdentity('floor');
  const certFile = path.join(work, 'cert.pem');
  const keyFile = path.join(work, 'key.pem');
  writeFileSync(certFile, identity.certPem);
  writeFileSync(keyFile, identity.keyPem, { mode: 0o600 });
  const dst = path.join(work, 'rsync');
  const stopRsync = startRsyncDaemon(work, dst, RSYNC_PORT);
  const samples: Sample[] = [];
  try {
    for (const set of sets) {
      const src = path.join(values.data, set);
      for (let i = 0; i < repeat; i++) {
        const rdest = path.join(dst, set);
        rmSync(rdest, { recursive: true, force: true });
        syncDisks();
        let rsyncOnly = 0;
        const withSync = seconds(() => {
          rsyncOnly = seconds(() => {
            const r = spawnSync('rsync', [
              '-a',
              `${src}/`,
              `rsync://127.0.0.1:${RSYNC_PORT}/dst/${set}/`,
            ]);
            if (r.status !== 0) throw new Error(`rsync failed: ${String(r.stderr)}`);
          });
          syncDisks();
        });
        samples.push({ set, tool: 'rsync', seconds: rsyncOnly });
        samples.push({ set, tool: 'rsync + sync', seconds: withSync });
        const fdest = path.join(work, 'floor', set);
        rmSync(fdest, { recursive: true, force: true });
        syncDisks();
        const floor = await floorOnce(src, fdest, certFile, keyFile);
        samples.push({ set, tool: 'Node TLS floor (from spawn)', seconds: floor.wall });
        process.stdout.write(
          `${set} #${i + 1}: rsync ${fmt(rsyncOnly)} s (+ sync ${fmt(withSync)} s), floor ${fmt(floor.wall)} s for ${floor.files} files\n`,
        );
      }
    }
  } finally {
    stopRsync();
    cleanup();
  }
  const rows: string[][] = [['set', 'tool', 'median s', '÷ rsync', '÷ rsync + sync']];
  const results = [];
  for (const set of sets) {
    const of = (tool: string) =>
      median(samples.filter((s) => s.set === set && s.tool === tool).map((s) => s.seconds));
    const rsync = of('rsync');
    const rsyncSync = of('rsync + sync');
    for (const tool of ['rsync', 'rsync + sync', 'Node TLS floor (from spawn)']) {
      const s = of(tool);
      rows.push([set, tool, fmt(s), fmt(s / rsync, 2), fmt(s / rsyncSync, 2)]);
      results.push({ set, tool, seconds: s });
    }
  }
  process.stdout.write(`\n${formatTable(rows)}\n`);
  await writeJsonResult(values.out, { samples, medians: results });
  return 0;
}
