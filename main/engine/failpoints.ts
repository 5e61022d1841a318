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

/**
 * Two-phase commit's steps. Master: `began` (attempt recorded, nothing sent), `prepare-sent`,
 * `decided` (decision durable, not sent), `delivered` (sent, not marked delivered). Replica:
 * `staged` (content durable, nothing recorded), `prepared` (prepared state durable, no vote
 * sent), `voted`, `committing` (commit received, apply not started).
 */
export const TWO_PHASE_FAILPOINTS = [
  '2pc:began',
  '2pc:prepare-sent',
  '2pc:decided',
  '2pc:delivered',
  '2pc:staged',
  '2pc:prepared',
  '2pc:voted',
  '2pc:committing',
] as const;

/**
 * Atomic view steps (see replica/view/): `building` (version directory half linked),
 * `built` (linked, staging moved in, no apply journal), `switched` (link renamed, version
 * not recorded), `reclaiming` (an old directory moved to the trash, not removed),
 * `converting` (turning the view on or off: the folder path is between its two shapes).
 */
export const VIEW_FAILPOINTS = [
  'view:building',
  'view:built',
  'view:switched',
  'view:reclaiming',
  'view:converting',
] as const;

/** Failpoints that do not kill: armed, they make a check fail as a fault would. */
export const SIMULATED_FAULTS = ['2pc:disk-full'] as const;

export type FailpointName =
  | (typeof FAILPOINTS)[number]
  | (typeof TWO_PHASE_FAILPOINTS)[number]
  | (typeof VIEW_FAILPOINTS)[number];
export type SimulatedFault = (typeof SIMULATED_FAULTS)[number];

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

/** True while LANFOLD_FAILPOINT names this simulated fault (it never kills). */
export function faultArmed(name: SimulatedFault): boolean {
  return armed?.name === name;
}
