/**
 * Which upstream a replica follows (claim 35, issue 7): the first device of its ordered list
 * that is connected and has not refused the folder. Pure, so the rule is tested as a table.
 */

export interface UpstreamView {
  /** The replica's upstreams, most preferred first. */
  readonly upstreams: readonly string[];
  readonly isConnected: (deviceId: string) => boolean;
  /** Devices that refused the folder on their current connection. */
  readonly refused: ReadonlySet<string>;
}

/** The upstream to follow now, or undefined when none is connected and willing. */
export function chooseUpstream(view: UpstreamView): string | undefined {
  return view.upstreams.find((id) => view.isConnected(id) && !view.refused.has(id));
}
