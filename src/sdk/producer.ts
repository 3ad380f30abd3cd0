/**
 * Producer: batches records per topic for up to lingerMs (or until a batch is full), sends each batch as one
 * PRODUCE request, retries retriable failures with backoff, and resolves every send() with the record's
 * partition and offset.
 *
 * Partitioning is done here, with the broker's own function (murmur2 of the key, as src/core/topics does), so
 * the client knows each record's partition and offset: same key → same partition whether the client or the
 * broker picks. Keyless records of one batch go to one partition, rotating per batch (sticky partitioning).
 *
 * Delivery is at-least-once: a retried batch whose first attempt was applied but unacknowledged (connection lost)
 * is written twice. Batches may be in flight concurrently, so a retried batch can land after a later one.
 */
import { partitionForKey } from '../core/topics/partitioner';
import type { HeaderValue } from '../core/message';
import type { ProduceRecord } from '../core/types';
import { PolymqClient, type AckMode, type ClientOptions } from './client';
import { PolymqError, isRetriable } from './errors';

export interface ProducerRecord {
  key?: Buffer | string | null;
  value: Buffer | string;
  headers?: Record<string, HeaderValue>;
  partition?: number;
  /** Milliseconds since the epoch; default: the broker's time. */
  timestamp?: number;
}

export interface RecordMetadata {
  topic: string;
  partition: number;
  /** -1 with acks 'none' (the broker does not answer). */
  offset: number;
}

export interface ProducerOptions extends ClientOptions {
  /** 'durable' (default): after fsync; 'leader': after append; 'none': fire and forget. */
  acks?: AckMode;
  lingerMs?: number;
  batchMaxRecords?: number;
  batchMaxBytes?: number;
  retries?: number;
  retryBackoffMs?: number;
  /** Share a client (connection) with other producers/consumers instead of opening one. */
  client?: PolymqClient;
}

export const PRODUCER_DEFAULTS = {
  acks: 'durable' as AckMode,
  lingerMs: 2,
  batchMaxRecords: 1_000,
  batchMaxBytes: 1024 * 1024,
  retries: 5,
  retryBackoffMs: 100,
  /** Records buffered (not yet sent) before send() waits for room. */
  bufferMaxRecords: 100_000,
} as const;

interface Pending {
  record: ProduceRecord;
  resolve(m: RecordMetadata): void;
  reject(e: unknown): void;
}

interface TopicBatch {
  items: Pending[];
  bytes: number;
  timer: NodeJS.Timeout | null;
}

export class Producer {
  readonly client: PolymqClient;
  private readonly ownsClient: boolean;
  private readonly acks: AckMode;
  private readonly lingerMs: number;
  private readonly batchMaxRecords: number;
  private readonly batchMaxBytes: number;
  private readonly retries: number;
  private readonly retryBackoffMs: number;
  private readonly batches = new Map<string, TopicBatch>();
  private readonly partitionCounts = new Map<string, number>();
  private readonly stickyPartition = new Map<string, number>();
  private readonly inflight = new Set<Promise<void>>();
  private closed = false;

  constructor(opts: ProducerOptions = {}) {
    this.client = opts.client ?? new PolymqClient(opts);
    this.ownsClient = opts.client === undefined;
    this.acks = opts.acks ?? PRODUCER_DEFAULTS.acks;
    this.lingerMs = opts.lingerMs ?? PRODUCER_DEFAULTS.lingerMs;
    this.batchMaxRecords = opts.batchMaxRecords ?? PRODUCER_DEFAULTS.batchMaxRecords;
    this.batchMaxBytes = opts.batchMaxBytes ?? PRODUCER_DEFAULTS.batchMaxBytes;
    this.retries = opts.retries ?? PRODUCER_DEFAULTS.retries;
    this.retryBackoffMs = opts.retryBackoffMs ?? PRODUCER_DEFAULTS.retryBackoffMs;
  }

  connect(): Promise<void> {
    return this.client.connect();
  }

  /** Queues one record; resolves when the broker acknowledged it at the configured level. */
  send(topic: string, record: ProducerRecord): Promise<RecordMetadata> {
    if (this.closed) return Promise.reject(new PolymqError('CLIENT_CLOSED', 'producer closed'));
    // Hot path without an extra promise: only a keyed record of a topic whose partition count is not yet known
    // waits for a DESCRIBE_TOPIC first.
    let rec: ProduceRecord | null;
    try {
      rec = this.toProduceRecord(topic, record);
    } catch (err) {
      return Promise.reject(err);
    }
    if (rec === null) return this.toProduceRecordAsync(topic, record).then((r) => this.enqueue(topic, r));
    return this.enqueue(topic, rec);
  }

