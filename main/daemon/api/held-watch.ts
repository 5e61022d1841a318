/**
 * Tells API clients when a master starts or stops holding a mass deletion: the coordinator
 * keeps no listeners, so its status is looked at once a second and a `held` event is
 * published for each folder whose held version changed (a verdict from the CLI ends a hold
 * too, and is seen the same way).
 */
import type { Held } from '../../api/contract.js';
import type { ControlBackend } from './backend.js';
import type { ApiEventHub } from './event-hub.js';
import { heldView } from './views.js';

const EVERY_MS = 1000;

export class HeldWatch {
  /** folder -> the held version last reported (absent: none held). */
  private readonly last = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly backend: ControlBackend,
    private readonly hub: ApiEventHub,
  ) {
    this.timer = setInterval(() => this.check(), EVERY_MS);
    this.timer.unref();
  }

  /** Compares every open master's held deletion with the last one reported. */
  check(): void {
    for (const config of this.backend.state.folders) {
      if (config.role !== 'master') continue;
      const master = this.backend.folder(config.id);
      const t = this.backend.twoPhaseStatus(config.id);
      const version = t?.held?.version;
      if (version === this.last.get(config.id)) continue;
      let held: Held | null = null;
      if (version !== undefined && master && t) {
        this.last.set(config.id, version);
        held = heldView(master.log, t);
      } else this.last.delete(config.id);
      this.hub.publish({ type: 'held', folder: config.id, held });
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
