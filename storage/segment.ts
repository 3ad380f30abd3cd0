/**
 * A segment: one SQLite database file (WAL mode) holding record batches of MANY logs, indexed by
 * (log id, base offset). The store appends to one active segment; sealed segments are only read, compacted
 * (rewritten without dead records, offsets kept) or deleted whole once nothing in them is live.
 */
import Database from 'better-sqlite3';
import { BrokerError } from '../src/core/errors';
import { checkStructure, checksum, decodeBatch, MalformedBatch, recordIndex, type ReadAcc } from './batch-codec';
import { applyPragmas, SEGMENT_PAGE_SIZE_BYTES, type JournalMode, type LockingMode } from './sqlite-pragmas';

/** What one segment holds of one log. */
export interface LogRange {
  /** Base offset of the first batch. */
  first: number;
  /** One past the last record's offset. */
  end: number;
  /** Payload bytes (key + headers + value) of the records. */
  bytes: number;
  records: number;
  maxTimestamp: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS batches (
  log_id INTEGER NOT NULL,
  base_offset INTEGER NOT NULL,
  last_offset INTEGER NOT NULL,
  record_count INTEGER NOT NULL,
  payload_bytes INTEGER NOT NULL,
  max_ts INTEGER NOT NULL,
  crc INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS batches_by_log ON batches (log_id, base_offset);
`;

type ReadRow = [number, number, Buffer];

export class Segment {
  readonly ranges = new Map<number, LogRange>();
  /** Bytes of batch data written (what sealing measures). */
  dataBytes = 0;
  sealed = false;
  private conn: Database.Database | null;
  private insertStmt!: Database.Statement<[number, number, number, number, number, number, number, Buffer]>;
  private readStmt!: Database.Statement<[number, number, number], ReadRow>;
  private tsStmt!: Database.Statement<[number, number, number], ReadRow>;
  private liveStmt!: Database.Statement<[number, number], ReadRow>;

  private constructor(
    readonly seq: number,
    readonly file: string,
    private readonly synchronous: 'full' | 'normal',
    readonly journal: JournalMode,
    private readonly pool: SegmentPool,
    private lockingMode: LockingMode,
  ) {
    this.conn = this.openDb();
  }

  /**
   * Opens (or creates) a segment file. Structural damage surfaces as STORAGE_CORRUPT naming the file. `locking`
   * 'normal' lets the writer worker and the main thread's readers share the file.
   */
  static open(
    seq: number,
    file: string,
    synchronous: 'full' | 'normal',
    journal: JournalMode,
    pool: SegmentPool,
    locking: LockingMode = 'exclusive',
  ): Segment {
    try {
      return new Segment(seq, file, synchronous, journal, pool, locking);
    } catch (err) {
      throw isCorruptionError(err) ? corrupt(file, err) : err;
    }
  }

  get locking(): LockingMode {
    return this.lockingMode;
  }

  /**
   * A sealed segment is the main thread's alone once the writer worker closed it: exclusive locking again (no
   * -shm, two descriptors). Takes effect when the connection next opens.
   */
  lockExclusively(): void {
    if (this.lockingMode === 'exclusive') return;
    this.close();
    this.lockingMode = 'exclusive';
  }

  /** The connection, reopened if the pool closed it while the segment sat unused. */
  private get db(): Database.Database {
    if (this.conn === null) {
      try {
        this.conn = this.openDb();
      } catch (err) {
        throw isCorruptionError(err) ? corrupt(this.file, err) : err;
      }
    }
    if (this.sealed) this.pool.touch(this);
    return this.conn;
  }

  /** Statements belong to the connection: (re)open it before using them. */
  private ensureOpen(): void {
    if (this.db.open !== true) throw new Error(`${this.file}: connection closed`);
  }

  private openDb(): Database.Database {
    const db = new Database(this.file);
    applyPragmas(db, this.synchronous, SEGMENT_PAGE_SIZE_BYTES, this.journal, this.lockingMode);
    db.exec(SCHEMA);
    this.insertStmt = db.prepare(
      'INSERT INTO batches (log_id, base_offset, last_offset, record_count, payload_bytes, max_ts, crc, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    // The batch containing `from` (greatest base <= from) and every later one, in offset order.
    this.readStmt = db
      .prepare<[number, number, number], ReadRow>(
        `SELECT base_offset, crc, data FROM batches WHERE log_id = ? AND base_offset >=
           coalesce((SELECT max(base_offset) FROM batches WHERE log_id = ? AND base_offset <= ?), 0)
         ORDER BY base_offset`,
      )
      .raw(true);
    this.tsStmt = db
      .prepare<[number, number, number], ReadRow>(
        'SELECT base_offset, crc, data FROM batches WHERE log_id = ? AND last_offset >= ? AND max_ts >= ? ORDER BY base_offset',
      )
      .raw(true);
    this.liveStmt = db
      .prepare<[number, number], ReadRow>(
        'SELECT base_offset, crc, data FROM batches WHERE log_id = ? AND last_offset >= ? ORDER BY base_offset',
      )
      .raw(true);
    return db;
  }

  /**
   * Verifies the file (quick_check and every batch's CRC) and rebuilds `ranges`. Reads the whole segment once;
   * recovery trusts nothing it has not checked.
   */
  verifyAndIndex(): void {
    try {
      const check = this.db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`quick_check: ${String(check)}`);
      this.ranges.clear();
      this.dataBytes = 0;
      const rows = this.db
        .prepare<[], [number, number, number, number, number, number, number, Buffer]>(
          'SELECT log_id, base_offset, last_offset, record_count, payload_bytes, max_ts, crc, data FROM batches',
        )
        .raw(true);
      for (const [logId, base, last, count, bytes, maxTs, crc, data] of rows.iterate()) {
        if (checksum(data) !== crc >>> 0) throw new Error(`checksum mismatch in batch log=${logId} base=${base}`);
        if (checkStructure(data) !== count) throw new Error(`record count mismatch in batch log=${logId} base=${base}`);
        this.addRange(logId, base, last + 1, count, bytes, maxTs, data.length);
      }
    } catch (err) {
      if (err instanceof BrokerError) throw err;
      if (err instanceof Error && sqliteCode(err) !== undefined && !isCorruptionError(err)) throw err;
      throw corrupt(this.file, err);
    }
  }

  addRange(logId: number, first: number, end: number, records: number, bytes: number, maxTs: number, blobBytes: number): void {
    const r = this.ranges.get(logId);
    if (r === undefined) {
      this.ranges.set(logId, { first, end, bytes, records, maxTimestamp: maxTs });
    } else {
      if (first < r.first) r.first = first;
      if (end > r.end) r.end = end;
      r.bytes += bytes;
      r.records += records;
      if (maxTs > r.maxTimestamp) r.maxTimestamp = maxTs;
    }
    this.dataBytes += blobBytes;
  }

  /** Inserts one batch; call inside transaction(). The caller updates `ranges` once the commit succeeded. */
  insert(logId: number, base: number, last: number, count: number, payloadBytes: number, maxTs: number, blob: Buffer): void {
    this.ensureOpen();
    this.insertStmt.run(logId, base, last, count, payloadBytes, maxTs, checksum(blob), blob);
  }

  transaction(fn: () => void): void {
    this.db.transaction(fn)();
  }

  /** Reads committed records of a log from `fromOffset` into acc, verifying each batch's CRC. */
  read(logId: number, fromOffset: number, acc: ReadAcc): void {
    this.ensureOpen();
    for (const [base, crc, data] of this.readStmt.iterate(logId, logId, fromOffset)) {
      this.decodeVerified(data, base, crc, fromOffset, acc);
      if (acc.done) return;
    }
  }

  /** First offset >= fromOffset of this log whose timestamp is >= ts, if this segment has one. */
  offsetForTimestamp(logId: number, fromOffset: number, ts: number): number | undefined {
    this.ensureOpen();
    for (const [base, crc, data] of this.tsStmt.iterate(logId, fromOffset, ts)) {
      this.verify(data, crc);
      try {
        for (const r of recordIndex(data, base)) if (r.offset >= fromOffset && r.timestamp >= ts) return r.offset;
      } catch (err) {
        throw corrupt(this.file, err);
      }
    }
    return undefined;
  }

  /**
   * Batches of a log with records at or above fromOffset, for compaction (verified, raw).
   */
  *liveBatches(logId: number, fromOffset: number): Generator<{ base: number; data: Buffer }> {
    this.ensureOpen();
    for (const [base, crc, data] of this.liveStmt.iterate(logId, fromOffset)) {
      this.verify(data, crc);
      yield { base, data };
    }
  }

  private verify(data: Buffer, crc: number): void {
    if (checksum(data) !== crc >>> 0) throw corrupt(this.file, new Error('batch checksum mismatch'));
  }

  private decodeVerified(data: Buffer, base: number, crc: number, fromOffset: number, acc: ReadAcc): void {
    this.verify(data, crc);
    try {
      decodeBatch(data, base, fromOffset, acc);
    } catch (err) {
      throw corrupt(this.file, err);
    }
  }

  /** WAL checkpoint; TRUNCATE also resets the WAL file to zero bytes. Nothing to do with a rollback journal. */
  checkpoint(mode: 'PASSIVE' | 'RESTART' | 'TRUNCATE'): void {
    // A closed connection left nothing in the WAL: closing checkpoints it.
    if (this.journal === 'wal' && this.conn !== null) this.db.pragma(`wal_checkpoint(${mode})`);
  }

  /** Releases the page cache (a sealed segment is read rarely; memory stays flat with many segments). */
  releaseCache(): void {
    this.db.pragma('shrink_memory');
  }

  /** Test hook: makes the file refuse to grow, as a full disk would. */
  setMaxPageCount(pages: number): void {
    this.db.pragma(`max_page_count = ${pages}`);
  }

  close(): void {
    if (this.conn?.open === true) this.conn.close();
    this.conn = null;
    this.pool.forget(this);
  }

  /** Reopens after the file was replaced (compaction). */
  reopen(): void {
    this.close();
    this.conn = this.openDb();
  }
}

/** SQLite result codes that mean the file itself is damaged (not locked, not missing, not out of space). */
export function isCorruptionError(err: unknown): boolean {
  const code = sqliteCode(err);
  return code !== undefined && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

export function sqliteCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code: unknown = err.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Keeps at most `openMax` sealed segments' connections open (least recently used closed first), so descriptors
 * stay bounded however much data the store holds. A closed segment reopens on its next read.
 */
export class SegmentPool {
  private readonly open = new Set<Segment>();

  constructor(private readonly openMax: number) {}

  touch(seg: Segment): void {
    this.open.delete(seg);
    this.open.add(seg);
    for (const oldest of this.open) {
      if (this.open.size <= this.openMax) break;
      if (oldest !== seg) oldest.close();
    }
  }

  forget(seg: Segment): void {
    this.open.delete(seg);
  }

  openCount(): number {
    return this.open.size;
  }
}

export function corrupt(file: string, err: unknown): BrokerError {
  if (err instanceof BrokerError) return err;
  const why = err instanceof MalformedBatch || err instanceof Error ? err.message : String(err);
  return new BrokerError('STORAGE_CORRUPT', `${file}: ${why}`);
}
