/**
 * SqliteLogStore: many logs share SQLite segment files (WAL mode); a small catalog maps names to ids.
 *
 * Group commit: append() assigns offsets synchronously and buffers; one transaction per tick (setImmediate, or at
 * once when groupCommitBytesMax is buffered, which is the back-pressure: the appender's call does the write
 * instead of the buffer growing) writes every buffered batch of every log into the active segment. Once that is
 * durable (fsync on the thread pool under synchronous=full, see startSync) the `durable` promises of the commit
 * resolve, readers see the records and onCommit listeners hear which logs advanced. Housekeeping (retention by
 * age, lazy catalog writes, reclamation, compaction) runs on a timer and on demand (runMaintenance).
 *
 * Who runs the transaction (option `writer`): by default a worker thread (segment-writer*.ts) that owns the
 * active segment's write connection, commits, fsyncs and checkpoints, so the event loop only encodes each commit
 * into one transferred buffer; offsets, ranges, visibility and reads stay on this thread. With writer 'main' (and
 * always with the 'persist' journal) this thread runs the transaction itself and fsyncs on the thread pool.
 *
 * Files in dataDir: catalog.sqlite, seg-<seq>.sqlite (each with its -wal), quarantine/ (corrupt segments).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BrokerError } from '../src/core/errors';
import { childLogger } from '../src/core/logger';
import { fsyncDir } from './fsync-dir';
import { encodedSize, encodeBatch, encodeBatchInto, RECORD_HEADER_BYTES, WITHDRAWN_RECORD } from './batch-codec';
import { Catalog, type CatalogEntry } from './catalog';
import { compactSegment } from './compaction';
import { isCorruptionError, Segment, SegmentPool, sqliteCode } from './segment';
import { newRound, type Round } from './commit-round';
import { HeldCommits, type HeldCommitHost } from './held-commits';
import { SqliteLog, type LogHost } from './sqlite-log';
import { SegmentWriter } from './segment-writer';
import { ROW_FIELDS, type CheckpointerMode, type WriterError } from './segment-writer-protocol';
import { SEGMENT_PAGE_SIZE_BYTES, SIDE_FILE_SUFFIXES, type JournalMode, type LockingMode } from './sqlite-pragmas';
import type { AppendRecord, LogHandle, LogStore, StoreOptions, StoreStats } from './types';

/** StoreOptions plus what only this backend understands. */
export interface SqliteStoreOptions extends StoreOptions {
  /**
   * Journal of segment files: 'wal' (default; fsync off the event loop) or 'persist' (a rollback journal:
   * appended data is written once, fsyncs on the event loop). See sqlite-pragmas.ts and the storage bench figures.
   * The catalog always uses WAL.
   */
  segmentJournalMode?: JournalMode;
  /** Sealed segments kept open (default SEALED_SEGMENTS_OPEN_MAX). */
  sealedSegmentsOpenMax?: number;
  /**
   * Who writes segments: 'worker' (a worker thread runs the transaction, fsync and checkpoints; the event loop
   * only encodes) or 'main' (the event loop runs the transaction and checkpoints; the fsync runs on the thread
   * pool). Default: DEFAULT_SEGMENT_WRITER (the broker's storageWriter option). The rollback
   * journal ('persist') always writes on the main thread.
   */
  writer?: SegmentWriterMode;
  /**
   * With the worker writer: 'writer' (default) runs the WAL checkpoints on the writer thread between commits;
   * 'thread' runs them on their own thread and connection (PASSIVE, so a commit never waits for a lock), with the
   * writer copying only the small rest that lets the WAL restart. 'thread' measured no better on this machine: the
   * checkpoint's writes and database fsync compete with the commit's WAL fsync for the disk whichever thread
   * issues them (docs-draft/storage-bench.md).
   */
  checkpointer?: CheckpointerMode;
  /** WAL bytes between checkpoints of the active segment (default CHECKPOINT_WAL_BYTES; worker writer only). */
  checkpointWalBytes?: number;
  /**
   * WAL bytes past which the worker checkpoints whenever no commit is waiting (default CHECKPOINT_IDLE_WAL_BYTES;
   * worker writer with the 'writer' checkpointer only). Set it to checkpointWalBytes to checkpoint only at that size.
   */
  checkpointIdleWalBytes?: number;
  /** Bound on the active segment's WAL file (default WAL_BYTES_MAX; worker writer only). */
  walBytesMax?: number;
}

/** See SqliteStoreOptions.checkpointer and docs-draft/storage-bench.md for the measurements behind it. */
export const DEFAULT_CHECKPOINTER: CheckpointerMode = 'writer';
/**
 * WAL file size of the active segment past which the writer checkpoints (RESTART) itself, waiting for the
 * checkpointer thread and readers: the bound on WAL growth when the checkpointer cannot keep up.
 */
export const WAL_BYTES_MAX = 64 * 1024 * 1024;

export type SegmentWriterMode = 'worker' | 'main';
/** See SqliteStoreOptions.writer and docs-draft/storage-bench.md for the measurements behind it. */
export const DEFAULT_SEGMENT_WRITER: SegmentWriterMode = 'worker';
/** Commits of groupCommitBytesMax each that may be in flight to the writer worker before append() blocks. */
export const WRITER_IN_FLIGHT_COMMITS_MAX = 4;

