/**
 * The WAL checkpointer thread, started by the segment writer worker: copies the active segment's WAL pages into the
 * database file through its own connection, with PASSIVE checkpoints. In WAL mode a PASSIVE checkpoint takes only
 * the checkpoint lock, never the write lock, so the writer keeps committing (and fsyncing) while pages are copied:
 * a commit never waits for a checkpoint. SQLite restarts the WAL from its beginning at the first commit after a
 * checkpoint has copied every frame (and journal_size_limit trims the file then); the writer bounds the WAL itself
 * when that does not happen (WriterData.walBytesMax).
 *
 * Crash safety is SQLite's: a checkpoint only copies committed frames and fsyncs the WAL before and the database
 * after, so kill -9 at any point leaves a WAL that recovery replays.
 */
import Database from 'better-sqlite3';
import { workerData, type MessagePort } from 'node:worker_threads';
import { CK_BUSY, CK_DONE, CK_DROPS, CK_LOG_FRAMES, type CheckpointerData, type ToCheckpointer } from './segment-writer-protocol';

const data = workerData as CheckpointerData;
const port: MessagePort = data.port;
const ctl = new Int32Array(data.ctl);
const conns = new Map<number, Database.Database>();

/** Opens a reader connection: no schema, no journal change (the writer made the file WAL), never autocheckpoints. */
function connection(seq: number, file: string): Database.Database {
  let db = conns.get(seq);
  if (db === undefined) {
    db = new Database(file, { fileMustExist: true });
    db.pragma('locking_mode = NORMAL');
    db.pragma('wal_autocheckpoint = 0');
    conns.set(seq, db);
  }
  return db;
}

/**
 * Passes per request at most. One pass copies the frames that existed when it began; the writer appends more
 * meanwhile, so one pass alone almost never leaves the WAL fully copied, and SQLite restarts the WAL only then
 * (at the next commit). Each further pass copies what arrived during the previous one (less and less); the writer
 * copies the small rest itself between two commits (segment-writer-worker.ts), and the next commit restarts the WAL.
 */
export const CHECKPOINT_PASSES_MAX = 3;

interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

function catchUp(db: Database.Database): void {
  let prevLog = -1;
  for (let pass = 0; pass < CHECKPOINT_PASSES_MAX; pass++) {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as CheckpointRow[];
    if (row !== undefined) Atomics.store(ctl, CK_LOG_FRAMES, row.log);
    // Caught up (nothing new since the last pass), or the writer already restarted the WAL.
    if (row === undefined || row.log <= prevLog) return;
    prevLog = row.log;
  }
}

function release(slot: number, value: number): void {
  Atomics.store(ctl, slot, value);
  Atomics.notify(ctl, slot);
}

port.on('message', (m: ToCheckpointer) => {
  if (m.t === 'checkpoint') {
    try {
      catchUp(connection(m.seq, m.file));
      Atomics.add(ctl, CK_DONE, 1);
    } catch {
      // A failed checkpoint leaves the WAL longer, nothing lost: the writer asks again after more WAL, and bounds it.
    }
    release(CK_BUSY, 0);
    return;
  }
  const db = conns.get(m.seq);
  conns.delete(m.seq);
  try {
    db?.close();
  } catch {
    // Closing a reader connection cannot lose data; the writer still holds its own.
  }
  release(CK_DROPS, Atomics.load(ctl, CK_DROPS) + 1);
});
