/**
 * A replica's side of two-phase commit (claims 22-24) for one folder. On a prepare it
 * checks that it can apply, stages every new file durably, records the prepared state
 * durably (a small file next to the apply journal), and votes. On commit it applies from
 * the staging area through the ordinary journaled apply; on abort it discards the staging
 * area. Restarted while prepared, it keeps its staged files and asks the master how the
 * transaction ended before it does anything else.
 */
import { bytesOf } from '../../protocol/codec.js';
import { rmSync } from 'node:fs';
import { z } from 'zod';
import type { PeerLink } from '../../protocol/link.js';
import type { MessageOf } from '../../protocol/messages.js';
import { readJsonFile, writeFileAtomic } from '../atomic-write.js';
import type { Clock } from '../clock.js';
import type { Entry, NewEntry } from '../entry.js';
import { errnoCode, LanfoldError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { Logger } from '../logger.js';
import type { RelPath } from '../relpath.js';
import { fromWire } from '../replication/wire-entries.js';
import {
  filesToStage,
  fromJournalEntry,
  stageVersion,
  toJournalEntry,
  type ApplyTarget,
  type ReplicaDisk,
} from '../replica/apply.js';
import { LinkLost } from '../replica/fetcher.js';
import { stagingDir, type StageSources } from '../replica/staging.js';
import { cannotApply, noSpace } from './can-apply.js';

const PreparedSchema = z.strictObject({
  tx: z.string(),
  prior: z.number().int().min(0),
  version: z.number().int().positive(),
  createdAt: z.number(),
  entries: z.array(z.unknown()),
});
type PreparedRecord = z.infer<typeof PreparedSchema>;

export interface ParticipantOptions {
  readonly folderId: string;
  readonly disk: ReplicaDisk;
  /** The prepared-state file (in the folder's data directory). */
  readonly file: string;
  /** The root's device:inode when the replica opened it. */
  readonly rootId: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The replica's entry of a path with its chunk list (base of chunk-list edits). */
  readonly base: (p: RelPath) => Entry | undefined;
  /** Where staging finds content: inline data of the prepare, local chunks, the upstream. */
  readonly sources: (version: number, inline: Map<string, Buffer>) => StageSources;
  /** Paths edited locally and not synced. */
  readonly localEdits: () => ReadonlySet<string>;
  /** Applies a committed version from the staging area (the ordinary journaled apply). */
  readonly applyCommitted: (target: ApplyTarget) => Promise<void>;
}

/** How often a staging replica tells the master it is still at work (its vote timeout is 10 s). */
const STAGING_KEEPALIVE_MS = 3000;
/** How long one wait for a decision lasts before the outcome is asked again. */
const DECISION_WAIT_MS = 5000;

export class Participant {
  private record: PreparedRecord | undefined;
  private decision: 'commit' | 'abort' | undefined;
  private waiter: (() => void) | undefined;
  private asked: PeerLink | undefined;
  /** The newest prepare received and not yet handled. */
  pending: MessageOf<'prepare'> | undefined;

  constructor(private readonly options: ParticipantOptions) {
    this.record = readRecord(options.file);
  }

  /** True while a prepared transaction waits for its outcome (its staging area must stay). */
  get prepared(): boolean {
    return this.record !== undefined;
  }

  status(): { tx: string; version: number } | null {
    return this.record ? { tx: this.record.tx, version: this.record.version } : null;
  }

  onPrepare(m: MessageOf<'prepare'>): void {
    this.pending = m;
  }

  onDecision(m: MessageOf<'decision'>): void {
    if (this.record?.tx !== m.tx) {
      this.options.logger.debug(
        { tx: m.tx, outcome: m.outcome },
        'decision for no prepared transaction',
      );
      return;
    }
    this.decision = m.outcome;
    this.waiter?.();
  }

  /** Votes no on the pending prepare without trying it (this replica could not catch up to its prior version). */
  refuse(link: PeerLink, reason: string): void {
    const m = this.pending;
    if (!m) return;
    this.pending = undefined;
    link.send({
      t: 'vote',
      folder: this.options.folderId,
      tx: m.tx,
      upToDate: false,
      canApply: false,
      reason,
    });
    this.options.logger.info({ tx: m.tx, reason }, 'voted no: behind');
  }

  /** Handles the pending prepare: vote no at once, or stage, record and vote yes. */
  async prepare(link: PeerLink, m: MessageOf<'prepare'>): Promise<void> {
    if (this.pending === m) this.pending = undefined;
    const { disk, logger } = this.options;
    const vote = (upToDate: boolean, canApply: boolean, reason: string): void => {
      link.send({ t: 'vote', folder: this.options.folderId, tx: m.tx, upToDate, canApply, reason });
      logger.info({ tx: m.tx, upToDate, canApply, reason }, 'voted');
    };
    const head = disk.log.head();
    if (head !== m.prior) return vote(false, false, `this replica is at v${head}, not v${m.prior}`);
    const entries: NewEntry[] = [];
    for (const w of m.version.entries) {
      const e = fromWire(w, this.options.base);
      if (!e)
        return vote(true, false, `the chunk list of ${w.path} does not fit this replica's copy`);
      entries.push(e);
    }
    const target: ApplyTarget = {
      version: m.version.version,
      createdAt: m.version.createdAt,
      method: '2pc',
      entries,
    };
    const refused = cannotApply({
      disk,
      rootId: this.options.rootId,
      version: target.version,
      entries,
      localEdits: this.options.localEdits(),
    });
    if (refused !== undefined) return vote(true, false, refused);
    const bytes = filesToStage(disk, entries).reduce((n, e) => n + e.size, 0);
    const full = noSpace(disk.root, bytes);
    if (full !== undefined) return vote(true, false, full);
    // While staging, tell the master every few seconds that this replica is at work (a large
    // change takes longer than the vote timeout); a stalled fetch ends it (the link drops).
    const keepalive = (): void => {
      link.send({ t: 'staging', folder: this.options.folderId, tx: m.tx });
      timer = this.options.clock.setTimeout(keepalive, STAGING_KEEPALIVE_MS);
    };
    let timer = this.options.clock.setTimeout(keepalive, STAGING_KEEPALIVE_MS);
    try {
      const inline = new Map(m.inline.map((i) => [i.hash, bytesOf(i.data)]));
      await stageVersion(disk, target, this.options.sources(target.version, inline));
    } catch (err) {
      if (err instanceof LinkLost) throw err;
      rmSync(stagingDir(disk.root), { recursive: true, force: true });
      const why =
        err instanceof LanfoldError
          ? err.toLine()
          : err instanceof Error
            ? err.message
            : String(err);
      return vote(
        true,
        false,
        `staging failed: ${errnoCode(err) === 'ENOSPC' ? 'disk full' : why}`,
      );
    } finally {
      timer.cancel();
    }
    failpoint('2pc:staged');
    const record: PreparedRecord = {
      tx: m.tx,
      prior: m.prior,
      version: target.version,
      createdAt: target.createdAt,
      entries: entries.map(toJournalEntry),
    };
    writeFileAtomic(this.options.file, JSON.stringify(record));
    this.record = record;
    this.decision = undefined;
    this.asked = undefined;
    failpoint('2pc:prepared');
    vote(true, true, '');
    failpoint('2pc:voted');
  }

  /**
   * Resolves the prepared transaction: waits (bounded) for its decision, asking the master
   * once per connection, then applies or discards. Returns without effect if no decision
   * came in time (the caller comes back).
   */
  async resolve(link: PeerLink): Promise<void> {
    const record = this.record;
    if (!record) return;
    const { disk, logger } = this.options;
    if (disk.log.head() >= record.version) {
      // Applied already (a crash after the apply committed, before the record went).
      this.forget();
      return;
    }
    if (this.decision === undefined) {
      if (this.asked !== link) {
        this.asked = link;
        link.send({ t: 'outcome-req', folder: this.options.folderId, tx: record.tx });
        logger.info({ tx: record.tx }, 'outcome requested');
      }
      await new Promise<void>((resolve) => {
        const timer = this.options.clock.setTimeout(resolve, DECISION_WAIT_MS);
        const done = (): void => {
          timer.cancel();
          this.waiter = undefined;
          resolve();
        };
        this.waiter = done;
        link.onClose(done);
      });
      if (this.decision === undefined) {
        if (link.closed) throw new LinkLost('waiting for a decision');
        return;
      }
    }
    if (this.decision === 'commit') {
      failpoint('2pc:committing');
      logger.info({ tx: record.tx, version: record.version }, 'committing a prepared version');
      await this.options.applyCommitted({
        version: record.version,
        createdAt: record.createdAt,
        method: '2pc',
        entries: record.entries.map(fromJournalEntry),
      });
    } else {
      logger.info({ tx: record.tx, version: record.version }, 'prepared version aborted');
      rmSync(stagingDir(disk.root), { recursive: true, force: true });
    }
    this.forget();
  }

  /** Ends a wait for a decision at once (the replica is closing). */
  interrupt(): void {
    this.waiter?.();
  }

  private forget(): void {
    rmSync(this.options.file, { force: true });
    this.record = undefined;
    this.decision = undefined;
    this.asked = undefined;
  }
}

function readRecord(file: string): PreparedRecord | undefined {
  return readJsonFile(
    file,
    PreparedSchema,
    'The prepared-transaction record',
    'move it aside; the replica then fetches the version again',
  );
}