/** Records per batch row at most: bounds what a reader decodes to reach one record. */
export const BATCH_RECORDS_MAX = 1024;
/** Encoded bytes per batch row at most (a single larger record still gets its own row). */
export const BATCH_BYTES_MAX = 256 * 1024;
/** Estimated WAL bytes written since the last checkpoint that trigger a deliberate one. */
export const CHECKPOINT_WAL_BYTES = 8 * 1024 * 1024;
/**
 * Estimated WAL bytes past which the writer worker checkpoints as soon as it is idle (no commit waiting). Below a
 * sustainable rate the worker is idle most of the time, so checkpoints stay this small (~1–4 ms instead of 5–40 ms
 * for 8 MiB on this machine) and a commit that arrives during one waits that long at most; flat out there is no
 * idle moment and checkpoints happen at CHECKPOINT_WAL_BYTES as before (throughput unchanged).
 */
export const CHECKPOINT_IDLE_WAL_BYTES = 1024 * 1024;
/** Pages a commit rewrites besides its blobs (table and index leaves, interior pages): WAL amplification. */
const COMMIT_OVERHEAD_PAGES = 3;
/** Period of housekeeping: age retention, lazy catalog writes, reclamation, compaction. */
export const HOUSEKEEPING_INTERVAL_MS = 1000;
/** Sealed segments whose connections stay open (two descriptors each); the rest reopen on demand. */
export const SEALED_SEGMENTS_OPEN_MAX = 64;
/** A sealed segment whose live bytes fall below this fraction is compacted. */
export const COMPACTION_LIVE_FRACTION_MAX = 0.25;

const SEGMENT_FILE = /^seg-(\d{8})\.sqlite$/;

interface SyncEntry {
  round: Round;
  /** Each log of the commit and the offset it was written up to. */
  advances: Array<[SqliteLog, number]>;
  segment: Segment;
  /** The catalog was written in this commit (new or deleted logs): its WAL is fsynced first. */
  catalog: boolean;
}

/** A commit handed to the writer worker, until it is answered and (catalog fsync included) durable. */
interface WorkerEntry {
  id: number;
  epoch: number;
  round: Round;
  advances: Array<[SqliteLog, number]>;
  ranges: RangeInfo[];
  segment: Segment;
  /** Not answered by the worker yet (false for a commit with nothing but catalog changes). */
  sent: boolean;
  /** The catalog's WAL is being fsynced for this commit. */
  catalogSyncing: boolean;
  /** The commit failed (nothing of it written) or its catalog fsync did. */
  error: BrokerError | null;
}

interface RangeInfo {
  log: SqliteLog;
  first: number;
  end: number;
  records: number;
  bytes: number;
  maxTs: number;
  blob: number;
}

/** A batch row to be: records [from, to) of a log's pending records, `records` of them not withdrawn. */
interface BatchPlan {
  from: number;
  to: number;
  bytes: number;
  records: number;
}

/** @internal Hooks for crash and failure tests. */
export interface StoreTestHooks {
  /** Runs inside the group-commit transaction after the inserts, before COMMIT. */
  insideCommit?: () => void;
  /** Told how long each group commit held the event loop (bench: what a commit costs the network side). */
  commitBlockedMs?: (ms: number) => void;
}

export class SqliteLogStore implements LogStore, LogHost, HeldCommitHost {
  readonly testHooks: StoreTestHooks = {};
  private readonly logger = childLogger('storage');
  private catalog: Catalog | null = null;
  private readonly segments: Segment[] = [];
  private readonly pool: SegmentPool;
  private active: Segment | null = null;
  private readonly logs = new Map<string, SqliteLog>();
  private readonly logsById = new Map<number, SqliteLog>();
  private maxLogId = 0;
  private readonly listeners: Array<(logNames: readonly string[]) => void> = [];
  private readonly pendingLogs = new Set<SqliteLog>();
  private pendingBytes = 0;
  private round: Round | null = null;
  private immediate: NodeJS.Immediate | null = null;
  /** Appends of logs whose readers settle before commit, held back (see held-commits.ts). */
  private readonly held: HeldCommits;
  private readonly newLogs = new Set<SqliteLog>();
  private readonly deletedIds = new Set<number>();
  private readonly startDirty = new Set<SqliteLog>();
  private reclaimWanted = false;
  private timer: NodeJS.Timeout | null = null;
  private state: 'new' | 'open' | 'closed' = 'new';
  private readonly syncQueue: SyncEntry[] = [];
  /** WAL bytes written since the last checkpoint of the active segment (estimated: SQLite does not say). */
  private walBytesEstimate = 0;
  private syncing = false;
  private lastUnsynced: Round | null = null;
  private readonly drainWaiters: Array<() => void> = [];
  private full = false;
  private commits = 0;
  private recordsAppended = 0;
  private recordsWithdrawn = 0;

  private readonly journal: JournalMode;
  /** synchronous= of segment connections; WAL + FULL is NORMAL in SQLite plus our own asynchronous fsync. */
  private readonly segmentSync: 'full' | 'normal';
  private readonly asyncFsync: boolean;
  private readonly writerMode: SegmentWriterMode;
  private readonly locking: LockingMode;
  private writer: SegmentWriter | null = null;
  private writerDead: Error | null = null;
  /** Worker mode: commits not yet settled, in commit order. */
  private readonly workerQueue: WorkerEntry[] = [];
  private commitId = 0;
  private epoch = 0;
  /** Why the first commit of the last failed epoch failed: what the refused later ones report. */
  private epochFailure: BrokerError | null = null;

