/**
 * In-memory LogStore for tests and for brokers started without a data directory. It follows the same contract as
 * SqliteLogStore (the shared suite in test/storage checks both): appends get offsets synchronously, become
 * visible to readers and resolve `durable` at the next "group commit" (one setImmediate for all logs), and
 * onCommit listeners hear which logs advanced. Nothing survives the process.
 */
import { BrokerError } from '../src/core/errors';
import { childLogger } from '../src/core/logger';
import { recordBytes } from './record-size';
import type {
  AppendRecord,
  AppendResult,
  LogHandle,
  LogStore,
  RetentionPolicy,
  StoredRecord,
  StoreStats,
} from './types';

class MemoryLog implements LogHandle {
  /** records[i] has offset base + i. */
  private records: StoredRecord[] = [];
  private base = 0;
  private next = 0;
  private committed = 0;
  private bytes = 0;
  private retention: RetentionPolicy = {};
  deleted = false;

  constructor(
    readonly name: string,
    private readonly store: MemoryLogStore,
  ) {}

  startOffset(): number {
    return this.base;
  }
  nextOffset(): number {
    return this.next;
  }
  committedOffset(): number {
    return this.committed;
  }

  append(records: AppendRecord[]): AppendResult {
    if (this.deleted) throw new BrokerError('NOT_FOUND', `log ${this.name} was deleted`);
    const baseOffset = this.next;
    const now = Date.now();
    for (const r of records) {
      const stored: StoredRecord = {
        offset: this.next++,
        timestamp: r.timestamp ?? now,
        key: r.key,
        headers: r.headers,
        value: r.value,
      };
      this.records.push(stored);
      this.bytes += recordBytes(stored);
    }
    return { baseOffset, durable: this.store.scheduleCommit(this, records.length) };
  }

  /** Called by the store's commit tick: everything appended so far becomes visible. */
  commit(): boolean {
    if (this.committed === this.next) return false;
    this.committed = this.next;
    this.applyRetention();
    return true;
  }

  read(fromOffset: number, maxRecords: number, maxBytes: number): StoredRecord[] {
    const out: StoredRecord[] = [];
    let bytes = 0;
    for (let o = Math.max(fromOffset, this.base); o < this.committed && out.length < maxRecords; o++) {
      const r = this.records[o - this.base];
      const size = recordBytes(r);
      if (out.length > 0 && bytes + size > maxBytes) break;
      bytes += size;
      out.push(r);
    }
    return out;
  }

  offsetForTimestamp(ts: number): number {
    for (const r of this.records) if (r.timestamp >= ts) return r.offset;
    return this.next;
  }

  truncateBefore(offset: number): void {
    const target = Math.min(offset, this.committed);
    if (target <= this.base) return;
    const dropped = this.records.splice(0, target - this.base);
    for (const r of dropped) this.bytes -= recordBytes(r);
    this.base = target;
  }

  /** Optional to honour (see LogHandle); memory frees nothing until truncateBefore. */
  markDeleted(_offsets: readonly number[]): void {}

  setRetention(policy: RetentionPolicy): void {
    this.retention = { ...policy };
    this.applyRetention();
  }

  sizeBytes(): number {
    return this.bytes;
  }

  /** Record-exact retention (memory has no segments to round to). Only committed records are dropped. */
  applyRetention(): void {
    const { maxAgeMs, maxBytes, maxRecords } = this.retention;
    let cut = this.base;
    if (maxRecords !== undefined) cut = Math.max(cut, this.committed - maxRecords);
    if (maxAgeMs !== undefined) {
      const oldest = Date.now() - maxAgeMs;
      while (cut < this.committed && this.records[cut - this.base].timestamp < oldest) cut++;
    }
    if (maxBytes !== undefined) {
      let over = this.bytes - maxBytes;
      let o = this.base;
      while (over > 0 && o < this.committed) over -= recordBytes(this.records[o++ - this.base]);
      cut = Math.max(cut, o);
    }
    this.truncateBefore(cut);
  }
}

export class MemoryLogStore implements LogStore {
  private readonly logs = new Map<string, MemoryLog>();
  private readonly listeners: Array<(logNames: readonly string[]) => void> = [];
  private readonly dirty = new Set<MemoryLog>();
  private pending: { promise: Promise<void>; resolve: () => void } | null = null;
  private commits = 0;
  private recordsAppended = 0;

  async open(): Promise<void> {}

  async close(): Promise<void> {
    await this.flush();
  }

  log(name: string): LogHandle {
    let log = this.logs.get(name);
    if (log === undefined) {
      log = new MemoryLog(name, this);
      this.logs.set(name, log);
    }
    return log;
  }

  hasLog(name: string): boolean {
    return this.logs.has(name);
  }

  deleteLog(name: string): void {
    const log = this.logs.get(name);
    if (log === undefined) return;
    log.deleted = true;
    this.logs.delete(name);
  }

  listLogs(): string[] {
    return [...this.logs.keys()];
  }

  onCommit(listener: (logNames: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  flush(): Promise<void> {
    return this.pending === null ? Promise.resolve() : this.pending.promise;
  }

  stats(): StoreStats {
    return {
      logs: this.logs.size,
      segments: 0,
      bytesOnDisk: 0,
      commits: this.commits,
      recordsAppended: this.recordsAppended,
    };
  }

  /** @internal Registers a log with appended records; returns the promise of the next commit. */
  scheduleCommit(log: MemoryLog, recordCount: number): Promise<void> {
    this.dirty.add(log);
    this.recordsAppended += recordCount;
    if (this.pending === null) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      this.pending = { promise, resolve };
      setImmediate(() => this.commit());
    }
    return this.pending.promise;
  }

  private commit(): void {
    const pending = this.pending;
    this.pending = null;
    const advanced: string[] = [];
    for (const log of this.dirty) if (log.commit() && !log.deleted) advanced.push(log.name);
    this.dirty.clear();
    this.commits++;
    pending?.resolve();
    if (advanced.length === 0) return;
    for (const l of this.listeners) {
      // A listener's failure is its own: other listeners must still hear of the commit.
      try {
        l(advanced);
      } catch (err) {
        childLogger('storage').error({ err: err instanceof Error ? err.message : String(err) }, 'onCommit listener threw');
      }
    }
  }
}
