/**
 * The classic queue: a log (storage LogHandle) plus delivery state, protocol-free, with RabbitMQ classic-queue
 * semantics (rabbitmq.com/docs/queues, /ttl, /dlx, /maxlength, /consumer-prefetch, /consumers).
 *
 * Where a message is:
 *
 *   enqueue ──append──► log ──► ready (ReadyIndex: offset, size, expiry, flags; bodies in a bounded cache)
 *                                 │ deliver / get
 *                                 ▼
 *                       in flight (id → entry, consumer, owner) ──ack──────────► settled
 *                                 │ nack(requeue) / owner closed: back to its original position, redelivered
 *                                 │ nack(no requeue) ─► dead-lettered (x-dead-letter-exchange) or dropped ─► settled
 *   ready ──expired at head / drop-head (max length) / purge ──────────────────────────────────────────► settled
 *
 * "Settled" offsets are tracked by DeliveryState, which persists them (durable queues) and lets storage reclaim
 * space. Bodies live in the log: a ready message keeps its body in memory only within the cache budget, and is
 * read back in batches when a consumer needs it; in-flight messages keep only their offset.
 *
 * In-memory mode (`QueueDeps.inMemory`, what the vhost uses for non-durable queues): the log would be the
 * in-memory store, i.e. the same bytes in memory again after an encode per message. Instead the entries hold
 * their Message from enqueue to settlement, offsets are counted here, nothing is appended, and `enqueue`
 * resolves at once (RabbitMQ confirms a message for a non-durable queue when it is enqueued).
 */
import type { LogHandle, MetaStore } from '../../../storage/types';
import { BrokerError } from '../errors';
import type { Limits } from '../limits';
import type { Logger } from '../logger';
import { isPersistent, type Message } from '../message';
import { decodeMessageRecord, encodeMessageRecord } from '../record-codec';
import type { ConsumerSpec, Delivery, OwnerId, QueueHandle, QueueInfo, QueueSpec } from '../types';
import { parseQueueArguments, type QueueArguments } from './arguments';
import { type ConsumerState, ConsumerSet } from './consumers';
import { type DeadLetterReason, deadLetterMessage } from './dead-letter';
import { DeliveryState } from './delivery-state';
import { OffsetRanges } from './offset-ranges';
import { QUEUE_LIMITS, type QueueLimits } from './queue-limits';
import { NO_EXPIRY, QueueEntry, ReadyIndex } from './ready-index';

export interface QueueDeps {
  /** The queue's log (durable queues: SQLite; transient: memory store). */
  log: LogHandle;
  /** For durable delivery state (acks). */
  meta: MetaStore;
  limits: Limits;
  logger: Logger;
  /** Injected clock (tests use a fake clock for TTL / expiry). */
  now(): number;
  /** Injected timers, returns a canceller. */
  setTimer(ms: number, fn: () => void): () => void;
  /** Called with a dead-lettered message (already with x-death / x-first-death-* headers updated, exchange and
   * routing key set per x-dead-letter-exchange/-routing-key); the vhost routes it. */
  deadLetter(message: Message): void;
  /** Called when the queue should be deleted: auto-delete (last consumer gone) or x-expires (unused). */
  requestDelete(reason: 'auto-delete' | 'expired'): void;
  /** Vhost name for error texts (default '/'). */
  vhost?: string;
  /** Overrides of QUEUE_LIMITS (tests use small caches to exercise reads from the log). */
  queueLimits?: Partial<QueueLimits>;
  /**
   * Keep messages as objects instead of appending them to `log` (non-durable queues, whose log is memory
   * anyway; ignored for durable ones). See the file comment.
   */
  inMemory?: boolean;
}

/** What enqueue returns in in-memory mode: nothing to wait for. */
const ENQUEUED: Promise<void> = Promise.resolve();

/** Per-message `expiration` as RabbitMQ accepts it: a non-negative integer in decimal. */
const EXPIRATION_RE = /^(0|[1-9][0-9]{0,9})$/;

/** Appends waiting for one storage commit round. */
interface CommitWait {
  durable: Promise<void>;
  offsets: number[];
}

