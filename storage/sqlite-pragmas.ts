import type Database from 'better-sqlite3';

/** Page size of segment files: big pages mean few pages per batch blob and little per-row overhead. */
export const SEGMENT_PAGE_SIZE_BYTES = 65_536;
/** A WAL (or persisted rollback journal) that has grown past this is truncated back after a checkpoint/commit. */
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * How a database journals. 'wal': one fsync per commit, but every byte is written twice (WAL, then checkpoint).
 * 'persist': a rollback journal kept between commits; pages appended past the end of the file are not journaled,
 * so append-only segments write their data once (three fsyncs per commit instead of one).
 */
export type JournalMode = 'wal' | 'persist';

/**
 * 'exclusive': one connection owns the file (no -shm; a second process fails fast). 'normal': several connections
 * of this process share it through a -shm file (the writer worker thread writes, the main thread reads).
 */
export type LockingMode = 'exclusive' | 'normal';

/**
 * Pragmas every database of the store gets. Exclusive locking: one broker owns the data directory (a second
 * process fails fast with SQLITE_BUSY) and SQLite keeps the WAL index in heap memory, so a file costs two
 * descriptors, not three. WAL autocheckpoint is off: the store checkpoints deliberately (see SqliteLogStore).
 * synchronous=FULL is set explicitly because better-sqlite3 builds SQLite with WAL defaulting to NORMAL.
 */
export function applyPragmas(
  db: Database.Database,
  synchronous: 'full' | 'normal',
  pageSizeBytes: number,
  journal: JournalMode = 'wal',
  locking: LockingMode = 'exclusive',
): void {
  db.pragma(`page_size = ${pageSizeBytes}`);
  db.pragma(`locking_mode = ${locking === 'exclusive' ? 'EXCLUSIVE' : 'NORMAL'}`);
  db.pragma(`journal_mode = ${journal === 'wal' ? 'WAL' : 'PERSIST'}`);
  db.pragma(`synchronous = ${synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
}

/** Files SQLite may keep beside a database. */
export const SIDE_FILE_SUFFIXES = ['-wal', '-shm', '-journal'] as const;

/** WAL size at which the small databases (catalog, metadata) are checkpointed (TRUNCATE: the file restarts empty). */
export const SMALL_DB_CHECKPOINT_WAL_BYTES = 4 * 1024 * 1024;
