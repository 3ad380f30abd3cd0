/**
 * The segment writer worker thread: owns the write connection of the active segment, so that the transaction,
 * its fsync (synchronous=FULL here) and checkpoints never block the main thread's event loop. The main thread
 * only encodes (one transferred buffer per commit) and reads through its own connections (locking_mode=NORMAL,
 * shared -shm). Commits waiting in the port while one is being written are merged into one transaction: group
 * commit happens here without any timer.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { Segment, SegmentPool, sqliteCode } from './segment';
import {
  CTL_DONE_ID,
  CTL_HOOK_GATE,
  ROW_FIELDS,
  type CommitMsg,
  type FromWriter,
  type ToWriter,
  type WriterData,
  type WriterError,
} from './segment-writer-protocol';

const data = workerData as WriterData;
const port: MessagePort = data.port;
const ctl = new Int32Array(data.ctl);
/** The writer never reads sealed segments: its pool only satisfies Segment's constructor. */
const pool = new SegmentPool(1);
const open = new Map<number, Segment>();
let walBytes = 0;
/** Commits of this epoch (and older) are refused: an earlier commit of it failed. */
let failedEpoch = -1;

function send(msg: FromWriter): void {
  port.postMessage(msg);
}

function segment(seq: number, file: string): Segment {
  let seg = open.get(seq);
  if (seg === undefined) {
    seg = Segment.open(seq, file, data.synchronous, 'wal', pool, 'normal');
    open.set(seq, seg);
    walBytes = 0;
  }
  return seg;
}

function toError(err: unknown): WriterError {
  return { code: sqliteCode(err), message: err instanceof Error ? err.message : String(err) };
}

function answer(first: number, last: number, error: WriterError | null): void {
  Atomics.store(ctl, CTL_DONE_ID, last);
  Atomics.notify(ctl, CTL_DONE_ID);
  send({ t: 'done', firstId: first, lastId: last, error });
}

/** Lets the main thread run its insideCommit hook while this transaction is open (crash tests). */
function waitForHook(): void {
  Atomics.store(ctl, CTL_HOOK_GATE, 0);
  send({ t: 'inside' });
  Atomics.wait(ctl, CTL_HOOK_GATE, 0);
}

/** Writes consecutive commits to one segment in one transaction. */
function commitGroup(group: readonly CommitMsg[]): void {
  const first = group[0];
  const last = group[group.length - 1];
  if (first.epoch <= failedEpoch) {
    answer(first.id, last.id, { code: undefined, message: 'an earlier commit failed' });
    return;
  }
  try {
    const seg = segment(first.seq, first.file);
    let bytes = 0;
    seg.transaction(() => {
      for (const c of group) {
        const buf = Buffer.from(c.buf);
        const rows = c.rows;
        for (let i = 0; i < rows.length; i += ROW_FIELDS) {
          const blob = buf.subarray(rows[i + 6], rows[i + 6] + rows[i + 7]);
          seg.insert(rows[i], rows[i + 1], rows[i + 2], rows[i + 3], rows[i + 4], rows[i + 5], blob);
          bytes += blob.length;
        }
        if (c.hook) waitForHook();
      }
    });
    walBytes += bytes + data.commitOverheadBytes;
    answer(first.id, last.id, null);
  } catch (err) {
    failedEpoch = first.epoch;
    answer(first.id, last.id, toError(err));
    return;
  }
  if (walBytes >= data.checkpointWalBytes) {
    walBytes = 0;
    // A failed checkpoint leaves the WAL longer, nothing lost: the next one retries.
    try {
      open.get(first.seq)?.checkpoint('PASSIVE');
    } catch {
      walBytes = data.checkpointWalBytes;
    }
  }
}

function seal(seq: number): void {
  const seg = open.get(seq);
  open.delete(seq);
  let error: WriterError | null = null;
  try {
    seg?.checkpoint('TRUNCATE');
  } catch (err) {
    error = toError(err);
  }
  seg?.close();
  send({ t: 'sealed', seq, error });
}

function handle(batch: readonly ToWriter[]): boolean {
  let group: CommitMsg[] = [];
  const flush = (): void => {
    if (group.length > 0) commitGroup(group);
    group = [];
  };
  for (const m of batch) {
    if (m.t === 'commit') {
      // A group shares one segment and one epoch (a failed epoch must not swallow a later one).
      if (group.length > 0 && (group[0].seq !== m.seq || group[0].epoch !== m.epoch)) flush();
      group.push(m);
      continue;
    }
    flush();
    if (m.t === 'seal') seal(m.seq);
    else if (m.t === 'maxPages') {
      try {
        segment(m.seq, m.file).setMaxPageCount(m.pages);
      } catch {
        // Test hook only: the next commit reports whatever is wrong with the segment.
      }
    }
    else {
      for (const seg of open.values()) {
        try {
          seg.checkpoint('TRUNCATE');
        } finally {
          seg.close();
        }
      }
      open.clear();
      send({ t: 'closed' });
      return false;
    }
  }
  flush();
  return true;
}

port.on('message', (first: ToWriter) => {
  // Everything already queued joins this round: while a commit is being written (and fsynced) the next ones
  // pile up, and are then written together.
  const batch: ToWriter[] = [first];
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) batch.push(m.message as ToWriter);
  if (!handle(batch)) port.close();
});
send({ t: 'ready' });
