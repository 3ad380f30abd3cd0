/**
 * An AMQP queue declared with x-queue-type: stream (rabbitmq.com/docs/streams) is a one-partition topic of the
 * vhost's registry, named like the queue: AMQP publishers append messages (encodeMessageRecord), native
 * consumers fetch the same records, and native producers' records reach AMQP stream consumers.
 *
 * Semantics as RabbitMQ's: consumers need a prefetch (credit) and manual acks; they start where
 * x-stream-offset says (first | last | next | offset | timestamp | interval) and read on independently —
 * the stream keeps no per-message state, so ack and nack only return credit, and nothing is ever requeued or
 * dead-lettered. basic.get is refused. Retention comes from x-max-age / x-max-length-bytes.
 */
import { BrokerError, isBrokerError } from '../errors';
import type { Logger } from '../logger';
import type { Message } from '../message';
import { decodeMessageRecord, encodeMessageRecord } from '../record-codec';
import type { ConsumerSpec, Delivery, OwnerId, QueueHandle, QueueInfo, QueueSpec } from '../types';
import type { StreamStart } from './stream-args';
import { parseStreamOffset, retentionFromArguments } from './stream-args';
import { TOPIC_LIMITS } from './topic-limits';
import type { TopicRegistryImpl } from './topic-registry';
import { checkTopicName } from './validation';

/** Records read per storage call while a consumer has credit (bounds one delivery burst). */
export const STREAM_READ_BATCH_RECORDS_MAX = 256;
/** Bytes read per storage call. */
export const STREAM_READ_BATCH_BYTES_MAX = 1024 * 1024;

export interface StreamQueueOptions {
  logger: Logger;
  /** The declaring connection (streams cannot be exclusive; kept for diagnostics). */
  owner?: OwnerId;
  /** Clock for interval offsets ("1h" = records since now − 1h); defaults to Date.now. */
  now?: () => number;
}

interface StreamConsumer {
  spec: ConsumerSpec;
  start: StreamStart;
  /** Next offset to deliver; null until the stream exists and the start is resolved. */
  next: number | null;
  /** Delivery ids not yet acked (the credit in use). */
  unacked: Set<number>;
  cancelWait: (() => void) | null;
  pumping: boolean;
  again: boolean;
  cancelled: boolean;
}

export class StreamQueue implements QueueHandle {
  readonly name: string;
  /** Resolves once the backing topic exists (created when absent). */
  readonly ready: Promise<void>;
  private readonly consumers = new Map<string, StreamConsumer>();
  /** Delivery id → consumer, for ack/nack. */
  private readonly deliveries = new Map<number, StreamConsumer>();
  private nextDeliveryId = 1;
  private isReady = false;
  private closed = false;
  private readonly now: () => number;
  private readonly logger: Logger;

  /** Creates the backing topic if absent; throws PRECONDITION_FAILED for a bad name or bad arguments. */
  constructor(
    readonly spec: QueueSpec,
    private readonly registry: TopicRegistryImpl,
    opts: StreamQueueOptions,
  ) {
    this.name = spec.name;
    this.logger = opts.logger;
    this.now = opts.now ?? Date.now;
    try {
      checkTopicName(spec.name, TOPIC_LIMITS);
    } catch (err) {
      // The stream is a topic too, so its name must also be a legal topic name.
      throw new BrokerError('PRECONDITION_FAILED', `stream ${err instanceof Error ? err.message : String(err)}`);
    }
    const retention = retentionFromArguments(spec.arguments);
    this.ready = this.ensureTopic(retention);
    this.ready.then(
      () => {
        this.isReady = true;
        this.resume();
      },
      (err: unknown) => this.logger.error({ err, queue: this.name }, 'stream topic could not be created'),
    );
  }

  /** Constructs and waits until the backing topic exists. */
  static async open(spec: QueueSpec, registry: TopicRegistryImpl, opts: StreamQueueOptions): Promise<StreamQueue> {
    const q = new StreamQueue(spec, registry, opts);
    await q.ready;
    return q;
  }

