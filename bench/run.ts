/**
 * `npm run bench -- NAME [options]`: runs one benchmark. To add one, write bench/NAME.ts
 * exporting `summary` and `run(args)`, and list it in BENCHMARKS below.
 */

/** What a benchmark module exports. `run` returns the process exit code. */
export interface BenchmarkModule {
  readonly summary: string;
  run(args: string[]): number | Promise<number>;
}

/** Loaded lazily, so that one benchmark's imports do not slow down (or break) another. */
const BENCHMARKS: Record<string, () => Promise<BenchmarkModule>> = {
  '2pc': () => import('./twophase.js'),
  'atomic-view': () => import('./atomic-view.js'),
  latency: () => import('./latency.js'),
  scan: () => import('./scan.js'),
  sync: () => import('./sync.js'),
  fanout: () => import('./fanout.js'),
  'master-start': () => import('./master-start.js'),
  floor: () => import('./floor.js'),
};

async function listing(): Promise<string> {
  const lines: string[] = [];
  for (const [name, load] of Object.entries(BENCHMARKS)) {
    let summary: string;
    try {
      summary = (await load()).summary;
    } catch (err) {
      summary = `(fails to load: ${err instanceof Error ? err.message : String(err)})`;
    }
    lines.push(`  ${name.padEnd(10)} ${summary}`);
  }
  return `usage: npm run bench -- NAME [options]   (NAME --help for its options)\n\nbenchmarks:\n${lines.join('\n')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'list') {
    process.stdout.write(await listing());
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!load) {
    process.stderr.write(`unknown benchmark "${name}"\n\n${await listing()}`);
    return 2;
  }
  const bench = await load();
  return bench.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 1;
  },
);
