/**
 * The segment writer worker thread: owns the write connection of the active segment, so that the transaction,
 * its fsync (synchronous=FULL here) and checkpoints never block the main thread's event loop. The main thread
 * only encodes (one transferred buffer per commit) and reads through its own connections (locking_mode=NORMAL,
 * shared -shm). Commits waiting in the port while one is being written are merged into one transaction: group
 * commit happens here without any timer.
 */
import path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import { Segment, SegmentPool, sqliteCode } from './segment';
import { SEGMENT_PAGE_SIZE_BYTES } from './sqlite-pragmas';
import {
  CK_BUSY,
  CK_DONE,
  CK_DROPS,
  CK_LOG_FRAMES,
  CK_SLOTS,
  type CheckpointerData,
  type ToCheckpointer,
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
/** The segment of the last commit: the one an idle checkpoint copies. */
let lastSeq = -1;
/** Commits of this epoch (and older) are refused: an earlier commit of it failed. */
let failedEpoch = -1;

/** Longest the writer waits for the checkpointer (to finish a pass, or to drop a segment); then it goes on alone. */
export const CHECKPOINTER_WAIT_MS_MAX = 10_000;

/**
 * The checkpointer thread (wal-checkpointer-worker.ts), when data.checkpointer is 'thread'. Shared control words
 * instead of messages for its answers: the writer polls "is a checkpoint outstanding" after every commit for free,
 * and waits synchronously (Atomics.wait) only when it must (sealing, close, WAL over its bound).
 */
class Checkpointer {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CK_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private readonly port: MessagePort;
  private readonly worker: Worker;

  constructor() {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const ckData: CheckpointerData = { port: port2, ctl: this.ctl.buffer as SharedArrayBuffer };
    this.worker = new Worker(path.join(__dirname, 'wal-checkpointer-worker.js'), { workerData: ckData, transferList: [port2] });
    // A dead checkpointer only means longer WALs: the writer's own bound (walBytesMax) still holds.
    this.worker.on('error', () => undefined);
    this.worker.unref();
    this.port.unref();
  }

  private passesSeen = 0;

  /** True once per finished request (the checkpointer counts its passes in CK_DONE). */
  takeFinishedPass(): boolean {
    const done = Atomics.load(this.ctl, CK_DONE);
    if (done === this.passesSeen) return false;
    this.passesSeen = done;
    return true;
  }

  /**
   * Estimated bytes in the WAL since it last restarted: what the checkpointer's last pass saw plus what was written
   * since. (The WAL file's size says nothing: it keeps its largest size up to journal_size_limit, on purpose — a
   * WAL that grows past its end on every commit makes each fsync also write the file's metadata.)
   */
  walBytesEstimate(sinceRequest: number): number {
    return Atomics.load(this.ctl, CK_LOG_FRAMES) * WAL_FRAME_BYTES + sinceRequest;
  }

  /** The WAL restarts at the next commit (it was fully copied): forget the last pass's size. */
  restarting(): void {
    Atomics.store(this.ctl, CK_LOG_FRAMES, 0);
  }

  get busy(): boolean {
    return Atomics.load(this.ctl, CK_BUSY) !== 0;
  }

  request(seq: number, file: string): void {
    Atomics.store(this.ctl, CK_BUSY, 1);
    this.post({ t: 'checkpoint', seq, file });
  }

  /** Waits until no checkpoint is outstanding (or the deadline passed). */
  idle(): void {
    waitWhile(this.ctl, CK_BUSY, 1);
  }

  /** Closes the checkpointer's connection to `seq` and waits until it is closed: sealing locks the file exclusively. */
  drop(seq: number): void {
    const before = Atomics.load(this.ctl, CK_DROPS);
    this.post({ t: 'drop', seq });
    waitWhile(this.ctl, CK_DROPS, before);
  }

  async stop(): Promise<void> {
    this.port.close();
    await this.worker.terminate();
  }

  private post(m: ToCheckpointer): void {
    this.port.postMessage(m);
  }
}

/** A WAL frame: a 24-byte header and a page. */
const WAL_FRAME_BYTES = 24 + SEGMENT_PAGE_SIZE_BYTES;

function waitWhile(words: Int32Array, slot: number, value: number): void {
  const deadline = Date.now() + CHECKPOINTER_WAIT_MS_MAX;
  while (Atomics.load(words, slot) === value) {
    const left = deadline - Date.now();
    if (left <= 0) return;
    Atomics.wait(words, slot, value, left);
  }
}

const checkpointer = data.checkpointer === 'thread' ? new Checkpointer() : null;

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
    lastSeq = first.seq;
    answer(first.id, last.id, null);
  } catch (err) {
    failedEpoch = first.epoch;
    answer(first.id, last.id, toError(err));
    return;
  }
  if (walBytes >= data.checkpointWalBytes) checkpointAfterCommit(first.seq, first.file);
}