  private async ensureTopic(retention: ReturnType<typeof retentionFromArguments>): Promise<void> {
    if (!this.registry.hasTopic(this.name)) {
      try {
        await this.registry.createTopic({ name: this.name, partitions: 1, retention });
      } catch (err) {
        if (!(isBrokerError(err) && err.code === 'ALREADY_EXISTS')) throw err;
      }
    }
    if (this.registry.describeTopic(this.name).partitions.length !== 1) {
      throw new BrokerError('PRECONDITION_FAILED', `topic ${this.name} has several partitions; a stream needs one`);
    }
    this.registry.setStreamBacked(this.name, true);
  }

  // ------------------------------------------------------------------------------------------ publish

  /** Appends the message; resolves when it is durable (a publisher confirm waits on this). */
  enqueue(message: Message): Promise<void> {
    try {
      if (this.isReady) return this.append(message);
      return this.ready.then(() => this.append(message));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private append(message: Message): Promise<void> {
    if (this.closed) throw new BrokerError('NOT_FOUND', `stream ${this.name} is closed`);
    return this.registry.appendStored(this.name, 0, [encodeMessageRecord(message)]).durable;
  }

  // ------------------------------------------------------------------------------------------ consume

  consume(consumer: ConsumerSpec): void {
    // RabbitMQ's checks, in its order (rabbit_stream_queue:consume).
    if (consumer.prefetch <= 0) {
      throw new BrokerError('PRECONDITION_FAILED', `consumer prefetch count is not set for stream ${this.name}`);
    }
    if (consumer.noAck) {
      throw new BrokerError('NOT_IMPLEMENTED', `automatic acknowledgement not supported by stream queues ${this.name}`);
    }
    if (this.consumers.has(consumer.tag)) throw new BrokerError('NOT_ALLOWED', `consumer tag ${consumer.tag} in use`);
    const exclusiveHeld = [...this.consumers.values()].some((c) => c.spec.exclusive);
    if (exclusiveHeld || (consumer.exclusive && this.consumers.size > 0)) {
      throw new BrokerError('ACCESS_REFUSED', `queue ${this.name} in exclusive use`);
    }
    const c: StreamConsumer = {
      spec: consumer,
      start: parseStreamOffset(consumer.arguments['x-stream-offset']),
      next: null,
      unacked: new Set(),
      cancelWait: null,
      pumping: false,
      again: false,
      cancelled: false,
    };
    this.consumers.set(consumer.tag, c);
    if (this.isReady) this.pump(c);
  }

  cancel(tag: string): void {
    const c = this.consumers.get(tag);
    if (c === undefined) return;
    this.drop(c);
  }

  resume(): void {
    for (const c of [...this.consumers.values()]) this.pump(c);
  }

  /** RabbitMQ refuses basic.get on streams as not implemented (AMQP 540, a connection error). */
  get(_noAck: boolean, _owner: OwnerId): Delivery | null {
    throw new BrokerError('NOT_IMPLEMENTED', `basic.get not supported by stream queues queue '${this.name}'`);
  }

  ack(ids: readonly number[]): void {
    this.settle(ids);
  }

  /** Nothing is requeued or dead-lettered on a stream: nack (either way) only returns credit. */
  nack(ids: readonly number[], _requeue: boolean): void {
    this.settle(ids);
  }

  info(): QueueInfo {
    let messageCount = 0;
    if (this.isReady && this.registry.hasTopic(this.name)) {
      const p = this.registry.describeTopic(this.name).partitions[0];
      messageCount = p.endOffset - p.startOffset;
    }
    return { name: this.name, messageCount, consumerCount: this.consumers.size };
  }

  /** Streams cannot be purged (truncation is retention's job). */
  purge(): number {
    throw new BrokerError('PRECONDITION_FAILED', `queue ${this.name} is a stream: purge is not supported`);
  }

  /** Deletes the backing topic; consumers are cancelled. Returns the number of messages it held. */
  async delete(): Promise<number> {
    const count = this.info().messageCount;
    this.close('queue deleted');
    await this.ready.catch(() => undefined);
    this.registry.setStreamBacked(this.name, false);
    if (this.registry.hasTopic(this.name)) await this.registry.deleteTopic(this.name);
    return count;
  }

  /** Cancels every consumer (broker stop, queue deletion); the topic stays. */
  close(reason = 'broker stopping'): void {
    this.closed = true;
    for (const c of [...this.consumers.values()]) {
      this.drop(c);
      c.spec.cancelled(reason);
    }
  }

  // ------------------------------------------------------------------------------------------ delivery

  private settle(ids: readonly number[]): void {
    const touched = new Set<StreamConsumer>();
    for (const id of ids) {
      const c = this.deliveries.get(id);
      if (c === undefined) continue;
      this.deliveries.delete(id);
      c.unacked.delete(id);
      touched.add(c);
    }
    for (const c of touched) this.pump(c);
  }

  private drop(c: StreamConsumer): void {
    c.cancelled = true;
    c.cancelWait?.();
    c.cancelWait = null;
    for (const id of c.unacked) this.deliveries.delete(id);
    c.unacked.clear();
    this.consumers.delete(c.spec.tag);
  }

  /** Delivers while the consumer has credit; parks on waitForData at the end of the stream. Re-entrant safe. */
  private pump(c: StreamConsumer): void {
    if (c.cancelled || !this.isReady) return;
    if (c.pumping) {
      c.again = true;
      return;
    }
    c.pumping = true;
    try {
      do {
        c.again = false;
        this.deliverSome(c);
      } while (c.again && !c.cancelled);
    } catch (err) {
      this.failConsumer(c, err);
    } finally {
      c.pumping = false;
    }
  }

  private deliverSome(c: StreamConsumer): void {
    c.next ??= this.resolveStart(c.start);
    while (!c.cancelled && this.hasCredit(c)) {
      const want = Math.min(c.spec.prefetch - c.unacked.size, STREAM_READ_BATCH_RECORDS_MAX);
      const records = this.registry.fetchStored(this.name, 0, c.next, want, STREAM_READ_BATCH_BYTES_MAX);
      if (records.length === 0) {
        if (c.cancelWait === null) {
          c.cancelWait = this.registry.waitForData(this.name, 0, c.next, () => {
            c.cancelWait = null;
            this.pump(c);
          });
        }
        return;
      }
      for (const rec of records) {
        if (c.cancelled || !this.hasCredit(c)) return;
        const message = decodeMessageRecord(rec);
        const id = this.nextDeliveryId++;
        c.next = rec.offset + 1;
        c.unacked.add(id);
        this.deliveries.set(id, c);
        c.spec.deliver({ queue: this.name, id, message, redelivered: false, offset: rec.offset });
      }
    }
  }

  private hasCredit(c: StreamConsumer): boolean {
    return c.unacked.size < c.spec.prefetch && c.spec.canDeliver();
  }

  private resolveStart(start: StreamStart): number {
    const p = this.registry.describeTopic(this.name).partitions[0];
    const clamp = (o: number): number => Math.min(Math.max(o, p.startOffset), p.endOffset);
    switch (start.kind) {
      case 'first':
        return p.startOffset;
      case 'next':
        return p.endOffset;
      case 'last':
        // RabbitMQ starts at the last chunk; we have no chunks visible here, so the last record.
        return p.endOffset > p.startOffset ? p.endOffset - 1 : p.endOffset;
      case 'offset':
        return clamp(start.offset);
      case 'timestamp':
        return this.registry.offsetForTimestamp(this.name, 0, start.timestampMs);
      case 'interval':
        return this.registry.offsetForTimestamp(this.name, 0, this.now() - start.ageMs);
    }
  }

  private failConsumer(c: StreamConsumer, err: unknown): void {
    const deleted = isBrokerError(err) && err.code === 'UNKNOWN_TOPIC';
    if (!deleted) this.logger.error({ err, queue: this.name, consumer: c.spec.tag }, 'stream delivery failed');
    this.drop(c);
    c.spec.cancelled(deleted ? 'stream deleted' : `stream read failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
