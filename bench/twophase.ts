/**
 * `npm run bench -- 2pc [--runs N]`: the cost of two-phase commit. A master and three
 * replicas on 127.0.0.1 (real daemons, TLS, SQLite); N times per method, a batch of 20
 * small files lands on the master at once, and the time from the master recording it
 * ("version recorded") to the last replica committing it ("version applied") is taken
 * from the daemons' logs. Reported: p50 for one-phase and two-phase, the difference, and
 * the budget it is compared with: the p50 of prepare-sent to last-vote-received on the
 * master (one network round trip plus the replicas' staging I/O and checks).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Cluster, ClusterDevice } from '../test/helpers/cluster.js';
import { fmt, formatTable, gitRevision, loadAverage, REPO_ROOT, writeJsonResult } from './lib.js';
import { percentile, sleep } from './sync-tools.js';

export const summary =
  'one-phase vs two-phase commit: 20-file batch recorded on the master -> applied on 3 replicas (p50)';

const FILES = 20;

function parseRuns(args: string[]): number {
  const i = args.indexOf('--runs');
  if (i < 0) return 30;
  const n = Number(args[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new Error('--runs takes 1..1000');
  return n;
}

/** Times of one log message carrying `version`, per device (ms since the epoch). */
function loggedAt(d: ClusterDevice, msg: string, version: number): number | undefined {
  return d.logged(msg).find((l) => l.version === version)?.time;
}

async function waitAll(cluster: Cluster, version: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (cluster.replicas.every((r) => r.head() >= version)) return;
    await sleep(5);
  }
  throw new Error(`replicas did not reach v${version} in ${timeoutMs} ms`);
}

interface Sample {
  readonly ms: number;
  /** Two-phase only: prepare sent -> last vote received on the master. */
  readonly voteRoundMs: number | null;
}

/** The test helpers, loaded once LANFOLD_TEST_CLI names the built CLI (they resolve paths at load). */
type Helpers = typeof import('../test/helpers/cluster.js') &
  typeof import('../test/helpers/temp.js') &
  typeof import('../test/helpers/twophase.js');

async function loadHelpers(): Promise<Helpers> {
  process.env.LANFOLD_TEST_CLI ??= path.join(REPO_ROOT, 'dist/main/cli/lanfold.js');
  return {
    ...(await import('../test/helpers/cluster.js')),
    ...(await import('../test/helpers/temp.js')),
    ...(await import('../test/helpers/twophase.js')),
  };
}

async function measure(
  h: Helpers,
  cluster: Cluster,
  method: string,
  runs: number,
): Promise<Sample[]> {
  const { clusterCli, writeBatch } = h;
  const { master } = cluster;
  await clusterCli(master.state, ['folder', 'set', master.folderId, 'commit-mode', method]);
  await sleep(2500); // the daemon re-reads folders.json (polled every second)
  const out: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES; i++)
      files[`batch/f${String(i).padStart(2, '0')}.txt`] = `${method} run ${run} file ${i}\n`.repeat(
        50,
      );
    const before = master.head();
    writeBatch(master.folder, files);
    const deadline = Date.now() + 30_000;
    while (master.head() <= before && Date.now() < deadline) await sleep(5);
    const version = master.head();
    if (version <= before) throw new Error('the master did not record the batch');
    await waitAll(cluster, version, 30_000);
    await sleep(300); // let the log lines reach the files
    const recorded = loggedAt(master, 'version recorded', version);
    const applied = cluster.replicas.map((r) => loggedAt(r, 'version applied', version));
    if (recorded === undefined || applied.some((t) => t === undefined))
      throw new Error(`log lines of v${version} missing`);
    const info = master.log().version(version);
    if (info?.method !== (method === 'two-phase' ? '2pc' : '1pc'))
      throw new Error(`v${version} went ${info?.method}, not ${method}`);
    let voteRoundMs: number | null = null;
    if (method === 'two-phase') {
      const lines = master.logLines();
      const tx = lines.find((l) => l.msg === 'prepare sent' && l.version === version);
      const votes = lines.filter((l) => l.msg === 'vote received' && l.tx === tx?.tx);
      if (tx && votes.length === cluster.replicas.length)
        voteRoundMs = Math.max(...votes.map((v) => v.time)) - tx.time;
    }
    out.push({ ms: Math.max(...(applied as number[])) - recorded, voteRoundMs });
  }
  return out;
}

export async function run(args: string[]): Promise<number> {
  const runs = parseRuns(args);
  const h = await loadHelpers();
  const cluster = await h.Cluster.create({
    replicas: 3,
    populate: (dir) => {
      writeFileSync(path.join(dir, 'seed.txt'), 'seed\n');
      mkdirSync(path.join(dir, 'batch'));
    },
  });
  try {
    await cluster.startAll();
    await cluster.waitConverged();
    const onePhase = await measure(h, cluster, 'one-phase', runs);
    const twoPhase = await measure(h, cluster, 'two-phase', runs);
    const p50 = (xs: number[]): number => percentile(xs, 50) ?? Number.NaN;
    const one = p50(onePhase.map((s) => s.ms));
    const two = p50(twoPhase.map((s) => s.ms));
    const rounds = twoPhase.map((s) => s.voteRoundMs).filter((x): x is number => x !== null);
    const budget = rounds.length > 0 ? p50(rounds) : null;
    const rows = [
      ['method', 'p50 ms', 'p90 ms', 'runs'],
      [
        'one-phase',
        fmt(one),
        fmt(
          percentile(
            onePhase.map((s) => s.ms),
            90,
          ),
        ),
        String(runs),
      ],
      [
        'two-phase',
        fmt(two),
        fmt(
          percentile(
            twoPhase.map((s) => s.ms),
            90,
          ),
        ),
        String(runs),
      ],
    ];
    process.stdout.write(`${formatTable(rows)}\n`);
    process.stdout.write(
      `extra cost of 2PC (p50): ${fmt(two - one)} ms; budget (p50 prepare -> last vote: one round trip + staging I/O): ${fmt(budget)} ms; ${budget !== null && two - one <= budget ? 'within' : 'OVER'} budget\n`,
    );
    await writeJsonResult(path.join(REPO_ROOT, 'bench/results/2pc-latest.json'), {
      benchmark: '2pc',
      revision: gitRevision(),
      load: loadAverage(),
      files: FILES,
      runs,
      onePhaseP50Ms: one,
      twoPhaseP50Ms: two,
      extraMs: two - one,
      budgetMs: budget,
      onePhaseMs: onePhase.map((s) => s.ms),
      twoPhaseMs: twoPhase.map((s) => s.ms),
      voteRoundMs: rounds,
    });
    return 0;
  } finally {
    await cluster.kill();
    h.removeTempDirs();
  }
}
