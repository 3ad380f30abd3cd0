/**
 * One log of the SQLite store: its offsets, its uncommitted records (buffered until the store's group commit)
 * and the segments that hold its committed batches, in offset order.
 */
import { BrokerError } from '../src/core/errors';
import { encodedSize, WITHDRAWN_RECORD, type ReadAcc } from './batch-codec';
import type { HeldAppends } from './held-commits';
import type { Segment } from './segment';
import type { AppendRecord, AppendResult, LogHandle, RetentionPolicy, StoredRecord } from './types';

/** What a log needs from its store. */
export interface LogHost {
  /** Buffers a log's new records for the next group commit; returns that commit's promise. */
  enqueue(log: SqliteLog, encodedBytes: number, records: number): Promise<void>;
  /** The pending record of `log` at `offset` was withdrawn (it will not be written). */
  withdrew(log: SqliteLog, offset: number, encodedBytes: number): void;
  /** Start offset or retention changed: persist lazily, look for reclaimable segments. */
  noteStartMoved(log: SqliteLog): void;
  noteRetentionChanged(log: SqliteLog): void;
  isClosed(): boolean;
}

export class SqliteLog implements LogHandle {
  start = 0;
  next = 0;
  /** One past the last record in SQLite (committed there, maybe not yet fsynced). */
  written = 0;
  /**
   * One past the last record handed to the writer worker (written, or in a commit not answered yet); equals
   * `written` with the main-thread writer. Pending record i has offset `sent + i`.
   */
  sent = 0;
  /** One past the last durable record: what readers see. */
  committed = 0;
  retention: RetentionPolicy = {};
  /**
   * Appended, not yet written: record i has offset `sent + i` (the caller's objects, not copies: records must
   * not be mutated after append) and timestamp pendingTimestamps[i].
   */
  pending: AppendRecord[] = [];
  pendingTimestamps: number[] = [];
  /** Segments holding batches of this log, oldest first (offsets grow with the segment sequence). */
  readonly segments: Segment[] = [];
  /**
   * Its appends are held back while they may still be withdrawn (see SqliteLogStore: held commits); set while
   * the store holds them.
   */
  held = false;
  /**
   * A reader settled records of this log before they were written (withdraw was called): its consumers keep up
   * with the disk, so holding its appends back is likely to save writing them.
   */
  settlesBeforeCommit = false;
  /** Encoded bytes of this log's held records not withdrawn. */
  heldBytes = 0;
  /** Records withdrawn since the store started holding this log's appends. */
  withdrawnWhileHeld = 0;
  /** While held: which held appends (one per event-loop turn) pending offsets below each `end` belong to. */
  heldMarks: Array<{ end: number; appends: HeldAppends }> = [];
  /** Offsets acked out of order (markDeleted); compaction drops them. Not persisted. */
  readonly deletedOffsets = new Set<number>();
  deleted = false;

  constructor(
    readonly id: number,
    readonly name: string,
    private readonly host: LogHost,
  ) {}

  startOffset(): number {
    return this.start;
  }
  nextOffset(): number {
    return this.next;
  }
  committedOffset(): number {
    return this.committed;
  }

  append(records: AppendRecord[]): AppendResult {
    if (this.deleted) throw new BrokerError('NOT_FOUND', `log ${this.name} was deleted`);
    if (this.host.isClosed()) throw new BrokerError('BROKER_STOPPING', 'storage is closed');
    const baseOffset = this.next;
    const now = Date.now();
    let bytes = 0;
    for (const r of records) {
      this.pending.push(r);
      this.pendingTimestamps.push(r.timestamp ?? now);
      bytes += encodedSize(r);
    }
    this.next += records.length;
    return { baseOffset, durable: this.host.enqueue(this, bytes, records.length) };
  }

  withdraw(offset: number): boolean {
    this.settlesBeforeCommit = true;
    if (offset < this.sent || offset >= this.next) return false; // handed to the writer already
    const i = offset - this.sent;
    const r = this.pending[i];
    if (r === WITHDRAWN_RECORD) return false;
    this.pending[i] = WITHDRAWN_RECORD;
    this.host.withdrew(this, offset, encodedSize(r));
    return true;
  }

  read(fromOffset: number, maxRecords: number, maxBytes: number): StoredRecord[] {
    const from = Math.max(fromOffset, this.start);
    const acc: ReadAcc = { out: [], bytes: 0, maxRecords, maxBytes, endOffset: this.committed, done: maxRecords <= 0 };
    if (from >= this.committed) return acc.out;
    for (const seg of this.segments) {
      if (acc.done) break;
      const range = seg.ranges.get(this.id);
      if (range === undefined || range.end <= from) continue;
      seg.read(this.id, from, acc);
    }
    return acc.out;
  }

  offsetForTimestamp(ts: number): number {
    for (const seg of this.segments) {
      const range = seg.ranges.get(this.id);
      if (range === undefined || range.end <= this.start || range.maxTimestamp < ts) continue;
      const found = seg.offsetForTimestamp(this.id, this.start, ts);
      if (found !== undefined) return Math.min(found, this.committed);
    }
    return this.next;
  }

  truncateBefore(offset: number): void {
    const target = Math.min(offset, this.committed);
    if (target <= this.start) return;
    this.start = target;
    for (const o of this.deletedOffsets) if (o < target) this.deletedOffsets.delete(o);
    this.host.noteStartMoved(this);
  }

  markDeleted(offsets: readonly number[]): void {
    for (const o of offsets) if (o >= this.start && o < this.committed) this.deletedOffsets.add(o);
  }

  setRetention(policy: RetentionPolicy): void {
    this.retention = { ...policy };
    this.host.noteRetentionChanged(this);
    this.applyRetention(Date.now());
  }

  /** Approximate: whole batches straddling the start offset count fully. */
  sizeBytes(): number {
    let bytes = 0;
    for (const seg of this.segments) {
      const r = seg.ranges.get(this.id);
      if (r !== undefined && r.end > this.start) bytes += r.bytes;
    }
    return bytes;
  }

  /**
   * Moves the start offset as the retention policy says. Count and age are exact (age: up to the first record
   * not older than the limit); bytes drops whole segment ranges, oldest first, while what remains still holds
   * at least maxBytes (as Kafka does with segments).
   */
  applyRetention(nowMs: number): void {
    const { maxAgeMs, maxBytes, maxRecords } = this.retention;
    let cut = this.start;
    if (maxRecords !== undefined) cut = Math.max(cut, this.committed - maxRecords);
    if (maxAgeMs !== undefined) cut = Math.max(cut, Math.min(this.offsetForTimestamp(nowMs - maxAgeMs), this.committed));
    if (maxBytes !== undefined) {
      let total = this.sizeBytes();
      for (const seg of this.segments) {
        const r = seg.ranges.get(this.id);
        if (r === undefined || r.end <= this.start) continue;
        if (total - r.bytes < maxBytes) break;
        total -= r.bytes;
        cut = Math.max(cut, r.end);
      }
    }
    this.truncateBefore(cut);
  }

  /** Drops what was appended but not written (a failed commit, a deleted log). */
  clearPending(): void {
    this.pending = [];
    this.pendingTimestamps = [];
  }
}
