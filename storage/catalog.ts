/**
 * The catalog: a small SQLite database (catalog.sqlite) mapping log names to ids and remembering each log's start
 * offset, next offset and retention. Segments stay the truth for what was appended (recovery takes the larger
 * next offset); the catalog is what keeps offsets exact once every segment of a log has been reclaimed, which is
 * why the store writes it before it deletes a segment file.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { applyPragmas, SMALL_DB_CHECKPOINT_WAL_BYTES } from './sqlite-pragmas';
import type { RetentionPolicy } from './types';

export interface CatalogEntry {
  id: number;
  name: string;
  startOffset: number;
  nextOffset: number;
  retention: RetentionPolicy;
}

/** Page size of the catalog: its rows are small. */
const CATALOG_PAGE_SIZE_BYTES = 4096;

export class Catalog {
  private readonly db: Database.Database;
  private readonly upsertStmt: Database.Statement<[number, string, number, number, string]>;
  private readonly deleteStmt: Database.Statement<[number]>;

  /**
   * The connection runs synchronous=NORMAL: a write that must be durable before the store goes on is followed by
   * write(…, true) (fsync of the WAL here), otherwise the store fsyncs the WAL with the next group commit's fsync
   * (see SqliteLogStore.startSync), so creating a queue does not stall the event loop on the disk.
   */
  constructor(readonly file: string) {
    this.db = new Database(file);
    applyPragmas(this.db, 'normal', CATALOG_PAGE_SIZE_BYTES);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS logs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        start_offset INTEGER NOT NULL,
        next_offset INTEGER NOT NULL,
        retention TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    `);
    this.upsertStmt = this.db.prepare(
      `INSERT INTO logs (id, name, start_offset, next_offset, retention) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET start_offset = excluded.start_offset, next_offset = excluded.next_offset,
         retention = excluded.retention`,
    );
    this.deleteStmt = this.db.prepare('DELETE FROM logs WHERE id = ?');
  }

  load(): CatalogEntry[] {
    const rows = this.db
      .prepare<[], { id: number; name: string; start_offset: number; next_offset: number; retention: string }>(
        'SELECT id, name, start_offset, next_offset, retention FROM logs',
      )
      .all();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      startOffset: r.start_offset,
      nextOffset: r.next_offset,
      retention: JSON.parse(r.retention) as RetentionPolicy,
    }));
  }

  /** Highest log id ever handed out, so ids of deleted logs (whose batches may linger) are never reused. */
  maxLogId(): number {
    const row = this.db.prepare<[], { value: number }>("SELECT value FROM counters WHERE name = 'max_log_id'").get();
    return row?.value ?? 0;
  }

  /** Writes upserts, deletions and the id counter in one transaction; fsyncs it when `durableNow`. */
  write(upserts: readonly CatalogEntry[], deletes: readonly number[], maxLogId: number, durableNow: boolean): void {
    this.db.transaction(() => {
      // Deletions first: a log deleted and re-created under the same name in one tick must not hit UNIQUE(name).
      for (const id of deletes) this.deleteStmt.run(id);
      for (const e of upserts) this.upsertStmt.run(e.id, e.name, e.startOffset, e.nextOffset, JSON.stringify(e.retention));
      this.db
        .prepare("INSERT INTO counters (name, value) VALUES ('max_log_id', ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value")
        .run(maxLogId);
    })();
    if (durableNow) fsyncSync(this.walFile());
  }

  walFile(): string {
    return this.file + '-wal';
  }

  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Autocheckpoint is off everywhere: without this the catalog's WAL would grow for as long as the broker runs. */
  checkpointIfLarge(): void {
    let size = 0;
    try {
      size = fs.statSync(this.walFile()).size;
    } catch {
      return;
    }
    if (size >= SMALL_DB_CHECKPOINT_WAL_BYTES) this.checkpoint();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function fsyncSync(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return; // no WAL: nothing written since the last checkpoint, which synced
  }
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