function checkpointAfterCommit(seq: number, file: string): void {
  const seg = open.get(seq);
  if (seg === undefined) return;
  if (checkpointer === null) {
    walBytes = 0;
    // A failed checkpoint leaves the WAL longer, nothing lost: the next one retries.
    try {
      seg.checkpoint('PASSIVE');
    } catch {
      walBytes = data.checkpointWalBytes;
    }
    return;
  }
  const walNow = checkpointer.walBytesEstimate(walBytes);
  if (checkpointer.busy) {
    if (walNow > data.walBytesMax) restartWal(seg);
    return;
  }
  // Only once the WAL has grown to half its bound: each copy here costs this thread an fsync, the passes do not.
  if (checkpointer.takeFinishedPass() && walNow > data.walBytesMax / 2) {
    // The checkpointer copied the bulk while commits went on; what arrived during its last pass is small. Copying
    // that here, between commits, leaves the WAL fully copied, so SQLite restarts it at the next commit (it never
    // restarts while frames remain: the WAL would only grow).
    try {
      seg.checkpoint('PASSIVE');
      checkpointer.restarting();
    } catch {
      // Busy (a reader): the bound below still holds.
    }
    return;
  }
  if (walBytes < data.checkpointWalBytes) return;
  if (walNow > data.walBytesMax) {
    restartWal(seg);
    return;
  }
  walBytes = 0;
  checkpointer.request(seq, file);
}

/**
 * The WAL passed walBytesMax (the checkpointer fell behind, or a reader kept it from restarting): wait for the
 * checkpointer's pass, then copy the rest and restart the WAL here. Rare; this is what keeps the WAL bounded.
 */
function restartWal(seg: Segment): void {
  checkpointer?.idle();
  checkpointer?.takeFinishedPass();
  walBytes = 0;
  try {
    seg.checkpoint('RESTART');
    checkpointer?.restarting();
  } catch {
    // Busy (a long reader): the next commit past the bound retries.
  }
}

function seal(seq: number): void {
  const seg = open.get(seq);
  open.delete(seq);
  // The checkpointer lets go first: the sealed file is then locked exclusively by the main thread.
  checkpointer?.drop(seq);
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
      for (const seq of open.keys()) checkpointer?.drop(seq);
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

/** Whether an idle checkpoint is due: enough WAL since the last one, and this thread runs checkpoints itself. */
function idleCheckpointDue(): boolean {
  return checkpointer === null && walBytes >= data.checkpointIdleWalBytes && open.has(lastSeq);
}

function idleCheckpoint(): void {
  const seg = open.get(lastSeq);
  if (seg === undefined) return;
  walBytes = 0;
  // A failed checkpoint leaves the WAL longer, nothing lost: the forced one at checkpointWalBytes retries.
  try {
    seg.checkpoint('PASSIVE');
  } catch {
    walBytes = data.checkpointWalBytes;
  }
}

port.on('message', (first: ToWriter) => {
  let next: ToWriter | undefined = first;
  while (next !== undefined) {
    // Everything already queued joins this round: while a commit is being written (and fsynced) the next ones
    // pile up, and are then written together.
    const batch: ToWriter[] = [next];
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) batch.push(m.message as ToWriter);
    if (!handle(batch)) {
      port.close();
      void checkpointer?.stop();
      return;
    }
    if (!idleCheckpointDue()) return;
    // A commit that arrived meanwhile goes first; the checkpoint waits for a moment when nobody waits for it.
    next = receiveMessageOnPort(port)?.message as ToWriter | undefined;
    if (next === undefined) idleCheckpoint();
  }
});
send({ t: 'ready' });
