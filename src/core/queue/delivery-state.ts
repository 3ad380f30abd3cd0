/**
 * Which offsets of a queue's log are settled, persisted cheaply, and what storage may reclaim.
 *
 * Settling (ack, drop, expiry, dead-letter, purge) only touches memory; once per event-loop turn the state is
 * flushed: `truncateBefore(lowWaterMark)` and `markDeleted(out-of-order offsets)` go to the log, and for durable
 * queues one MetaStore put writes `{settled: [lwm, ranges...], deliveredBelow}`. At 100k acks/s that is a few
 * hundred small puts per second, not 100k. A crash loses at most the last turn's acks: those messages come back
 * redelivered (at-least-once), never lost.
 *
 * Offsets can be settled before their record commits (a consumer may ack a message delivered from memory ahead
 * of the group commit). Storage is only told about committed offsets; if a crash loses records whose acks were
 * persisted, recovery clips the state to the log's end before new appends can reuse those offsets.
 */
import type { LogHandle, MetaStore } from '../../../storage/types';
import type { Logger } from '../logger';
import { OffsetRanges } from './offset-ranges';

/** MetaStore namespace of queue delivery state; the key is the queue's log name. */
export const QUEUE_STATE_NAMESPACE = 'queue-state';

export interface PersistedQueueState {
  v: 1;
  /** OffsetRanges.toArray(): [lowWaterMark, start0, end0, ...]. */
  settled: number[];
  /** Every offset below this may have been delivered (comes back redelivered after a restart). */
  deliveredBelow: number;
}

export class DeliveryState {
  settled: OffsetRanges;
  deliveredBelow: number;
  /** Offsets settled above the low-water mark, not yet passed to log.markDeleted. */
  private marks: number[] = [];
  private truncatedTo: number;
  private dirty = false;
  private flushScheduled = false;
  /** performance.now() of the last flush: scheduled flushes are spaced flushIntervalMs apart. */
  private lastFlushAtMs = -Infinity;
  private put: Promise<void> | null = null;
  private putAgain = false;
  /** No more scheduled flushes (closed or destroyed). */
  private closed = false;
  /** No more writes at all (the queue was deleted). */
  private destroyed = false;

  constructor(
    private readonly log: LogHandle,
    private readonly meta: MetaStore,
    private readonly durable: boolean,
    private readonly logger: Logger,
    /** Least time between two scheduled flushes (QUEUE_LIMITS.stateFlushIntervalMs). */
    private readonly flushIntervalMs = 0,
  ) {
    // Until recover() says otherwise, whatever the log already holds is not ours to deliver.
    const next = log.nextOffset();
    this.settled = new OffsetRanges(next);
    this.deliveredBelow = next;
    this.truncatedTo = log.startOffset();
  }

  /** Persisted state of this log, if any. */
  load(): PersistedQueueState | undefined {
    const v = this.meta.get<PersistedQueueState>(QUEUE_STATE_NAMESPACE, this.log.name);
    return v !== undefined && v.v === 1 && Array.isArray(v.settled) ? v : undefined;
  }

  /** Replaces the state after recovery. */
  reset(settled: OffsetRanges, deliveredBelow: number): void {
    this.settled = settled;
    this.deliveredBelow = deliveredBelow;
    this.marks = [];
    this.dirty = true;
  }

  settle(offset: number): void {
    const lwm = this.settled.lowWaterMark;
    if (!this.settled.add(offset)) return;
    if (offset > lwm) this.marks.push(offset);
    this.dirty = true;
    this.schedule();
  }

  delivered(offset: number): void {
    if (offset < this.deliveredBelow) return;
    this.deliveredBelow = offset + 1;
    this.dirty = true;
    this.schedule();
  }

  /**
   * A commit failed and storage rolled the log back to `end`: offsets from there on will be given to new appends,
   * so nothing recorded for them (acks that came before the failure) may stay.
   */
  rolledBack(end: number): void {
    let changed = this.settled.clipTo(end);
    if (this.deliveredBelow > end) {
      this.deliveredBelow = end;
      changed = true;
    }
    this.marks = this.marks.filter((o) => o < end);
    if (changed) {
      this.dirty = true;
      this.schedule();
    }
  }

  /** Called when appends commit: truncation or marks held back for uncommitted offsets can proceed. */
  committed(): void {
    if (this.settled.lowWaterMark > this.truncatedTo || this.marks.length > 0) this.schedule();
  }

  /** Flushes now and resolves when the state is persisted. */
  async flush(): Promise<void> {
    this.flushNow();
    while (this.put !== null) await this.put;
  }

  /** Last flush; no more writes afterwards. */
  close(): Promise<void> {
    const done = this.flush();
    this.closed = true;
    return done;
  }

  /** Forgets the persisted state (the queue was deleted). */
  async destroy(): Promise<void> {
    this.closed = true;
    this.destroyed = true;
    if (!this.durable) return;
    // Delete at once when nothing is in flight, so a queue redeclared under the same name right away cannot
    // have its first state write overtaken by this delete.
    while (this.put !== null) await this.put;
    await this.meta.delete(QUEUE_STATE_NAMESPACE, this.log.name);
  }

  /**
   * At most one flush per flushIntervalMs: every flush of a durable queue is a metadata write and an fsync of
   * its own, which under load competed with the log's group-commit fsync (one per tick each; measured: publisher
   * confirm round trips ~1.4× longer). Acks persisted up to flushIntervalMs later can only mean a redelivery
   * after a crash (at-least-once), never a lost message; flushState() still flushes at once.
   */
  private schedule(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    const waitMs = this.lastFlushAtMs + this.flushIntervalMs - performance.now();
    if (waitMs <= 0) setImmediate(this.scheduledFlush);
    else setTimeout(this.scheduledFlush, waitMs);
  }

  private readonly scheduledFlush = (): void => {
    this.flushScheduled = false;
    if (!this.closed) this.flushNow();
  };

  private flushNow(): void {
    if (this.closed) return;
    this.lastFlushAtMs = performance.now();
    const committed = this.log.committedOffset();
    const lwm = Math.min(this.settled.lowWaterMark, committed);
    if (lwm > this.truncatedTo) {
      this.log.truncateBefore(lwm);
      this.truncatedTo = lwm;
    }
    if (this.marks.length > 0) {
      const now: number[] = [];
      const later: number[] = [];
      for (const o of this.marks) {
        if (o < this.settled.lowWaterMark) continue; // covered by truncation
        (o < committed ? now : later).push(o);
      }
      if (now.length > 0) this.log.markDeleted(now);
      this.marks = later;
    }
    if (this.durable && this.dirty) this.persist();
  }

  private persist(): void {
    if (this.put !== null) {
      this.putAgain = true;
      return;
    }
    this.dirty = false;
    const value: PersistedQueueState = { v: 1, settled: this.settled.toArray(), deliveredBelow: this.deliveredBelow };
    this.put = this.meta.put(QUEUE_STATE_NAMESPACE, this.log.name, value).then(
      () => this.afterPut(),
      (err: unknown) => {
        // The acks stay in memory and are retried with the next flush; worst case they are redelivered.
        this.dirty = true;
        this.logger.error({ err, log: this.log.name }, 'persisting queue delivery state failed');
        this.afterPut();
      },
    );
  }

  private afterPut(): void {
    this.put = null;
    if (this.putAgain && !this.destroyed) {
      this.putAgain = false;
      this.persist();
    }
  }
}
