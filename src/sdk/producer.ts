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
  /** Records queued or awaiting their ack before send() waits for room (bounds the producer's memory). */
  bufferMaxRecords?: number;
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
  /** Records queued or in flight (sent, not yet acknowledged) before send() waits for room. */
  bufferMaxRecords: 100_000,
} as const;

/**
 * Records queued for one topic, as parallel arrays: no per-record wrapper object, so a large in-flight window
 * leaves less for the garbage collector to copy (GC was half of a 100 B producer's CPU).
 */
interface TopicBatch {
  records: ProduceRecord[];
  resolves: Array<(m: RecordMetadata) => void>;
  rejects: Array<(e: unknown) => void>;
  bytes: number;
  timer: NodeJS.Timeout | null;
}

function newBatch(): TopicBatch {
  return { records: [], resolves: [], rejects: [], bytes: 0, timer: null };
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
  private readonly bufferMaxRecords: number;
  /** Records queued or in flight: bounded by bufferMaxRecords. */
  private pendingRecords = 0;
  /** Sends waiting for room, in call order (a later send never overtakes a waiting one). */
  private readonly roomWaiters: Array<() => void> = [];

  constructor(opts: ProducerOptions = {}) {
    this.client = opts.client ?? new PolymqClient(opts);
    this.ownsClient = opts.client === undefined;
    this.acks = opts.acks ?? PRODUCER_DEFAULTS.acks;
    this.lingerMs = opts.lingerMs ?? PRODUCER_DEFAULTS.lingerMs;
    this.batchMaxRecords = opts.batchMaxRecords ?? PRODUCER_DEFAULTS.batchMaxRecords;
    this.batchMaxBytes = opts.batchMaxBytes ?? PRODUCER_DEFAULTS.batchMaxBytes;
    this.retries = opts.retries ?? PRODUCER_DEFAULTS.retries;
    this.retryBackoffMs = opts.retryBackoffMs ?? PRODUCER_DEFAULTS.retryBackoffMs;
    this.bufferMaxRecords = Math.max(1, opts.bufferMaxRecords ?? PRODUCER_DEFAULTS.bufferMaxRecords);
  }

  /** Records queued or awaiting their acknowledgement. */
  get bufferedRecords(): number {
    return this.pendingRecords;
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
    if (rec === null) return this.toProduceRecordAsync(topic, record).then((r) => this.enqueueWhenRoom(topic, r));
    return this.enqueueWhenRoom(topic, rec);
  }

  private enqueueWhenRoom(topic: string, rec: ProduceRecord): Promise<RecordMetadata> {
    if (this.pendingRecords < this.bufferMaxRecords && this.roomWaiters.length === 0) return this.enqueue(topic, rec);
    return new Promise<RecordMetadata>((resolve, reject) => {
      this.roomWaiters.push(() => {
        if (this.closed) reject(new PolymqError('CLIENT_CLOSED', 'producer closed'));
        else this.enqueue(topic, rec).then(resolve, reject);
      });
    });
  }

  /** Called when records left the buffer (acknowledged or failed): lets waiting sends in, oldest first. */
  private released(n: number): void {
    this.pendingRecords -= n;
    while (this.roomWaiters.length > 0 && this.pendingRecords < this.bufferMaxRecords) this.roomWaiters.shift()?.();
  }

  private enqueue(topic: string, rec: ProduceRecord): Promise<RecordMetadata> {
    let batch = this.batches.get(topic);
    if (!batch) {
      batch = newBatch();
      this.batches.set(topic, batch);
    }
    const b = batch;
    const promise = new Promise<RecordMetadata>((resolve, reject) => {
      b.resolves.push(resolve);
      b.rejects.push(reject);
    });
    b.records.push(rec);
    this.pendingRecords++;
    b.bytes += rec.value.length + (rec.key?.length ?? 0);
    if (b.records.length >= this.batchMaxRecords || b.bytes >= this.batchMaxBytes) this.flushTopic(topic);
    else if (!b.timer) b.timer = setTimeout(() => this.flushTopic(topic), this.lingerMs);
    return promise;
  }

  /** Sends several records; resolves when all are acknowledged. */
  sendBatch(topic: string, records: readonly ProducerRecord[]): Promise<RecordMetadata[]> {
    return Promise.all(records.map((r) => this.send(topic, r)));
  }

  /** Sends everything queued now and waits for the answers. */
  async flush(): Promise<void> {
    // Sends that waited for room join batches as earlier ones complete: loop until nothing is queued or in flight.
    for (;;) {
      for (const topic of [...this.batches.keys()]) this.flushTopic(topic);
      if (this.inflight.size === 0) return;
      await Promise.allSettled([...this.inflight]);
    }
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
    let partition = r.partition;
    if (partition === undefined && key !== null) {
      const n = this.partitionCounts.get(topic);
      if (n === undefined) return null;
      partition = partitionForKey(key, n);
    }
    // Every field present from the start: one object shape, no transitions when the partition is set later.
    return { key, value, headers: r.headers ?? null, partition, timestamp: r.timestamp };
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
    if (!batch || batch.records.length === 0) return;
    if (batch.timer) clearTimeout(batch.timer);
    this.batches.delete(topic);
    const p = this.sendWithRetry(topic, batch).finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }

  /** Keyless records without an explicit partition go to one partition per batch, rotating. */
  private assignKeyless(topic: string, records: ProduceRecord[], n: number): void {
    let next = -1;
    for (const r of records) {
      if (r.partition !== undefined) continue;
      if (next < 0) {
        next = ((this.stickyPartition.get(topic) ?? Math.floor(Math.random() * n)) + 1) % n;
        this.stickyPartition.set(topic, next);
      }
      r.partition = next;
    }
  }

  private needsPartitionCount(records: ProduceRecord[]): boolean {
    for (const r of records) if (r.partition === undefined) return true;
    return false;
  }

  private async sendWithRetry(topic: string, batch: TopicBatch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.needsPartitionCount(batch.records)) this.assignKeyless(topic, batch.records, await this.partitionsOf(topic));
        const acks = await this.client.produce(topic, batch.records, this.acks);
        this.resolveItems(topic, batch, acks);
        this.released(batch.records.length);
        return;
      } catch (err) {
        if (attempt >= this.retries || !isRetriable(err) || this.closed) {
          for (const reject of batch.rejects) reject(err);
          this.released(batch.records.length);
          return;
        }
        await new Promise((r) => setTimeout(r, this.retryBackoffMs * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  /** The broker answers one (partition, baseOffset, count) per partition; records keep request order within it. */
  private resolveItems(topic: string, batch: TopicBatch, acks: { partition: number; baseOffset: number }[]): void {
    // Next offset per partition; a batch names few partitions, so a linear scan beats a Map.
    const parts = acks.map((a) => a.partition);
    const next = acks.map((a) => a.baseOffset);
    const { records, resolves } = batch;
    for (let i = 0; i < records.length; i++) {
      const partition = records[i].partition ?? -1;
      const k = parts.indexOf(partition);
      if (k < 0) {
        resolves[i]({ topic, partition, offset: -1 });
        continue;
      }
      resolves[i]({ topic, partition, offset: next[k]++ });
    }
  }
}