export class ClassicQueue implements QueueHandle {
  readonly name: string;
  readonly spec: QueueSpec;
  readonly args: QueueArguments;
  private readonly log: LogHandle;
  private readonly logger: Logger;
  private readonly qlimits: QueueLimits;
  private readonly index: ReadyIndex;
  private readonly consumers: ConsumerSet;
  /** Delivered, not yet settled: delivery id → entry (which names its consumer and owner). */
  private readonly inFlight = new Map<number, QueueEntry>();
  /** See the file comment; fixed at construction. */
  private readonly inMemory: boolean;
  /** In-memory mode: the offset the next message gets. */
  private nextMemoryOffset = 0;
  /** Appended records not yet readable from the log (group commit pending), with their entry. */
  private readonly uncommitted = new Map<number, { message: Message; entry: QueueEntry }>();
  /** The commit round the latest appends wait for (see awaitCommit). */
  private commitWait: CommitWait | null = null;
  private readonly state: DeliveryState;
  private cachedCount = 0;
  private cachedBytes = 0;
  private nextDeliveryId = 1;
  private serveSeq = 0;
  private dispatching = false;
  private redispatch = false;
  /** Some message carried its own expiration: expiry checks are needed even without x-message-ttl. */
  private perMessageTtlSeen = false;
  private expiring = false;
  private expiryTimer: { at: number; cancel: () => void } | null = null;
  private unusedTimer: (() => void) | null = null;
  private hadConsumer = false;
  private deleteRequested = false;
  private status: 'open' | 'deleted' | 'closed' = 'open';

  constructor(
    spec: QueueSpec,
    private readonly deps: QueueDeps,
  ) {
    this.name = spec.name;
    this.spec = spec;
    this.args = parseQueueArguments(spec.arguments);
    this.log = deps.log;
    this.logger = deps.logger;
    this.qlimits = { ...QUEUE_LIMITS, ...deps.queueLimits };
    this.inMemory = deps.inMemory === true && !spec.durable;
    this.index = new ReadyIndex(this.args.maxPriority);
    this.consumers = new ConsumerSet(spec.name, deps.vhost ?? '/', this.args.singleActiveConsumer);
    this.state = new DeliveryState(deps.log, deps.meta, spec.durable, deps.logger, this.qlimits.stateFlushIntervalMs);
    this.armUnusedTimer();
  }

  // ------------------------------------------------------------------------------------------ lifecycle

  /**
   * Loads persisted delivery state after a restart (durable queues): settled offsets stay settled, the rest
   * becomes ready (redelivered when it may have been delivered before), transient messages are dropped.
   * Harmless on a new queue; a transient queue ignores whatever its log holds.
   */
  async recover(): Promise<void> {
    if (!this.spec.durable) return;
    if (this.index.count > 0 || this.inFlight.size > 0) {
      throw new BrokerError('INTERNAL_ERROR', `queue '${this.name}': recover() after use`);
    }
    const start = this.log.startOffset();
    const end = this.log.nextOffset();
    const persisted = this.state.load();
    const settled = persisted ? OffsetRanges.fromArray(persisted.settled) : new OffsetRanges(start);
    // Acks may have been persisted for records a crash then lost; forget them before appends reuse offsets.
    settled.clipTo(end);
    settled.advanceTo(start);
    const deliveredBelow = Math.min(persisted?.deliveredBelow ?? start, end);
    let transient = 0;
    let offset = settled.lowWaterMark;
    while (offset < end) {
      const records = this.log.read(offset, this.qlimits.recoveryReadBatchRecordsMax, this.qlimits.recoveryReadBatchBytesMax);
      if (records.length === 0) break;
      const dropped: number[] = [];
      for (const r of records) {
        if (settled.has(r.offset)) continue;
        const msg = decodeMessageRecord(r);
        if (!isPersistent(msg)) {
          settled.add(r.offset);
          dropped.push(r.offset);
          continue;
        }
        const entry = this.entryFor(msg, r.offset, r.timestamp, r.offset < deliveredBelow);
        this.attach(entry, msg);
        this.index.push(entry);
      }
      if (dropped.length > 0) this.log.markDeleted(dropped); // lets compaction skip them
      transient += dropped.length;
      offset = records[records.length - 1].offset + 1;
    }
    this.state.reset(settled, deliveredBelow);
    this.logger.debug(
      { queue: this.name, ready: this.index.count, transientDropped: transient },
      'queue recovered',
    );
    await this.state.flush();
    this.afterChange();
  }

