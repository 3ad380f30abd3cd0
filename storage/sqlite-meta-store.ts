/**
 * SqliteMetaStore: durable key/value metadata in its own SQLite database (e.g. <dataDir>/meta.sqlite). Reads are
 * served from an in-memory copy (get/list are synchronous and hot); writes update the copy at once and are
 * grouped into one transaction per tick, and put/delete resolve after that transaction committed. With 'full'
 * the connection runs WAL + synchronous=NORMAL and the store fsyncs the WAL on the thread pool before resolving
 * (as SqliteLogStore does), so a commit never blocks the event loop on the disk.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { BrokerError } from '../src/core/errors';
import { childLogger } from '../src/core/logger';
import { applyPragmas, SMALL_DB_CHECKPOINT_WAL_BYTES } from './sqlite-pragmas';
import { listSpace } from './meta-space';
import type { MetaStore } from './types';

/** The metadata rows are small. */
const META_PAGE_SIZE_BYTES = 4096;
/** Commits between two looks at the WAL size. */
const META_CHECKPOINT_CHECK_COMMITS = 256;

interface Waiter {
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class SqliteMetaStore implements MetaStore {
  private readonly spaces = new Map<string, Map<string, string>>();
  /**
   * Writes of this tick: namespace\0key → JSON text (null: delete), and the value before the tick's first write
   * of that key, so that a failed commit puts memory back to what the database holds.
   */
  private readonly dirty = new Map<string, { namespace: string; key: string; json: string | null; before: string | undefined }>();
  private waiters: Waiter[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private readonly upsert: Database.Statement<[string, string, string]>;
  /** @internal Test hook: the next commit fails as a full disk would. */
  failNextCommit = false;
  private readonly remove: Database.Statement<[string, string]>;
  private closed = false;
  private syncing: Promise<void> = Promise.resolve();
  private syncInFlight = false;
  /** Committed writes waiting for the next fsync. */
  private unsynced: Waiter[] = [];
  private commitsSinceCheck = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    private readonly synchronous: 'full' | 'normal',
  ) {
    db.exec('CREATE TABLE IF NOT EXISTS meta (namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID');
    this.upsert = db.prepare('INSERT INTO meta (namespace, key, value) VALUES (?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value');
    this.remove = db.prepare('DELETE FROM meta WHERE namespace = ? AND key = ?');
    for (const row of db.prepare<[], { namespace: string; key: string; value: string }>('SELECT namespace, key, value FROM meta').all()) {
      this.space(row.namespace).set(row.key, row.value);
    }
  }

  static open(file: string, synchronous: 'full' | 'normal'): SqliteMetaStore {
    const db = new Database(file);
    try {
      applyPragmas(db, 'normal', META_PAGE_SIZE_BYTES);
      const check = db.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new BrokerError('STORAGE_CORRUPT', `${file}: quick_check: ${String(check)}`);
      return new SqliteMetaStore(db, file, synchronous);
    } catch (err) {
      db.close();
      if (err instanceof BrokerError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      throw new BrokerError('STORAGE_CORRUPT', `${file}: ${message}`);
    }
  }

  get<T>(namespace: string, key: string): T | undefined {
    const text = this.spaces.get(namespace)?.get(key);
    return text === undefined ? undefined : (JSON.parse(text) as T);
  }

  put(namespace: string, key: string, value: unknown): Promise<void> {
    if (this.closed) return closedError();
    const json = JSON.stringify(value);
    if (json === undefined) throw new BrokerError('INVALID_ARGUMENT', `meta value for ${namespace}/${key} is not JSON`);
    const promise = this.schedule(namespace, key, json);
    this.space(namespace).set(key, json);
    return promise;
  }

  delete(namespace: string, key: string): Promise<void> {
    if (this.closed) return closedError();
    const promise = this.schedule(namespace, key, null);
    this.spaces.get(namespace)?.delete(key);
    return promise;
  }

  list<T>(namespace: string): Array<[string, T]> {
    return listSpace<T>(this.spaces.get(namespace));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.commit();
    this.closed = true;
    while (this.syncInFlight || this.unsynced.length > 0) await this.syncing;
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    this.db.close();
  }

  private space(namespace: string): Map<string, string> {
    let space = this.spaces.get(namespace);
    if (space === undefined) {
      space = new Map();
      this.spaces.set(namespace, space);
    }
    return space;
  }

  private schedule(namespace: string, key: string, json: string | null): Promise<void> {
    const id = `${namespace}\0${key}`;
    const before = this.dirty.has(id) ? this.dirty.get(id)?.before : this.spaces.get(namespace)?.get(key);
    this.dirty.set(id, { namespace, key, json, before });
    const promise = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    // An ignored promise of a failed commit must not become an unhandled rejection (which ends the process).
    promise.catch(() => undefined);
    if (this.immediate === null) this.immediate = setImmediate(() => this.commit());
    return promise;
  }

  /** One transaction for every write of the tick. */
  private commit(): void {
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.immediate = null;
    const writes = [...this.dirty.values()];
    const waiters = this.waiters;
    this.dirty.clear();
    this.waiters = [];
    if (writes.length === 0) return;
    try {
      if (this.failNextCommit) {
        this.failNextCommit = false;
        throw new Error('database or disk is full (test hook)');
      }
      this.db.transaction(() => {
        for (const w of writes) {
          if (w.json === null) this.remove.run(w.namespace, w.key);
          else this.upsert.run(w.namespace, w.key, w.json);
        }
      })();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      childLogger('storage').error({ err: message }, 'metadata commit failed');
      const code = /full/i.test(message) ? 'STORAGE_FULL' : 'INTERNAL_ERROR';
      // Memory goes back to what the database holds (later writes of other ticks are not affected: none yet).
      for (const w of writes) {
        if (w.before === undefined) this.spaces.get(w.namespace)?.delete(w.key);
        else this.space(w.namespace).set(w.key, w.before);
      }
      for (const w of waiters) w.reject(new BrokerError(code, `metadata commit failed: ${message}`));
      return;
    }
    this.checkpointIfLarge();
    if (this.synchronous === 'normal') {
      for (const w of waiters) w.resolve();
      return;
    }
    this.unsynced.push(...waiters);
    this.startSync();
  }

  /** One fsync at a time; it covers every commit written before it started (group fsync). */
  private startSync(): void {
    if (this.syncInFlight || this.unsynced.length === 0) return;
    this.syncInFlight = true;
    const waiters = this.unsynced.splice(0);
    this.syncing = fsyncFile(this.file + '-wal').then(
      () => {
        for (const w of waiters) w.resolve();
      },
      (err: unknown) => {
        childLogger('storage').error({ err: String(err) }, 'metadata fsync failed');
        for (const w of waiters) w.reject(new BrokerError('INTERNAL_ERROR', `metadata fsync failed: ${String(err)}`));
      },
    );
    void this.syncing.then(() => {
      this.syncInFlight = false;
      this.startSync();
    });
  }

  /**
   * Autocheckpoint is off (applyPragmas): checkpoint here, every few hundred commits when the WAL has grown.
   * SQLite syncs the WAL before and the database after a checkpoint, so this never weakens durability.
   */
  private checkpointIfLarge(): void {
    if (++this.commitsSinceCheck < META_CHECKPOINT_CHECK_COMMITS) return;
    this.commitsSinceCheck = 0;
    let size = 0;
    try {
      size = fs.statSync(this.file + '-wal').size;
    } catch {
      return;
    }
    if (size >= SMALL_DB_CHECKPOINT_WAL_BYTES) this.db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/** Rejected, but already handled: a write ignored by a caller after shutdown must not end the process. */
function closedError(): Promise<void> {
  const promise = Promise.reject(new BrokerError('BROKER_STOPPING', 'meta store is closed'));
  promise.catch(() => undefined);
  return promise;
}

async function fsyncFile(file: string): Promise<void> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r+');
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return;
    throw err;
  }
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
