/**
 * Failpoints: named steps where a test can make the process die. Inert unless the
 * environment variable LANFOLD_FAILPOINT names the step (optionally `name:N` to fire on
 * the N-th time it is reached). Firing kills the process at once with SIGKILL, as a power
 * cut would, so nothing after it runs: no finally blocks, no flushes.
 */

/** Every failpoint, in the order apply reaches them; the crash test loops over this list. */
export const FAILPOINTS = [
  'apply:staged',
  'apply:journaled',
  'apply:renamed-some',
  'apply:renamed',
  'apply:committed',
] as const;

export type FailpointName = (typeof FAILPOINTS)[number];

const armed = parse(process.env.LANFOLD_FAILPOINT);
let hits = 0;

function parse(raw: string | undefined): { name: string; nth: number } | undefined {
  if (!raw) return undefined;
  const [name, nth] =
    raw.split(':').length > 2
      ? [raw.slice(0, raw.lastIndexOf(':')), raw.slice(raw.lastIndexOf(':') + 1)]
      : [raw, '1'];
  const n = Number.parseInt(nth ?? '1', 10);
  return { name: name ?? raw, nth: Number.isInteger(n) && n > 0 ? n : 1 };
}

export function failpoint(name: FailpointName): void {
  if (armed?.name !== name) return;
  hits++;
  if (hits >= armed.nth) {
    process.stderr.write(`failpoint ${name} fired\n`);
    process.kill(process.pid, 'SIGKILL');
  }
}
