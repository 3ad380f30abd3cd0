/**
 * Held commits: appends to a log whose readers settle records before they are written (a queue whose consumer
 * acknowledges faster than the disk commits) wait on the main thread instead of going to the writer at once.
 * A record its reader settles meanwhile is withdrawn and never written; an append whose records were all
 * withdrawn resolves right then. A log's live records are written once the writer is free and that log's oldest
 * held append has waited HELD_COMMIT_WAIT_MS (the logs due then go as one commit, the others keep holding), and
 * everything at once when the store's groupCommitBytesMax is held or the store flushes.
 *
 * Why it is safe: the `durable` promise of an append means "on disk, or no longer needed". A withdrawn record
 * was consumed and acknowledged, which is when RabbitMQ confirms a persistent message it has not written (a
 * queue "delivered the message and received an acknowledgement", its extended AMQP 0-9-1 specification, class
 * confirm); nothing acknowledged is ever lost by skipping its write.
 *
 * Appends are grouped per log and event-loop turn (one HeldAppends each), so that acknowledgements flow back to
 * each publisher turn by turn and a slow reader of one log holds back only that log's publishers.
 */
import { WITHDRAWN_RECORD, encodedSize } from './batch-codec';
import { newRound, type Round } from './commit-round';
import type { SqliteLog } from './sqlite-log';

/** Longest a held append waits, when nobody withdraws it, before the writer gets it (the writer being free). */
export const HELD_COMMIT_WAIT_MS = 2;

/** The appends of one event-loop turn to one log, held. */
export interface HeldAppends {
  log: SqliteLog;
  round: Round;
  /** Records not withdrawn. */
  live: number;
  sinceMs: number;
  turn: number;
}

/** What the held commits need from the store. */
export interface HeldCommitHost {
  /** Writes these logs' pending records as one commit that settles `round`. */
  commitHeld(round: Round, logs: readonly SqliteLog[]): void;
  /** No commit is with the writer. */
  writerIdle(): boolean;
  /** `log`'s offsets below log.sent hold nothing more to write (withdrawn): they count as committed. */
  gapCommitted(log: SqliteLog): void;
}

