/**
 * The ready messages of a queue in delivery order, as small entries (offset, size, expiry, flags). Bodies are
 * not kept here except for a bounded cache the queue attaches (`entry.message`); the rest is read back from the
 * log by offset when needed.
 *
 * One level per priority (one level for a non-priority queue). Within a level, messages returned by a consumer
 * (nack/requeue, connection closed) go back to their original position: they have lower offsets than every
 * never-delivered message of that level, so a level is `requeued` (sorted by offset) followed by `fresh` (in
 * append order), and the head is the lowest offset.
 */
import type { Message } from '../message';
import type { OwnerId } from '../types';
import type { ConsumerState } from './consumers';

/** "Never expires". */
export const NO_EXPIRY = Number.POSITIVE_INFINITY;

export class QueueEntry {
  /** Body cache: set while the entry is ready and within the queue's cache budget (in-memory queues: always). */
  message: Message | undefined = undefined;
  /** While in flight: the consumer it went to (null for basic.get, and while ready). */
  consumer: ConsumerState | null = null;
  /** While in flight: the connection that may settle it. */
  owner: OwnerId = '';
  /**
   * Set when its commit failed: the body (no record holds it), and the sign that its offset may now be another
   * message's (see ClassicQueue.commitFailed).
   */
  unwritten: Message | undefined = undefined;
  constructor(
    readonly offset: number,
    readonly size: number,
    /** Absolute ms (queue clock) after which the message is dead; NO_EXPIRY when none. */
    readonly expiresAt: number,
    readonly priority: number,
    readonly persistent: boolean,
    public redelivered: boolean,
  ) {}
}

/** Array-backed FIFO with O(1) amortised push/shift. */
class Deque<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
  at(i: number): T | undefined {
    return this.items[this.head + i];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined as T; // let it be collected
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  clear(): T[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

/** Entries sorted by offset with a movable head, so returns in either order are O(1) in the common cases. */
class SortedRun {
  private items: QueueEntry[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  peek(): QueueEntry | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
  at(i: number): QueueEntry | undefined {
    return this.items[this.head + i];
  }
  shift(): QueueEntry | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined as unknown as QueueEntry;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    return x;
  }
  insert(e: QueueEntry): void {
    const r = this.items;
    if (this.length === 0 || r[r.length - 1].offset < e.offset) {
      r.push(e);
    } else if (this.head > 0 && e.offset < r[this.head].offset) {
      r[--this.head] = e;
    } else {
      let lo = this.head;
      let hi = r.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (r[mid].offset < e.offset) lo = mid + 1;
        else hi = mid;
      }
      r.splice(lo, 0, e);
    }
  }
  clear(): QueueEntry[] {
    const out = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return out;
  }
}

class Level {
  readonly requeued = new SortedRun();
  readonly fresh = new Deque<QueueEntry>();

  get length(): number {
    return this.requeued.length + this.fresh.length;
  }
  peek(): QueueEntry | undefined {
    return this.requeued.length > 0 ? this.requeued.peek() : this.fresh.peek();
  }
  shift(): QueueEntry | undefined {
    return this.requeued.length > 0 ? this.requeued.shift() : this.fresh.shift();
  }
  /** The i-th entry in delivery order. */
  at(i: number): QueueEntry | undefined {
    const n = this.requeued.length;
    return i < n ? this.requeued.at(i) : this.fresh.at(i - n);
  }
  requeue(e: QueueEntry): void {
    this.requeued.insert(e);
  }
  clear(): QueueEntry[] {
    return this.requeued.clear().concat(this.fresh.clear());
  }
}

export class ReadyIndex {
  private readonly levels: Level[];
  private readyCount = 0;
  private readyBytes = 0;

  /** maxPriority 0 = one level; otherwise levels 0..maxPriority, higher delivered first. */
  constructor(readonly maxPriority: number) {
    this.levels = [];
    for (let p = 0; p <= maxPriority; p++) this.levels.push(new Level());
  }

  get count(): number {
    return this.readyCount;
  }
  get bytes(): number {
    return this.readyBytes;
  }

  /** Level a message priority maps to (RabbitMQ: above x-max-priority counts as x-max-priority). */
  levelOf(priority: number): number {
    return Math.max(0, Math.min(this.maxPriority, priority | 0));
  }

  push(e: QueueEntry): void {
    this.levels[e.priority].fresh.push(e);
    this.added(e);
  }

  requeue(e: QueueEntry): void {
    this.levels[e.priority].requeue(e);
    this.added(e);
  }

  /** The next message to deliver. */
  peek(): QueueEntry | undefined {
    const level = this.headLevel();
    return level?.peek();
  }

  shift(): QueueEntry | undefined {
    const e = this.headLevel()?.shift();
    if (e !== undefined) this.removed(e);
    return e;
  }

  /** Up to `max` entries following (and including) the head of `e`'s level, in delivery order. */
  *levelRun(e: QueueEntry, max: number): Generator<QueueEntry> {
    const level = this.levels[e.priority];
    for (let i = 0; i < max; i++) {
      const x = level.at(i);
      if (x === undefined) return;
      yield x;
    }
  }

  /** A level head whose expiry is at or before `now` (RabbitMQ expires from the head only), if any. */
  expiredHead(now: number): QueueEntry | undefined {
    for (let p = this.levels.length - 1; p >= 0; p--) {
      const h = this.levels[p].peek();
      if (h !== undefined && h.expiresAt <= now) return h;
    }
    return undefined;
  }

  /** The earliest expiry among level heads (NO_EXPIRY when none). */
  earliestHeadExpiry(): number {
    let at = NO_EXPIRY;
    for (const l of this.levels) {
      const h = l.peek();
      if (h !== undefined && h.expiresAt < at) at = h.expiresAt;
    }
    return at;
  }

  /** Removes the head of `e`'s level, which must be `e`. */
  removeHead(e: QueueEntry): void {
    const level = this.levels[e.priority];
    if (level.peek() !== e) throw new Error('ReadyIndex.removeHead: not the head of its level');
    level.shift();
    this.removed(e);
  }

  clear(): QueueEntry[] {
    const out: QueueEntry[] = [];
    for (const l of this.levels) for (const e of l.clear()) out.push(e);
    this.readyCount = 0;
    this.readyBytes = 0;
    return out;
  }

  private headLevel(): Level | undefined {
    for (let p = this.levels.length - 1; p >= 0; p--) if (this.levels[p].length > 0) return this.levels[p];
    return undefined;
  }

  private added(e: QueueEntry): void {
    this.readyCount++;
    this.readyBytes += e.size;
  }

  private removed(e: QueueEntry): void {
    this.readyCount--;
    this.readyBytes -= e.size;
  }
}
