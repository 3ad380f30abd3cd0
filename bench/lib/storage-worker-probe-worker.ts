/**
 * Worker half of the storage worker-thread probe (bench/lib/storage-worker-probe.ts): owns a segment-like SQLite
 * database (WAL, synchronous=FULL, 64 KiB pages) and commits each batch list it receives, then replies.
 */
import Database from 'better-sqlite3';
import { crc32 } from 'node:zlib';
import { parentPort, workerData } from 'node:worker_threads';

interface ProbeCommit {
  id: number;
  rows: Array<{ logId: number; base: number; count: number; blob: ArrayBuffer }>;
}

const file = String((workerData as { file: string }).file);
const db = new Database(file);
db.pragma('page_size = 65536');
db.pragma('locking_mode = EXCLUSIVE');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0');
db.exec('CREATE TABLE IF NOT EXISTS batches (log_id INTEGER, base_offset INTEGER, record_count INTEGER, crc INTEGER, data BLOB)');
db.exec('CREATE UNIQUE INDEX IF NOT EXISTS batches_by_log ON batches (log_id, base_offset)');
const insert = db.prepare('INSERT INTO batches (log_id, base_offset, record_count, crc, data) VALUES (?, ?, ?, ?, ?)');
let walBytes = 0;

parentPort?.on('message', (msg: ProbeCommit | 'close') => {
  if (msg === 'close') {
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    parentPort?.postMessage('closed');
    return;
  }
  db.transaction(() => {
    for (const r of msg.rows) {
      const blob = Buffer.from(r.blob);
      insert.run(r.logId, r.base, r.count, crc32(blob), blob);
      walBytes += blob.length;
    }
  })();
  if (walBytes >= 8 * 1024 * 1024) {
    db.pragma('wal_checkpoint(PASSIVE)');
    walBytes = 0;
  }
  parentPort?.postMessage(msg.id);
});
