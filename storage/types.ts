/**
 * The narrow storage interface. The core sees logs (dense offsets from 0) and a metadata store; it never sees
 * SQLite. Every backend (SqliteLogStore, MemoryLogStore) passes the shared suite in test/storage/.
 */

/** What the core appends. `headers` is opaque to storage (the core's encoded message metadata). */
export interface AppendRecord {
  /** Milliseconds since the epoch; the store fills Date.now() when absent. */
  timestamp?: number;
  key: Buffer | null;
  headers: Buffer | null;
  value: Buffer;
}

export interface StoredRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  headers: Buffer | null;
  value: Buffer;
}

export interface RetentionPolicy {
  /** Records older than this may be deleted (whole segments at a time). */
  maxAgeMs?: number;
  /** Keep at most about this many bytes per log. */
  maxBytes?: number;
  /** Keep at most about this many records per log. */
  maxRecords?: number;
}

export interface AppendResult {
  /** Offset of the first appended record; the rest follow densely. */
  baseOffset: number;
  /**
   * Resolves once the records are committed (fsynced when the store runs synchronous=FULL); rejects with a
   * BrokerError (STORAGE_FULL, INTERNAL_ERROR) when they cannot be. An acknowledgement to a client waits on it.
   */
  durable: Promise<void>;
}

export interface LogHandle {
  readonly name: string;
  /** Earliest offset still readable (everything below was deleted by retention or truncation). */
  startOffset(): number;
  /** The offset the next append will get (= one past the last appended record). */
  nextOffset(): number;
  /** One past the last committed record; readers see offsets below this. */
  committedOffset(): number;
  append(records: AppendRecord[]): AppendResult;
  /**
   * Committed records from `fromOffset` (clamped up to startOffset), at most maxRecords and about maxBytes
   * (always at least one record when any is available). Checksums are verified; a mismatch throws
   * BrokerError('STORAGE_CORRUPT') naming the segment file.
   */
  read(fromOffset: number, maxRecords: number, maxBytes: number): StoredRecord[];
  /** First offset whose timestamp is >= ts, or nextOffset() when none. */
  offsetForTimestamp(ts: number): number;
  /**
   * Records below `offset` are no longer needed (a queue acknowledged them all). Storage reclaims whole
   * segments once nothing in them is live; it never deletes row by row on the hot path.
   */
  truncateBefore(offset: number): void;
  /**
   * Individual offsets above startOffset that are no longer needed (acked out of order). Lets compaction
   * copy only live records forward. Optional to honour: a store may keep them until truncateBefore.
   */
  markDeleted(offsets: readonly number[]): void;
  setRetention(policy: RetentionPolicy): void;
  /**
   * The record at `offset` is no longer needed and was appended but not yet written: drop it, so it is never
   * written (its offset stays a gap, as compaction leaves). Returns false when it is already on its way to disk.
   * A queue calls it when a consumer acknowledged a message before its commit: a message consumed and
   * acknowledged needs no disk (RabbitMQ confirms such a persistent message without writing it). Once every
   * record an append's `durable` waits for is written or withdrawn, it resolves. Optional: a store may keep
   * writing everything.
   */
  withdraw?(offset: number): boolean;
  /** Bytes of record data this log holds (approximate). */
  sizeBytes(): number;
}

export interface LogStore {
  /** Opens the store and recovers; throws BrokerError('STORAGE_CORRUPT') naming a bad file. */
  open(): Promise<void>;
  /** Waits for in-flight commits, then closes every file. */
  close(): Promise<void>;
  /** Returns the log, creating it when absent. */
  log(name: string): LogHandle;
  hasLog(name: string): boolean;
  deleteLog(name: string): void;
  listLogs(): string[];
  /** Called after each group commit with the logs whose committedOffset advanced. */
  onCommit(listener: (logNames: readonly string[]) => void): void;
  /** Resolves after everything appended so far is committed. */
  flush(): Promise<void>;
  stats(): StoreStats;
  /**
   * True while commits fail for lack of disk space (their `durable` promises reject with STORAGE_FULL), until a
   * commit succeeds again. Lets the broker raise a disk alarm. Optional: stores that cannot fill up omit it.
   */
  isFull?(): boolean;
}

export interface StoreStats {
  logs: number;
  segments: number;
  bytesOnDisk: number;
  commits: number;
  recordsAppended: number;
  /** Records withdrawn before they were written (LogHandle.withdraw); optional for stores that never withdraw. */
  recordsWithdrawn?: number;
}

/**
 * Durable key/value metadata (exchanges, queues, bindings, topics, group offsets, sessions, retained messages),
 * in its own SQLite database. Values are JSON-serialisable; writes are grouped into one transaction per tick.
 */
export interface MetaStore {
  get<T>(namespace: string, key: string): T | undefined;
  /** Resolves when committed. */
  put(namespace: string, key: string, value: unknown): Promise<void>;
  delete(namespace: string, key: string): Promise<void>;
  list<T>(namespace: string): Array<[string, T]>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** Directory for segment files and the metadata database. */
  dataDir: string;
  /** 'full' (default): a commit is fsynced before it resolves. 'normal': survives a process crash only. */
  synchronous: 'full' | 'normal';
  segmentSizeMaxBytes: number;
  groupCommitDelayMaxMs: number;
  groupCommitBytesMax: number;
  /** Move a corrupt segment aside (to <dataDir>/quarantine) instead of refusing to start. */
  quarantineCorrupt: boolean;
}