  constructor(private readonly opts: SqliteStoreOptions) {
    this.pool = new SegmentPool(opts.sealedSegmentsOpenMax ?? SEALED_SEGMENTS_OPEN_MAX);
    this.held = new HeldCommits(this, opts.groupCommitBytesMax);
    this.journal = opts.segmentJournalMode ?? 'wal';
    this.asyncFsync = this.journal === 'wal' && opts.synchronous === 'full';
    this.segmentSync = this.journal === 'wal' ? 'normal' : opts.synchronous;
    const wanted = opts.writer ?? DEFAULT_SEGMENT_WRITER;
    this.writerMode = this.journal === 'wal' ? wanted : 'main';
    // The worker writes and the main thread reads the same files: they share them through a -shm file.
    this.locking = this.writerMode === 'worker' ? 'normal' : 'exclusive';
  }

  /** Which thread writes segments ('persist' journals always write on the main thread). */
  writerThread(): SegmentWriterMode {
    return this.writerMode;
  }

  // ---- lifecycle ----------------------------------------------------------------------------------------------

  async open(): Promise<void> {
    if (this.state !== 'new') throw new BrokerError('INTERNAL_ERROR', 'store already opened');
    fs.mkdirSync(this.opts.dataDir, { recursive: true });
    try {
      this.recover();
      if (this.writerMode === 'worker') await this.startWriter();
    } catch (err) {
      this.closeFiles();
      throw err;
    }
    this.state = 'open';
    this.timer = setInterval(() => this.housekeep(), HOUSEKEEPING_INTERVAL_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.state !== 'open') return;
    this.held.release();
    if (this.round !== null) this.commitNow();
    await this.drainSyncs();
    if (this.writer !== null) {
      await this.writer.close();
      this.writer = null;
    }
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.state = 'closed';
    try {
      this.writeCatalog([...this.logs.values()], true);
      for (const seg of this.segments) seg.checkpoint('TRUNCATE');
    } catch (err) {
      this.logger.error({ err }, 'final catalog write or checkpoint failed; recovery will use the segments');
    }
    this.closeFiles();
  }

  private closeFiles(): void {
    for (const seg of this.segments) seg.close();
    this.catalog?.close();
  }