export class HeldCommits {
  private readonly logs = new Set<SqliteLog>();
  /** Unsettled held appends, oldest first. */
  private readonly appends = new Set<HeldAppends>();
  /** Event-loop turns, counted while anything is held. */
  private turn = 0;
  private turnCounting = false;
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly host: HeldCommitHost,
    private readonly bytesMax: number,
    private readonly waitMs = HELD_COMMIT_WAIT_MS,
  ) {}

  get empty(): boolean {
    return this.appends.size === 0 && this.logs.size === 0;
  }

  /** Holds `records` just appended to `log` (its pending records end at log.next); returns their promise. */
  hold(log: SqliteLog, encodedBytes: number, records: number): Promise<void> {
    if (!log.held) {
      log.held = true;
      log.withdrawnWhileHeld = 0;
      this.logs.add(log);
    }
    if (!this.turnCounting) {
      this.turnCounting = true;
      setImmediate(() => {
        this.turn++;
        this.turnCounting = false;
      });
    }
    const last = log.heldMarks.at(-1);
    let h: HeldAppends;
    if (last !== undefined && last.appends.turn === this.turn && last.appends.live > 0) {
      h = last.appends;
      last.end = log.next;
    } else {
      h = { log, round: newRound(), live: 0, sinceMs: performance.now(), turn: this.turn };
      this.appends.add(h);
      log.heldMarks.push({ end: log.next, appends: h });
      this.arm();
    }
    h.live += records;
    log.heldBytes += encodedBytes;
    this.bytes += encodedBytes;
    const promise = h.round.promise;
    if (this.bytes >= this.bytesMax) this.release();
    return promise;
  }

  /** A held record of `log` at `offset` was withdrawn. */
  withdrew(log: SqliteLog, offset: number, encodedBytes: number): void {
    log.withdrawnWhileHeld++;
    log.heldBytes -= encodedBytes;
    this.bytes -= encodedBytes;
    this.forget(log, offset);
    this.trim(log);
  }

  /** The writer is free: write the logs that have waited long enough. */
  writerFree(): void {
    this.releaseDue();
  }

  /**
   * Writes, as one commit, the held logs whose oldest group has waited waitMs; the others stay held (a slow reader
   * of one log does not make every other log's held records go to disk).
   */
  private releaseDue(): void {
    const now = performance.now();
    const due = new Set<SqliteLog>();
    // Groups are in creation order: the first one young enough ends the search.
    for (const h of this.appends) {
      if (now - h.sinceMs < this.waitMs) break;
      due.add(h.log);
    }
    if (due.size > 0) this.releaseLogs([...due]);
    // Nothing due: the timer may have fired already while the writer was busy (an older append, withdrawn since,
    // was due then); without one armed nothing would release the rest until another append is held.
    else this.arm();
  }

  /** Writes everything held as one commit now. */
  release(): void {
    if (this.empty) return;
    this.releaseLogs([...this.logs], true);
  }

  private releaseLogs(logs: readonly SqliteLog[], all = false): void {
    const chosen = new Set(logs);
    const appends: HeldAppends[] = [];
    for (const h of this.appends) if (all || chosen.has(h.log)) appends.push(h);
    for (const h of appends) this.appends.delete(h);
    for (const log of logs) {
      this.logs.delete(log);
      this.bytes -= log.heldBytes;
      log.heldBytes = 0;
      log.held = false;
      log.heldMarks = [];
      // Nobody settled anything while it was held: holding this log does not pay (until a reader does again).
      if (log.withdrawnWhileHeld === 0) log.settlesBeforeCommit = false;
    }
    if (all) this.bytes = 0;
    this.disarm();
    this.arm();
    const round = newRound();
    const { resolve, reject } = round;
    round.resolve = () => {
      resolve();
      for (const h of appends) h.round.resolve();
    };
    round.reject = (err: unknown) => {
      reject(err);
      for (const h of appends) h.round.reject(err);
    };
    this.host.commitHeld(round, logs);
  }

  /** The writer failed and the store rolled every log back: everything held fails. */
  fail(err: unknown): void {
    const appends = [...this.appends];
    this.appends.clear();
    for (const log of this.logs) {
      log.held = false;
      log.heldMarks = [];
      log.heldBytes = 0;
    }
    this.logs.clear();
    this.bytes = 0;
    this.disarm();
    for (const h of appends) h.round.reject(err);
  }

  /** A held log was deleted: its records go with it (the store clears them). */
  drop(log: SqliteLog): void {
    for (let i = 0; i < log.pending.length; i++) {
      const r = log.pending[i];
      if (r === WITHDRAWN_RECORD) continue;
      this.bytes -= encodedSize(r);
      this.forget(log, log.sent + i);
    }
    log.held = false;
    log.heldMarks = [];
    log.heldBytes = 0;
    this.logs.delete(log);
  }

  /** One live record at `offset` no longer counts for its append, which settles when it was the last. */
  private forget(log: SqliteLog, offset: number): void {
    const mark = log.heldMarks.find((m) => m.end > offset);
    if (mark === undefined) return;
    const h = mark.appends;
    if (--h.live > 0) return;
    this.appends.delete(h);
    h.round.resolve();
    if (this.appends.size === 0) this.disarm();
  }

  /** Drops the withdrawn records at the head of `log`'s pending ones: those offsets are done with. */
  private trim(log: SqliteLog): void {
    let k = 0;
    while (k < log.pending.length && log.pending[k] === WITHDRAWN_RECORD) k++;
    if (k === 0) return;
    log.pending.splice(0, k);
    log.pendingTimestamps.splice(0, k);
    log.sent += k;
    while (log.heldMarks.length > 0 && log.heldMarks[0].end <= log.sent) log.heldMarks.shift();
    this.host.gapCommitted(log);
    if (log.pending.length === 0) {
      log.held = false;
      this.logs.delete(log);
    }
  }

  private oldest(): HeldAppends | undefined {
    for (const h of this.appends) return h;
    return undefined;
  }

  private arm(): void {
    if (this.timer !== null) return;
    const oldest = this.oldest();
    if (oldest === undefined) return;
    const due = Math.max(0, oldest.sinceMs + this.waitMs - performance.now());
    this.timer = setTimeout(() => {
      this.timer = null;
      const first = this.oldest();
      if (first === undefined) return;
      if (performance.now() - first.sinceMs < this.waitMs) this.arm();
      else if (this.host.writerIdle()) this.releaseDue();
      // Otherwise the writer's next answer (writerFree) releases it.
    }, Math.ceil(due));
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