  /** Stops timers and flushes delivery state (broker shutdown). Consumers are not told. */
  close(): void {
    if (this.status !== 'open') return;
    this.status = 'closed';
    this.stopTimers();
    this.state.close().catch((err: unknown) => this.logger.error({ err, queue: this.name }, 'queue close failed'));
  }

  /** Resolves when the delivery state is persisted (tests; orderly shutdown). */
  flushState(): Promise<void> {
    return this.state.flush();
  }

  /** Cancels every consumer with cancelled('queue-deleted'), drops all messages; returns the ready count. */
  delete(): number {
    if (this.status !== 'open') return 0;
    const count = this.index.count;
    this.status = 'deleted';
    this.stopTimers();
    for (const c of this.consumers.clear()) {
      try {
        c.spec.cancelled('queue-deleted');
      } catch (err) {
        this.logger.warn({ err, queue: this.name, tag: c.spec.tag }, 'consumer cancel callback failed');
      }
    }
    this.index.clear();
    this.inFlight.clear();
    this.uncommitted.clear();
    this.cachedCount = 0;
    this.cachedBytes = 0;
    this.state.destroy().catch((err: unknown) => this.logger.error({ err, queue: this.name }, 'queue state delete failed'));
    return count;
  }

  /** Counts as use for x-expires (the vhost calls it on a redeclare). */
  touch(): void {
    this.armUnusedTimer();
  }

  // ------------------------------------------------------------------------------------------ publish side