  private recover(): void {
    const dir = this.opts.dataDir;
    this.catalog = new Catalog(path.join(dir, 'catalog.sqlite'));
    const entries = this.catalog.load();
    this.maxLogId = this.catalog.maxLogId();
    for (const f of fs.readdirSync(dir)) if (f.endsWith('.compact') || f.includes('.compact-')) fs.rmSync(path.join(dir, f), { force: true });
    const files = fs
      .readdirSync(dir)
      .map((f) => SEGMENT_FILE.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ seq: Number(m[1]), file: path.join(dir, m[0]) }))
      .sort((a, b) => a.seq - b.seq);
    for (const { seq, file } of files) {
      let seg: Segment | null = null;
      try {
        seg = Segment.open(seq, file, this.segmentSync, this.journal, this.pool, this.locking);
        seg.verifyAndIndex();
        // Closed again until used: descriptors stay bounded however many segments there are.
        seg.close();
        this.segments.push(seg);
      } catch (err) {
        seg?.close();
        if (!(err instanceof BrokerError && err.code === 'STORAGE_CORRUPT') || !this.opts.quarantineCorrupt) {
          throw err;
        }
        this.quarantine(file, err);
      }
    }
    for (const seg of this.segments) for (const id of seg.ranges.keys()) this.maxLogId = Math.max(this.maxLogId, id);
    for (const e of entries) {
      const log = new SqliteLog(e.id, e.name, this);
      this.maxLogId = Math.max(this.maxLogId, e.id);
      log.retention = e.retention;
      log.start = e.startOffset;
      log.next = e.nextOffset;
      for (const seg of this.segments) {
        const r = seg.ranges.get(e.id);
        if (r === undefined) continue;
        log.segments.push(seg);
        log.next = Math.max(log.next, r.end);
      }
      log.start = Math.min(log.start, log.next);
      log.committed = log.next;
      log.written = log.next;
      log.sent = log.next;
      this.logs.set(e.name, log);
      this.logsById.set(e.id, log);
    }
    // Reuse the newest segment when it has room; a fresh file otherwise.
    const last = this.segments.at(-1);
    for (const seg of this.segments) {
      seg.sealed = seg !== last || seg.dataBytes >= this.opts.segmentSizeMaxBytes;
      if (seg.sealed) seg.lockExclusively();
    }
    if (last !== undefined && !last.sealed) this.active = last;
    else this.openNewSegment();
    this.reclaimWanted = true;
  }

  private quarantine(file: string, err: BrokerError): void {
    const qdir = path.join(this.opts.dataDir, 'quarantine');
    fs.mkdirSync(qdir, { recursive: true });
    for (const suffix of ['', ...SIDE_FILE_SUFFIXES]) {
      if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, path.join(qdir, path.basename(file) + suffix));
    }
    this.logger.warn({ file, err: err.message }, 'corrupt segment moved to quarantine; its records are unavailable');
  }

  private openNewSegment(): void {
    const seq = (this.segments.at(-1)?.seq ?? 0) + 1;
    const file = path.join(this.opts.dataDir, `seg-${String(seq).padStart(8, '0')}.sqlite`);
    const seg = Segment.open(seq, file, this.segmentSync, this.journal, this.pool, this.locking);
    fsyncDir(this.opts.dataDir);
    this.walBytesEstimate = 0;
    this.segments.push(seg);
    this.active = seg;
  }

  // ---- LogStore ---------------------------------------------------------------------------------------------

  log(name: string): LogHandle {
    this.assertOpen();
    let log = this.logs.get(name);
    if (log === undefined) {
      log = new SqliteLog(++this.maxLogId, name, this);
      this.logs.set(name, log);
      this.logsById.set(log.id, log);
      this.newLogs.add(log);
      this.ensureRound();
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
    if (log.held) this.held.drop(log);
    log.clearPending();
    this.logs.delete(name);
    this.logsById.delete(log.id);
    this.pendingLogs.delete(log);
    this.startDirty.delete(log);
    if (!this.newLogs.delete(log)) this.deletedIds.add(log.id);
    this.reclaimWanted = true;
    this.ensureRound();
  }

  listLogs(): string[] {
    return [...this.logs.keys()];
  }

  onCommit(listener: (logNames: readonly string[]) => void): void {
    this.listeners.push(listener);
  }

  flush(): Promise<void> {
    this.held.release();
    return (this.round ?? this.lastUnsynced)?.promise ?? Promise.resolve();
  }

  stats(): StoreStats {
    let bytesOnDisk = 0;
    for (const seg of this.segments) for (const suffix of ['', ...SIDE_FILE_SUFFIXES]) bytesOnDisk += fileSize(seg.file + suffix);
    return {
      logs: this.logs.size,
      segments: this.segments.length,
      bytesOnDisk,
      commits: this.commits,
      recordsAppended: this.recordsAppended,
      recordsWithdrawn: this.recordsWithdrawn,
    };
  }

  /** True after a commit failed for lack of space, until a commit succeeds again (raise a disk alarm). */
  isFull(): boolean {
    return this.full;
  }

  // ---- LogHost ----------------------------------------------------------------------------------------------

  isClosed(): boolean {
    return this.state !== 'open';
  }

  enqueue(log: SqliteLog, encodedBytes: number, records: number): Promise<void> {
    this.recordsAppended += records;
    if (log.held || (log.settlesBeforeCommit && this.mayHold(log))) return this.held.hold(log, encodedBytes, records);
    this.pendingLogs.add(log);
    this.pendingBytes += encodedBytes;
    const round = this.ensureRound();
    if (this.pendingBytes >= this.opts.groupCommitBytesMax) this.commitNow();
    return round.promise;
  }

  withdrew(log: SqliteLog, offset: number, encodedBytes: number): void {
    this.recordsWithdrawn++;
    if (log.held) this.held.withdrew(log, offset, encodedBytes);
    else if (this.pendingLogs.has(log)) this.pendingBytes -= encodedBytes;
  }

  noteStartMoved(log: SqliteLog): void {
    this.startDirty.add(log);
    this.reclaimWanted = true;
  }

  noteRetentionChanged(log: SqliteLog): void {
    this.startDirty.add(log);
  }

  // ---- group commit -----------------------------------------------------------------------------------------

  private ensureRound(): Round {
    if (this.round === null) {
      this.round = newRound();
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.commitNow();
      });
    }
    return this.round;
  }

  // ---- held commits (held-commits.ts) ---------------------------------------------------------------------

  /** Holding needs the worker writer (its commits are answered as events) and an open store. */
  private mayHold(log: SqliteLog): boolean {
    return this.writerMode === 'worker' && this.writer !== null && this.state === 'open' && !this.pendingLogs.has(log);
  }

  commitHeld(round: Round, logs: readonly SqliteLog[]): void {
    const active = this.active;
    if (active === null) {
      round.reject(new BrokerError('INTERNAL_ERROR', 'no active segment'));
      return;
    }
    this.commitToWorker(round, logs, active);
  }

  writerIdle(): boolean {
    return this.workerQueue.length === 0;
  }

  /**
   * `log`'s offsets below `sent` were withdrawn (nothing of them to write): they count as committed together with
   * the last commit of this log still in flight, or at once when there is none.
   */
  gapCommitted(log: SqliteLog): void {
    for (let i = this.workerQueue.length - 1; i >= 0; i--) {
      const e = this.workerQueue[i];
      const advance = e.advances.find((a) => a[0] === log);
      if (advance === undefined) continue;
      advance[1] = log.sent;
      if (!e.sent && e.error === null && log.written < log.sent) log.written = log.sent; // answered: applyWritten ran
      return;
    }
    log.written = log.sent;
    log.committed = log.sent;
  }

  private commitNow(): void {
    const told = this.testHooks.commitBlockedMs;
    if (told === undefined) return this.commitRound();
    const t0 = performance.now();
    this.commitRound();
    told(performance.now() - t0);
  }

  private commitRound(): void {
    const round = this.round;
    if (round === null) return;
    this.round = null;
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    const logs = [...this.pendingLogs];
    this.pendingLogs.clear();
    this.pendingBytes = 0;
    const active = this.active;
    if (active === null) throw new BrokerError('INTERNAL_ERROR', 'no active segment');
    if (this.writerMode === 'worker') {
      this.commitToWorker(round, logs, active);
      return;
    }
    const ranges: RangeInfo[] = [];
    let catalogWritten = false;
    try {
      if (this.newLogs.size > 0 || this.deletedIds.size > 0) {
        // New logs must be named before their batches count; durable together with them (same fsync round).
        this.writeCatalog([...this.newLogs, ...this.startDirty], !this.asyncFsync && this.opts.synchronous === 'full');
        catalogWritten = true;
      }
      if (logs.length > 0) {
        active.transaction(() => {
          for (const log of logs) this.insertPending(active, log, ranges);
          this.testHooks.insideCommit?.();
        });
      }
    } catch (err) {
      for (const log of logs) {
        log.clearPending();
        log.next = log.written;
        log.sent = log.written;
      }
      round.reject(this.commitError(err));
      return;
    }
    this.full = false;
    this.commits++;
    const advances: Array<[SqliteLog, number]> = [];
    for (const log of logs) {
      log.written = log.next;
      log.sent = log.next;
      log.clearPending();
      advances.push([log, log.written]);
    }
    this.walBytesEstimate += COMMIT_OVERHEAD_PAGES * SEGMENT_PAGE_SIZE_BYTES;
    for (const r of ranges) {
      this.walBytesEstimate += r.blob;
      active.addRange(r.log.id, r.first, r.end, r.records, r.bytes, r.maxTs, r.blob);
      if (r.log.segments.at(-1) !== active) r.log.segments.push(active);
    }
    const entry: SyncEntry = { round, advances, segment: active, catalog: catalogWritten };
    if (this.asyncFsync) {
      this.syncQueue.push(entry);
      this.lastUnsynced = round;
      this.startSync();
    } else {
      this.finish(entry, null);
    }
    this.afterCommit(active);
  }

  /**
   * Durability without blocking the event loop: in WAL mode the connection runs synchronous=NORMAL (a commit
   * writes its WAL frames but does not fsync), and the store fsyncs the WAL file on the libuv thread pool, then
   * resolves `durable` and makes the records visible. One fsync covers every commit written before it started, so
   * commits keep going while an fsync is in flight (group fsync). SQLite itself syncs the WAL before and the
   * database after each checkpoint, so a sealed (checkpointed) segment needs no fsync of its own.
   */
  private startSync(): void {
    if (this.syncing || this.syncQueue.length === 0) return;
    this.syncing = true;
    const batch = this.syncQueue.splice(0);
    const files = new Set<string>();
    if (batch.some((e) => e.catalog) && this.catalog !== null) files.add(this.catalog.walFile());
    for (const e of batch) if (!e.segment.sealed) files.add(e.segment.file + '-wal');
    void fsyncFiles([...files]).then(
      () => this.syncDone(batch, null),
      (err: unknown) => this.syncDone(batch, err),
    );
  }

  private syncDone(batch: readonly SyncEntry[], err: unknown): void {
    this.syncing = false;
    if (err !== null) this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'fsync of a segment WAL failed');
    for (const e of batch) this.finish(e, err);
    if (this.syncQueue.length > 0) this.startSync();
    else {
      this.lastUnsynced = null;
      for (const w of this.drainWaiters.splice(0)) w();
    }
  }

  /** The records of a commit are durable: readers may see them, appenders hear so. */
  private finish(entry: SyncEntry, err: unknown): void {
    const advanced: string[] = [];
    for (const [log, upTo] of entry.advances) {
      if (upTo <= log.committed) continue;
      log.committed = upTo;
      if (!log.deleted) advanced.push(log.name);
    }
    if (err === null) entry.round.resolve();
    else entry.round.reject(this.fsyncError(err));
    if (advanced.length > 0) {
      for (const l of this.listeners) {
        // A listener's failure is its own: the commit happened, other listeners must still hear of it.
        try {
          l(advanced);
        } catch (err) {
          this.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'onCommit listener threw');
        }
      }
    }
    const now = Date.now();
    for (const [log] of entry.advances) {
      if (!log.deleted && (log.retention.maxBytes !== undefined || log.retention.maxRecords !== undefined)) log.applyRetention(now);
    }
  }

  private fsyncError(err: unknown): BrokerError {
    const message = err instanceof Error ? err.message : String(err);
    if (sqliteCode(err) === 'ENOSPC') {
      this.full = true;
      return new BrokerError('STORAGE_FULL', `fsync failed: ${message}`);
    }
    return new BrokerError('INTERNAL_ERROR', `fsync failed: ${message}`);
  }

  private drainSyncs(): Promise<void> {
    if (!this.syncing && this.syncQueue.length === 0 && this.workerQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Encodes a log's pending records into batches of bounded size and inserts them. */
  private insertPending(seg: Segment, log: SqliteLog, out: RangeInfo[]): void {
    for (const b of planBatches(log.pending)) {
      const blob = encodeBatch(log.pending, log.pendingTimestamps, b.from, b.to, b.bytes);
      const r = rangeOf(log, b);
      seg.insert(log.id, r.first, r.end - 1, r.records, r.bytes, Math.ceil(r.maxTs), blob);
      out.push(r);
    }
  }

  // ---- group commit on the writer worker ---------------------------------------------------------------------

  private async startWriter(): Promise<void> {
    const writer = new SegmentWriter(
      {
        synchronous: this.opts.synchronous,
        checkpointWalBytes: this.opts.checkpointWalBytes ?? CHECKPOINT_WAL_BYTES,
        checkpointIdleWalBytes: this.opts.checkpointIdleWalBytes ?? CHECKPOINT_IDLE_WAL_BYTES,
        commitOverheadBytes: COMMIT_OVERHEAD_PAGES * SEGMENT_PAGE_SIZE_BYTES,
        checkpointer: this.opts.checkpointer ?? DEFAULT_CHECKPOINTER,
        walBytesMax: this.opts.walBytesMax ?? WAL_BYTES_MAX,
      },
      WRITER_IN_FLIGHT_COMMITS_MAX * this.opts.groupCommitBytesMax,
      {
        done: (first, last, error) => this.writerDone(first, last, error),
        sealed: (seq, error) => this.writerSealed(seq, error),
        inside: () => {
          try {
            this.testHooks.insideCommit?.();
          } finally {
            this.writer?.releaseHook();
          }
        },
        dead: (err) => this.writerDied(err),
      },
    );
    this.writer = writer;
    await writer.ready();
  }

  /**
   * Encodes every pending batch into one buffer and hands it to the writer worker (transferred, not copied).
   * The catalog stays on this thread: it changes only when logs are created or deleted, and its WAL is fsynced
   * on the thread pool before any `durable` of this commit resolves.
   */
  private commitToWorker(round: Round, logs: readonly SqliteLog[], active: Segment): void {
    const entry: WorkerEntry = {
      id: 0,
      epoch: this.epoch,
      round,
      advances: [],
      ranges: [],
      segment: active,
      sent: false,
      catalogSyncing: false,
      error: null,
    };
    const fail = (err: BrokerError): void => {
      for (const log of logs) {
        log.clearPending();
        log.next = log.sent;
      }
      round.reject(err);
    };
    if (this.writer === null) {
      fail(new BrokerError('INTERNAL_ERROR', `segment writer is not running: ${this.writerDead?.message ?? 'closed'}`));
      return;
    }
    try {
      if (this.newLogs.size > 0 || this.deletedIds.size > 0) {
        this.writeCatalog([...this.newLogs, ...this.startDirty], false);
        if (this.opts.synchronous === 'full') this.syncCatalogFor(entry);
      }
    } catch (err) {
      fail(this.commitError(err));
      return;
    }
    const plans: Array<[SqliteLog, BatchPlan[]]> = [];
    let total = 0;
    let rowCount = 0;
    for (const log of logs) {
      const p = planBatches(log.pending);
      for (const b of p) total += b.bytes;
      rowCount += p.length;
      plans.push([log, p]);
    }
    this.workerQueue.push(entry);
    this.lastUnsynced = round;
    if (rowCount === 0) {
      // Every pending record of these logs was withdrawn: nothing to write, but their offsets are done with. Left
      // pending, `sent` and `committed` would stay behind until the log's next write (for ever, if none comes).
      for (const log of logs) {
        if (log.pending.length === 0) continue;
        log.sent = log.next;
        log.clearPending();
        this.gapCommitted(log);
      }
      this.settleWorkerCommits();
      return;
    }
    // Its own ArrayBuffer (not Buffer's shared pool): transferable without a copy.
    const buf = Buffer.allocUnsafeSlow(total);
    const rows = new Float64Array(rowCount * ROW_FIELDS);
    let at = 0;
    let row = 0;
    for (const [log, p] of plans) {
      for (const b of p) {
        const end = encodeBatchInto(buf, at, log.pending, log.pendingTimestamps, b.from, b.to);
        const r = rangeOf(log, b);
        rows.set([log.id, r.first, r.end - 1, r.records, r.bytes, Math.ceil(r.maxTs), at, end - at], row * ROW_FIELDS);
        entry.ranges.push(r);
        at = end;
        row++;
      }
      log.sent = log.next;
      log.clearPending();
      entry.advances.push([log, log.sent]);
    }
    entry.id = ++this.commitId;
    entry.sent = true;
    // Counted when issued (stats show the group commits of a burst at once); a failed one is taken back.
    this.commits++;
    const hook = this.testHooks.insideCommit !== undefined;
    this.writer.commit({ t: 'commit', id: entry.id, epoch: entry.epoch, seq: active.seq, file: active.file, buf: buf.buffer as ArrayBuffer, rows, hook }, total);
  }

  private syncCatalogFor(entry: WorkerEntry): void {
    const catalog = this.catalog;
    if (catalog === null) return;
    entry.catalogSyncing = true;
    void fsyncFiles([catalog.walFile()]).then(
      () => {
        entry.catalogSyncing = false;
        this.settleWorkerCommits();
      },
      (err: unknown) => {
        entry.catalogSyncing = false;
        entry.error ??= this.fsyncError(err);
        this.settleWorkerCommits();
      },
    );
  }

  /** The worker answered commits firstId..lastId. */
  private writerDone(firstId: number, lastId: number, error: WriterError | null): void {
    for (const e of this.workerQueue) {
      if (!e.sent || e.id < firstId || e.id > lastId) continue;
      e.sent = false;
      if (error === null) this.applyWritten(e);
      else {
        this.commits--;
        e.error = this.workerFailure(e, error);
      }
    }
    this.settleWorkerCommits();
  }

  /** A commit is in SQLite (and fsynced under synchronous=full): its ranges count, sealing may be due. */
  private applyWritten(e: WorkerEntry): void {
    this.full = false;
    for (const [log, upTo] of e.advances) if (upTo > log.written) log.written = upTo;
    for (const r of e.ranges) {
      e.segment.addRange(r.log.id, r.first, r.end, r.records, r.bytes, r.maxTs, r.blob);
      if (r.log.segments.at(-1) !== e.segment) r.log.segments.push(e.segment);
    }
    if (e.segment === this.active && e.segment.dataBytes >= this.opts.segmentSizeMaxBytes) {
      // Later commits go to a new segment; the worker checkpoints and closes this one after the commits it has.
      this.writer?.post({ t: 'seal', seq: e.segment.seq });
      this.safely('seal', () => this.openNewSegment());
    }
  }

  /**
   * A commit failed (nothing of it was written): every later commit of its epoch is refused by the worker, and
   * offsets roll back to what is written, so the next append reuses them and logs stay dense. What was appended
   * since (the open round) had offsets past the hole: it fails too.
   */
  private workerFailure(e: WorkerEntry, error: WriterError): BrokerError {
    if (e.epoch !== this.epoch) return this.epochFailure ?? new BrokerError('INTERNAL_ERROR', error.message);
    const failure = this.commitError(Object.assign(new Error(error.message), { code: error.code }));
    this.epoch++;
    this.epochFailure = failure;
    for (const log of this.logs.values()) {
      log.clearPending();
      log.next = log.written;
      log.sent = log.written;
    }
    this.pendingLogs.clear();
    this.pendingBytes = 0;
    this.held.fail(failure);
    const round = this.round;
    if (round !== null) {
      this.round = null;
      if (this.immediate !== null) clearImmediate(this.immediate);
      this.immediate = null;
      round.reject(failure);
    }
    return failure;
  }

  /** Settles, in commit order, every commit that is answered and whose catalog fsync is done. */
  private settleWorkerCommits(): void {
    while (this.workerQueue.length > 0) {
      const e = this.workerQueue[0];
      if (e.sent || e.catalogSyncing) break;
      this.workerQueue.shift();
      if (e.error === null) this.finish({ round: e.round, advances: e.advances, segment: e.segment, catalog: false }, null);
      else e.round.reject(e.error);
    }
    if (this.workerQueue.length === 0) {
      this.lastUnsynced = null;
      for (const w of this.drainWaiters.splice(0)) w();
      this.held.writerFree();
    }
  }

  private writerSealed(seq: number, error: WriterError | null): void {
    if (error !== null) this.logger.error({ seq, err: error.message }, 'checkpoint of a sealed segment failed; recovery replays its WAL');
    const seg = this.segments.find((s) => s.seq === seq);
    // Still active: opening its successor failed, so the worker will write it again (reopening it).
    if (seg === undefined || seg === this.active) return;
    // Its -shm goes with the shared connection; it reopens (exclusively) on its next read.
    this.safely('release connection', () => seg.lockExclusively());
    seg.sealed = true;
    this.reclaimWanted = true;
  }

  private writerDied(err: Error): void {
    this.logger.error({ err: err.message }, 'segment writer thread died; appends fail until restart');
    this.writer = null;
    this.writerDead = err;
    const failure = new BrokerError('INTERNAL_ERROR', `segment writer died: ${err.message}`);
    for (const e of this.workerQueue) {
      if (!e.sent) continue;
      e.sent = false;
      this.commits--;
      e.error = failure;
    }
    for (const log of this.logs.values()) {
      log.next = log.written;
      log.sent = log.written;
      log.clearPending();
    }
    this.held.fail(failure);
    this.settleWorkerCommits();
  }

  private commitError(err: unknown): BrokerError {
    if (err instanceof BrokerError) return err;
    const code = sqliteCode(err);
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || /ENOSPC|disk is full|database or disk is full/i.test(message)) {
      if (!this.full) this.logger.error({ err: message }, 'storage full: commits fail until space is freed');
      this.full = true;
      return new BrokerError('STORAGE_FULL', `commit failed: ${message}`);
    }
    this.logger.error({ err: message, code }, 'group commit failed');
    if (isCorruptionError(err)) return new BrokerError('STORAGE_CORRUPT', `${this.active?.file ?? '?'}: ${message}`);
    return new BrokerError('INTERNAL_ERROR', `commit failed: ${message}`);
  }

  /** Seals a full active segment and checkpoints the WAL deliberately so it cannot grow without bound. */
  private afterCommit(active: Segment): void {
    // A listener may have appended enough to commit (and seal) re-entrantly; then this segment is done with.
    if (active !== this.active) return;
    if (active.dataBytes >= this.opts.segmentSizeMaxBytes) {
      this.safely('seal', () => {
        active.checkpoint('TRUNCATE');
        active.releaseCache();
        active.sealed = true;
        this.openNewSegment();
      });
    } else if (this.journal === 'wal' && this.walBytesEstimate >= CHECKPOINT_WAL_BYTES) {
      this.walBytesEstimate = 0;
      // The WAL restarts from its beginning after a complete checkpoint and journal_size_limit trims the file.
      this.safely('checkpoint', () => active.checkpoint('PASSIVE'));
    }
  }

  private writeCatalog(logs: readonly SqliteLog[], durableNow: boolean): void {
    const catalog = this.catalog;
    if (catalog === null) return;
    const entries: CatalogEntry[] = [];
    for (const log of new Set(logs)) {
      if (log.deleted) continue;
      entries.push({ id: log.id, name: log.name, startOffset: log.start, nextOffset: log.written, retention: log.retention });
    }
    catalog.write(entries, [...this.deletedIds], this.maxLogId, durableNow);
    for (const log of logs) {
      this.newLogs.delete(log);
      this.startDirty.delete(log);
    }
    this.deletedIds.clear();
  }

  // ---- housekeeping -----------------------------------------------------------------------------------------

  private housekeep(): void {
    if (this.state !== 'open') return;
    this.safely('housekeeping', () => this.runMaintenance());
  }

  /**
   * Age retention, lazy catalog writes, reclamation of dead segments and compaction of sparse ones. Runs on a
   * timer; tests call it directly.
   */
  runMaintenance(): void {
    this.assertOpen();
    const now = Date.now();
    for (const log of this.logs.values()) if (log.retention.maxAgeMs !== undefined) log.applyRetention(now);
    // Start offsets are hints until a reclamation depends on them (then written durably, below).
    if (this.startDirty.size > 0) this.writeCatalog([...this.startDirty], false);
    if (this.reclaimWanted) this.reclaim();
    this.compactOne();
    this.catalog?.checkpointIfLarge();
  }

  /** Whether some log still has records at or above its start offset in a segment. */
  private hasLive(seg: Segment): boolean {
    for (const [id, r] of seg.ranges) {
      const log = this.logsById.get(id);
      if (log !== undefined && r.end > log.start) return true;
    }
    return false;
  }

  private reclaim(): void {
    this.reclaimWanted = false;
    const dead = this.segments.filter((s) => s.sealed && s !== this.active && !this.hasLive(s));
    if (dead.length === 0) return;
    // The catalog must know every log's offsets before the files that also record them disappear.
    const touched = new Set<SqliteLog>();
    for (const seg of dead) for (const id of seg.ranges.keys()) {
      const log = this.logsById.get(id);
      if (log !== undefined) touched.add(log);
    }
    this.writeCatalog([...touched, ...this.startDirty], true);
    for (const seg of dead) {
      seg.close();
      for (const suffix of ['', ...SIDE_FILE_SUFFIXES]) fs.rmSync(seg.file + suffix, { force: true });
      this.segments.splice(this.segments.indexOf(seg), 1);
      for (const log of touched) {
        const i = log.segments.indexOf(seg);
        if (i >= 0) log.segments.splice(i, 1);
      }
      this.logger.debug({ file: seg.file }, 'segment reclaimed');
    }
  }

  /** Rewrites the sparsest sealed segment below the live-fraction threshold (one per round: bounded pause). */
  private compactOne(): void {
    let best: Segment | null = null;
    let bestFraction = COMPACTION_LIVE_FRACTION_MAX;
    for (const seg of this.segments) {
      if (!seg.sealed || seg === this.active) continue;
      const fraction = this.liveFraction(seg);
      if (fraction > 0 && fraction < bestFraction) {
        best = seg;
        bestFraction = fraction;
      }
    }
    if (best !== null) compactSegment(best, this.logsById, this.segmentSync, this.pool);
  }

  /** Estimated share of a segment's records still live (above start offsets, not markDeleted). */
  private liveFraction(seg: Segment): number {
    let total = 0;
    let live = 0;
    for (const [id, r] of seg.ranges) {
      total += r.records;
      const log = this.logsById.get(id);
      if (log === undefined || r.end <= log.start) continue;
      const span = r.end - r.first;
      const liveSpan = r.end - Math.max(r.first, log.start);
      live += Math.max(0, (r.records * liveSpan) / span - countIn(log, seg));
    }
    return total === 0 ? 0 : live / total;
  }

  private safely(what: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.logger.error({ err: err instanceof Error ? err.message : String(err) }, `${what} failed`);
    }
  }

  private assertOpen(): void {
    if (this.state !== 'open') throw new BrokerError('BROKER_STOPPING', 'storage is not open');
  }

  /** @internal Test hook: caps the active segment's size in pages so the next commits fail like a full disk. */
  limitActiveSegmentPages(pages: number): void {
    const active = this.active;
    if (active === null) return;
    if (this.writer !== null) this.writer.post({ t: 'maxPages', seq: active.seq, file: active.file, pages });
    else active.setMaxPageCount(pages);
  }
}