  private enqueue(topic: string, rec: ProduceRecord): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      let batch = this.batches.get(topic);
      if (!batch) {
        batch = { items: [], bytes: 0, timer: null };
        this.batches.set(topic, batch);
      }
      batch.items.push({ record: rec, resolve, reject });
      batch.bytes += rec.value.length + (rec.key?.length ?? 0);
      if (batch.items.length >= this.batchMaxRecords || batch.bytes >= this.batchMaxBytes) this.flushTopic(topic);
      else if (!batch.timer) batch.timer = setTimeout(() => this.flushTopic(topic), this.lingerMs);
    });
  }

  /** Sends several records; resolves when all are acknowledged. */
  sendBatch(topic: string, records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(topic, r)));
  }

  /** Sends everything queued now and waits for the answers. */
  async flush(): Promise<void> {
    for (const topic of [...this.batches.keys()]) this.flushTopic(topic);
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
    if (this.ownsClient) await this.client.close();
  }

  /** The record, or null when its key needs the topic's partition count and that is not known yet. */
  private toProduceRecord(topic: string, r: ProducerRecord): ProduceRecord | null {
    const key = r.key === undefined || r.key === null ? null : Buffer.isBuffer(r.key) ? r.key : Buffer.from(r.key, 'utf8');
    const value = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value, 'utf8');
    const rec: ProduceRecord = { key, value, headers: r.headers ?? null };
    if (r.timestamp !== undefined) rec.timestamp = r.timestamp;
    if (r.partition !== undefined) rec.partition = r.partition;
    else if (key !== null) {
      const n = this.partitionCounts.get(topic);
      if (n === undefined) return null;
      rec.partition = partitionForKey(key, n);
    }
    return rec;
  }

  private async toProduceRecordAsync(topic: string, r: ProducerRecord): Promise<ProduceRecord> {
    await this.partitionsOf(topic);
    const rec = this.toProduceRecord(topic, r);
    if (rec === null) throw new PolymqError('INTERNAL_ERROR', `partition count of ${topic} unknown`);
    return rec;
  }

  private async partitionsOf(topic: string): Promise<number> {
    const known = this.partitionCounts.get(topic);
    if (known !== undefined) return known;
    const n = (await this.client.describeTopic(topic)).partitions.length;
    this.partitionCounts.set(topic, n);
    return n;
  }

  private flushTopic(topic: string): void {
    const batch = this.batches.get(topic);
    if (!batch || batch.items.length === 0) return;
    if (batch.timer) clearTimeout(batch.timer);
    this.batches.delete(topic);
    const p = this.sendWithRetry(topic, batch.items).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Keyless records without an explicit partition go to one partition per batch, rotating. */
  private async assignKeyless(topic: string, items: Pending[]): Promise<void> {
    if (items.every((i) => i.record.partition !== undefined)) return;
    const n = await this.partitionsOf(topic);
    const next = ((this.stickyPartition.get(topic) ?? Math.floor(Math.random() * n)) + 1) % n;
    this.stickyPartition.set(topic, next);
    for (const i of items) if (i.record.partition === undefined) i.record.partition = next;
  }

  private async sendWithRetry(topic: string, items: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.assignKeyless(topic, items);
        const acks = await this.client.produce(topic, items.map((i) => i.record), this.acks);
        this.resolveItems(topic, items, acks);
        return;
      } catch (err) {
        if (attempt >= this.retries || !isRetriable(err) || this.closed) {
          for (const i of items) i.reject(err);
          return;
        }
        await new Promise((r) => setTimeout(r, this.retryBackoffMs * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  /** The broker answers one (partition, baseOffset, count) per partition; records keep request order within it. */
  private resolveItems(topic: string, items: Pending[], acks: { partition: number; baseOffset: number }[]): void {
    const next = new Map<number, number>();
    for (const a of acks) next.set(a.partition, a.baseOffset);
    for (const i of items) {
      const partition = i.record.partition ?? -1;
      const offset = next.get(partition);
      if (offset === undefined) {
        i.resolve({ topic, partition, offset: -1 });
        continue;
      }
      next.set(partition, offset + 1);
      i.resolve({ topic, partition, offset });
    }
  }
}