  /**
   * Routed message in. Resolves when committed to the log; rejects BrokerError('LIMIT_EXCEEDED') when
   * x-overflow reject-publish / reject-publish-dlx refuses it.
   */
  enqueue(message: Message): Promise<void> {
    try {
      this.assertOpen();
      if (this.args.overflow !== 'drop-head' && this.isFull()) {
        if (this.args.overflow === 'reject-publish-dlx') this.emitDeadLetter(message, 'maxlen');
        throw new BrokerError('LIMIT_EXCEEDED', `queue '${this.name}' is full (x-overflow ${this.args.overflow})`);
      }
      if (this.inMemory) {
        const entry = this.entryFor(message, this.nextMemoryOffset++, null, false);
        entry.message = message; // held until settled: there is no log to read it back from
        this.index.push(entry);
        this.afterChange();
        return ENQUEUED;
      }
      // The TTL clock starts when the queue accepts the message, and recovery needs that time from the record;
      // without a TTL the record keeps the time the broker received it (one clock read less per message).
      const now = this.ttlApplies(message) ? this.deps.now() : (message.receivedAtMs ?? this.deps.now());
      const record = encodeMessageRecord(message);
      record.timestamp = now;
      const { baseOffset, durable } = this.log.append([record]);
      const entry = this.entryFor(message, baseOffset, now, false);
      this.uncommitted.set(baseOffset, { message, entry });
      this.awaitCommit(durable, baseOffset);
      this.attach(entry, message);
      this.index.push(entry);
      this.afterChange();
      // The storage promise itself: our own handler (awaitCommit) was attached first, so it has run by the time
      // the caller hears of the commit. No promise of our own per message.
      return durable;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Storage resolves one promise per group commit for all its appends: one handler per commit round drops the
   * round's bodies from `uncommitted` (they are readable from the log now). On failure they stay there: still
   * deliverable, only not durable; the caller sees the rejection.
   */
  private awaitCommit(durable: Promise<void>, offset: number): void {
    const w = this.commitWait;
    if (w !== null && w.durable === durable) {
      w.offsets.push(offset);
      return;
    }
    const round: CommitWait = { durable, offsets: [offset] };
    this.commitWait = round;
    durable.then(
      () => {
        if (this.commitWait === round) this.commitWait = null;
        for (const o of round.offsets) this.uncommitted.delete(o);
        this.state.committed();
      },
      () => {
        if (this.commitWait === round) this.commitWait = null;
        this.commitFailed(round.offsets);
      },
    );
  }

  /**
   * A commit failed (full disk): storage rolled the log back to what is written and gives those offsets to later
   * appends. The failed messages stay deliverable (their publishers were told), but no longer by offset: each
   * keeps its body in its entry and settles without touching the log or the delivery state, and what the state
   * recorded for offsets past the rolled-back end (acks that came before the failure) is forgotten. Otherwise an
   * ack of a failed message would settle, or withdraw, the later message that got its offset.
   */
  private commitFailed(offsets: readonly number[]): void {
    for (const o of offsets) {
      const u = this.uncommitted.get(o);
      if (u === undefined) continue;
      this.uncommitted.delete(o);
      u.entry.unwritten = u.message;
    }
    this.state.rolledBack(this.log.nextOffset());
  }

  /** Removes every ready message (not in-flight ones); returns how many. */
  purge(): number {
    this.assertOpen();
    const entries = this.index.clear();
    for (const e of entries) this.settle(e);
    return entries.length;
  }

  // ------------------------------------------------------------------------------------------ consume side

  consume(spec: ConsumerSpec): void {
    this.assertOpen();
    this.consumers.add(spec);
    this.hadConsumer = true;
    this.cancelUnusedTimer();
    this.dispatch();
  }

  /** Unknown tags are ignored. The consumer's unacked deliveries stay unacked (AMQP basic.cancel). */
  cancel(tag: string): void {
    if (this.status !== 'open') return;
    if (this.consumers.remove(tag) !== undefined) this.consumerLeft();
  }

  resume(): void {
    this.dispatch();
  }

  get(noAck: boolean, owner: OwnerId): Delivery | null {
    this.assertOpen();
    this.armUnusedTimer();
    const now = this.deps.now();
    for (;;) {
      const e = this.index.peek();
      if (e === undefined) return null;
      if (e.expiresAt < now) {
        this.index.removeHead(e);
        this.expire(e);
        continue;
      }
      const message = this.bodyOf(e);
      this.index.removeHead(e);
      const delivery = this.startDelivery(e, message, null, noAck, owner);
      this.afterChange();
      return delivery;
    }
  }

  ack(ids: readonly number[]): void {
    if (this.status !== 'open') return; // RabbitMQ ignores settlements for a deleted queue
    this.checkIds(ids);
    for (const id of ids) {
      const e = this.takeInFlight(id);
      if (e !== undefined) this.settleConsumed(e);
    }
    this.dispatch();
  }

  /** requeue=false dead-letters (reason 'rejected') or drops when the queue has no x-dead-letter-exchange. */
  nack(ids: readonly number[], requeue: boolean): void {
    if (this.status !== 'open') return;
    this.checkIds(ids);
    for (const id of ids) {
      const e = this.takeInFlight(id);
      if (e === undefined) continue;
      if (requeue) this.requeue(e);
      else this.deadLetterOrDrop(e, 'rejected');
    }
    this.afterChange();
  }

  /** The owner's connection closed: cancel its consumers and requeue everything it had not settled. */
  ownerClosed(owner: OwnerId): void {
    if (this.status !== 'open') return;
    const gone = this.consumers.removeOwner(owner);
    for (const [id, e] of this.inFlight) {
      if (e.owner !== owner) continue;
      this.takeInFlight(id);
      this.requeue(e);
    }
    if (gone.length > 0) this.consumerLeft();
    if (this.status === 'open') this.afterChange();
  }

  // ------------------------------------------------------------------------------------------ info

  messageCount(): number {
    return this.index.count;
  }

  /** Bytes of ready message bodies (what x-max-length-bytes limits). */
  messageBytes(): number {
    return this.index.bytes;
  }

  unackedCount(): number {
    return this.inFlight.size;
  }

  consumerCount(): number {
    return this.consumers.size;
  }

  info(): QueueInfo {
    return { name: this.name, messageCount: this.index.count, consumerCount: this.consumers.size };
  }

  // ------------------------------------------------------------------------------------------ internals

  private assertOpen(): void {
    if (this.status === 'deleted') throw new BrokerError('NOT_FOUND', `no queue '${this.name}' in vhost '${this.deps.vhost ?? '/'}'`);
    if (this.status === 'closed') throw new BrokerError('BROKER_STOPPING', `queue '${this.name}' is closed`);
  }

  private checkIds(ids: readonly number[]): void {
    for (const id of ids) {
      if (!this.inFlight.has(id)) throw new BrokerError('PRECONDITION_FAILED', `unknown delivery tag ${id}`);
    }
  }

  private takeInFlight(id: number): QueueEntry | undefined {
    const e = this.inFlight.get(id);
    if (e === undefined) return undefined;
    this.inFlight.delete(id);
    if (e.consumer !== null) {
      e.consumer.unacked--;
      e.consumer = null;
    }
    return e;
  }

  /** Whether `message` can expire here (x-message-ttl or a valid per-message expiration). */
  private ttlApplies(message: Message): boolean {
    if (this.args.messageTtlMs !== null) return true;
    const exp = message.properties.expiration;
    return exp !== undefined && EXPIRATION_RE.test(exp);
  }

  /** `enqueuedAt` null: now, read from the clock only when the message can expire. */
  private entryFor(message: Message, offset: number, enqueuedAt: number | null, redelivered: boolean): QueueEntry {
    let ttl = this.args.messageTtlMs;
    const exp = message.properties.expiration;
    if (exp !== undefined && EXPIRATION_RE.test(exp)) {
      const n = Number(exp);
      ttl = ttl === null ? n : Math.min(ttl, n);
      this.perMessageTtlSeen = true;
    }
    return new QueueEntry(
      offset,
      message.body.length,
      ttl === null ? NO_EXPIRY : (enqueuedAt ?? this.deps.now()) + ttl,
      this.index.levelOf(message.properties.priority ?? 0),
      isPersistent(message),
      redelivered,
    );
  }

  /** RabbitMQ's is_over_limit for reject-publish: the queue is already at (or over) a limit. */
  private isFull(): boolean {
    const { maxLength, maxLengthBytes } = this.args;
    return (maxLength !== null && this.index.count >= maxLength) ||
      (maxLengthBytes !== null && this.index.bytes >= maxLengthBytes);
  }

  /** After anything that adds ready messages or frees credit: deliver, enforce limits, expire, re-arm. */
  private afterChange(): void {
    this.dispatch();
    this.enforceMaxLength();
    this.expireHeads();
  }

  // --- delivery

  private dispatch(): void {
    if (this.status !== 'open') return;
    if (this.dispatching) {
      this.redispatch = true; // a consumer callback acked or resumed synchronously
      return;
    }
    this.dispatching = true;
    try {
      do {
        this.redispatch = false;
        this.dispatchReady();
      } while (this.redispatch && this.status === 'open');
    } catch (err) {
      this.logger.error({ err, queue: this.name }, 'queue delivery failed');
    } finally {
      this.dispatching = false;
    }
  }

  private dispatchReady(): void {
    // Entries of a queue without any TTL never expire: no clock read per dispatch then.
    const now = this.args.messageTtlMs !== null || this.perMessageTtlSeen ? this.deps.now() : Number.NEGATIVE_INFINITY;
    while (this.index.count > 0 && this.status === 'open') {
      const consumer = this.consumers.pick();
      if (consumer === null) return;
      const e = this.index.peek();
      if (e === undefined) return;
      if (e.expiresAt < now) {
        this.index.removeHead(e);
        this.expire(e);
        continue;
      }
      const message = this.bodyOf(e);
      this.index.removeHead(e);
      consumer.lastServed = ++this.serveSeq;
      const delivery = this.startDelivery(e, message, consumer, consumer.spec.noAck, consumer.spec.owner);
      try {
        consumer.spec.deliver(delivery);
      } catch (err) {
        this.logger.warn({ err, queue: this.name, tag: consumer.spec.tag }, 'consumer deliver callback failed');
      }
    }
  }

  /** Moves a ready entry (already out of the index) to in flight, or settles it for noAck. */
  private startDelivery(
    e: QueueEntry,
    message: Message,
    consumer: ConsumerState | null,
    noAck: boolean,
    owner: OwnerId,
  ): Delivery {
    const id = this.nextDeliveryId++;
    const redelivered = e.redelivered;
    if (!this.inMemory) {
      this.detach(e); // in flight, only the offset is kept: a requeue reads the body back from the log
      if (e.unwritten === undefined) this.state.delivered(e.offset);
    }
    if (noAck) {
      this.settleConsumed(e);
    } else {
      e.consumer = consumer;
      e.owner = owner;
      this.inFlight.set(id, e);
      if (consumer !== null) consumer.unacked++;
    }
    return { queue: this.name, id, message, redelivered, offset: e.offset };
  }

  private requeue(e: QueueEntry): void {
    e.redelivered = true;
    this.index.requeue(e);
  }

  /**
   * Settles a message its consumer took for good (acked, or delivered without ack). One not yet written need not
   * be: RabbitMQ confirms a message once every queue it was routed to has "either delivered the message and
   * received an acknowledgement (if required), or enqueued the message (and persisted it if required)" (its
   * extended AMQP 0-9-1 specification, class confirm). Dead-lettered and expired messages do not come here: their
   * record stays until written, so a dead-letter copy never depends on a write that was skipped.
   */
  private settleConsumed(e: QueueEntry): void {
    if (!this.inMemory && e.unwritten === undefined && this.uncommitted.delete(e.offset)) this.log.withdraw?.(e.offset);
    this.settle(e);
  }

  private settle(e: QueueEntry): void {
    if (this.inMemory) {
      e.message = undefined; // nothing else to record: no log, no persisted state
      return;
    }
    if (e.unwritten !== undefined) {
      e.unwritten = undefined; // its offset is not its own (see commitFailed)
      this.detach(e);
      return;
    }
    this.detach(e);
    this.state.settle(e.offset);
  }

  // --- bodies

  private attach(e: QueueEntry, message: Message): void {
    if (this.cachedCount >= this.qlimits.readyCacheMessagesMax) return;
    if (this.cachedBytes + e.size > this.qlimits.readyCacheBytesMax) return;
    e.message = message;
    this.cachedCount++;
    this.cachedBytes += e.size;
  }

  private detach(e: QueueEntry): void {
    if (e.message === undefined) return;
    e.message = undefined;
    this.cachedCount--;
    this.cachedBytes -= e.size;
  }

  /**
   * The body of `e`: from the cache, from the not-yet-committed appends, or read from the log in one batch
   * that also refills the cache for the entries following it.
   */
  private bodyOf(e: QueueEntry): Message {
    if (e.message !== undefined) return e.message;
    if (e.unwritten !== undefined) return e.unwritten;
    const pending = this.uncommitted.get(e.offset);
    if (pending !== undefined) return pending.message;
    const records = this.log.read(e.offset, this.qlimits.logReadBatchRecordsMax, this.qlimits.logReadBatchBytesMax);
    if (records.length === 0 || records[0].offset !== e.offset) {
      throw new BrokerError('INTERNAL_ERROR', `queue '${this.name}': message at offset ${e.offset} missing from log ${this.log.name}`);
    }
    const first = records[0].offset;
    const last = records[records.length - 1].offset;
    for (const x of this.index.levelRun(e, this.qlimits.logReadBatchRecordsMax)) {
      if (x === e || x.message !== undefined || x.unwritten !== undefined || x.offset < first || x.offset > last) continue;
      const r = records[x.offset - first];
      if (r === undefined || r.offset !== x.offset) continue; // not dense: skip rather than guess
      if (this.cachedCount >= this.qlimits.readyCacheMessagesMax) break;
      this.attach(x, decodeMessageRecord(r));
    }
    return decodeMessageRecord(records[0]);
  }

  // --- expiry, limits, dead-lettering

  private expire(e: QueueEntry): void {
    this.deadLetterOrDrop(e, 'expired');
  }

  /** Expires messages at the heads (RabbitMQ expires from the head only), then re-arms the expiry timer. */
  private expireHeads(): void {
    if (this.status !== 'open' || this.expiring) return;
    if (this.args.messageTtlMs === null && !this.perMessageTtlSeen) return;
    // Dead-lettering may route straight back into this queue and re-enter here: the outer loop finishes the job.
    this.expiring = true;
    try {
      const now = this.deps.now();
      for (let h = this.index.expiredHead(now); h !== undefined; h = this.index.expiredHead(now)) {
        this.index.removeHead(h);
        this.expire(h);
      }
    } finally {
      this.expiring = false;
    }
    if (this.status === 'open') this.armExpiryTimer(this.deps.now());
  }

  private armExpiryTimer(now: number): void {
    const at = this.index.earliestHeadExpiry();
    if (at === NO_EXPIRY) {
      this.cancelExpiryTimer();
      return;
    }
    if (this.expiryTimer !== null && this.expiryTimer.at <= at) return; // fires first, then re-arms
    this.cancelExpiryTimer();
    const delay = Math.min(Math.max(0, at - now), this.qlimits.timerDelayMaxMs);
    const cancel = this.deps.setTimer(delay, () => {
      this.expiryTimer = null;
      this.expireHeads();
    });
    this.expiryTimer = { at: now + delay, cancel };
  }

  private cancelExpiryTimer(): void {
    if (this.expiryTimer === null) return;
    this.expiryTimer.cancel();
    this.expiryTimer = null;
  }

  /** x-overflow drop-head: drop (dead-letter 'maxlen') from the head until within the limits. */
  private enforceMaxLength(): void {
    if (this.args.overflow !== 'drop-head' || this.status !== 'open') return;
    const { maxLength, maxLengthBytes } = this.args;
    if (maxLength === null && maxLengthBytes === null) return;
    while (
      this.index.count > 0 &&
      ((maxLength !== null && this.index.count > maxLength) ||
        (maxLengthBytes !== null && this.index.bytes > maxLengthBytes))
    ) {
      const e = this.index.peek();
      if (e === undefined) break;
      this.index.removeHead(e);
      this.deadLetterOrDrop(e, 'maxlen');
    }
  }

  /** Settles `e` (no longer ready or in flight), dead-lettering a copy when the queue has a DLX. */
  private deadLetterOrDrop(e: QueueEntry, reason: DeadLetterReason): void {
    if (this.args.deadLetterExchange !== null) {
      try {
        this.emitDeadLetter(this.bodyOf(e), reason);
      } catch (err) {
        this.logger.error({ err, queue: this.name, offset: e.offset }, 'dead-lettering failed; message dropped');
      }
    }
    this.settle(e);
  }

  private emitDeadLetter(message: Message, reason: DeadLetterReason): void {
    const exchange = this.args.deadLetterExchange;
    if (exchange === null) return;
    const copy = deadLetterMessage(
      message,
      this.name,
      reason,
      { exchange, routingKey: this.args.deadLetterRoutingKey },
      this.deps.now(),
    );
    try {
      this.deps.deadLetter(copy);
    } catch (err) {
      this.logger.warn({ err, queue: this.name }, 'dead-letter routing failed');
    }
  }

  // --- consumers leaving, x-expires, auto-delete

  private consumerLeft(): void {
    if (this.consumers.size > 0) {
      this.dispatch(); // single active consumer: the next one takes over
      return;
    }
    if (this.spec.autoDelete && this.hadConsumer) {
      this.requestDelete('auto-delete');
      return;
    }
    this.armUnusedTimer();
  }

  private requestDelete(reason: 'auto-delete' | 'expired'): void {
    if (this.deleteRequested || this.status !== 'open') return;
    this.deleteRequested = true;
    try {
      this.deps.requestDelete(reason);
    } catch (err) {
      this.logger.error({ err, queue: this.name, reason }, 'queue delete request failed');
    }
  }

  /** (Re)starts the x-expires countdown while the queue has no consumers. */
  private armUnusedTimer(): void {
    this.cancelUnusedTimer();
    const ms = this.args.expiresMs;
    if (ms === null || this.status !== 'open' || this.consumers.size > 0) return;
    this.unusedTimer = this.longTimer(ms, () => {
      this.unusedTimer = null;
      if (this.consumers.size === 0) this.requestDelete('expired');
    });
  }

  private cancelUnusedTimer(): void {
    if (this.unusedTimer === null) return;
    this.unusedTimer();
    this.unusedTimer = null;
  }

  /** A timer for delays beyond what one Node.js timer honours, chained. */
  private longTimer(ms: number, fn: () => void): () => void {
    let cancelled = false;
    let cancel = (): void => {};
    const step = (left: number): void => {
      const d = Math.min(left, this.qlimits.timerDelayMaxMs);
      cancel = this.deps.setTimer(d, () => {
        if (cancelled) return;
        if (left > d) step(left - d);
        else fn();
      });
    };
    step(ms);
    return () => {
      cancelled = true;
      cancel();
    };
  }

  private stopTimers(): void {
    this.cancelExpiryTimer();
    this.cancelUnusedTimer();
  }
}