/**
 * Splits pending records into batch rows of at most BATCH_RECORDS_MAX offsets and about BATCH_BYTES_MAX bytes.
 * Withdrawn records are skipped: a row starts and ends at a live record.
 */
function planBatches(recs: readonly AppendRecord[]): BatchPlan[] {
  const plans: BatchPlan[] = [];
  let from = 0;
  while (from < recs.length) {
    if (recs[from] === WITHDRAWN_RECORD) {
      from++;
      continue;
    }
    let to = from;
    let last = from;
    let bytes = 0;
    let records = 0;
    while (to < recs.length && to - from < BATCH_RECORDS_MAX) {
      const r = recs[to];
      if (r !== WITHDRAWN_RECORD) {
        const size = encodedSize(r);
        if (records > 0 && bytes + size > BATCH_BYTES_MAX) break;
        bytes += size;
        records++;
        last = to;
      }
      to++;
    }
    plans.push({ from, to: last + 1, bytes, records });
    from = last + 1;
  }
  return plans;
}

/** Offsets and sizes of a planned batch of a log (its pending record i has offset log.sent + i). */
function rangeOf(log: SqliteLog, b: BatchPlan): RangeInfo {
  let maxTs = -Infinity;
  for (let i = b.from; i < b.to; i++) {
    if (log.pendingTimestamps[i] > maxTs && log.pending[i] !== WITHDRAWN_RECORD) maxTs = log.pendingTimestamps[i];
  }
  const records = b.records;
  return { log, first: log.sent + b.from, end: log.sent + b.to, records, bytes: b.bytes - records * RECORD_HEADER_BYTES, maxTs, blob: b.bytes };
}

/** markDeleted offsets of a log that fall in a segment's range for it. */
function countIn(log: SqliteLog, seg: Segment): number {
  const r = seg.ranges.get(log.id);
  if (r === undefined) return 0;
  let n = 0;
  for (const o of log.deletedOffsets) if (o >= r.first && o < r.end) n++;
  return n;
}

/** fsync(2) of files on the thread pool; a file that no longer exists has nothing left to sync. */
async function fsyncFiles(files: readonly string[]): Promise<void> {
  for (const file of files) {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, 'r+');
    } catch (err) {
      if (sqliteCode(err) === 'ENOENT') continue;
      throw err;
    }
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

