/**
 * PartitionStream: a push subscription to one partition (SUBSCRIBE) as an async iterator, with credit-based flow
 * control. The stream grants `windowRecords` records at start and tops the credit up as the application consumes
 * (once half the window is used), so at most one window is buffered here. After a reconnect it subscribes again
 * from the next offset it has not handed out.
 */
import type { PushBody, SubscriptionEndBody } from '../../protocols/native/codec/responses';
import type { PolymqClient } from './client';
import type { ConsumedRecord } from './consumer';
import { PolymqError } from './errors';

export interface PartitionStreamOptions {
  topic: string;
  partition: number;
  offset: number;
  /** Records granted at once (default 1000). */
  windowRecords?: number;
  /** Byte credit per window (default 8 MiB). */
  windowBytes?: number;
}

let nextSubscriptionId = 1;

export class PartitionStream implements AsyncIterable<ConsumedRecord> {
  readonly topic: string;
  readonly partition: number;
  private id = 0;
  private nextOffset: number;
  private readonly windowRecords: number;
  private readonly windowBytes: number;
  private buffer: ConsumedRecord[] = [];
  private consumedSinceCredit = 0;
  private bytesSinceCredit = 0;
  private wake: (() => void) | null = null;
  private ended: PolymqError | null = null;
  private closed = false;
  private readonly onPush = (p: PushBody): void => this.pushed(p);
  private readonly onEnd = (e: SubscriptionEndBody): void => {
    if (e.subscriptionId !== this.id) return;
    this.ended = new PolymqError(e.code, e.message);
    this.wakeUp();
  };
  private readonly onReconnect = (): void => {
    void this.start().catch((err: unknown) => {
      this.ended = err instanceof PolymqError ? err : new PolymqError('INTERNAL_ERROR', String(err));
      this.wakeUp();
    });
  };

  constructor(
    private readonly client: PolymqClient,
    opts: PartitionStreamOptions,
  ) {
    this.topic = opts.topic;
    this.partition = opts.partition;
    this.nextOffset = opts.offset;
    this.windowRecords = opts.windowRecords ?? 1_000;
    this.windowBytes = opts.windowBytes ?? 8 * 1024 * 1024;
  }

  /** Subscribes (again) from the next offset not yet handed out. */
  async start(): Promise<void> {
    if (this.closed) return;
    this.client.off('push', this.onPush).on('push', this.onPush);
    this.client.off('subscriptionEnd', this.onEnd).on('subscriptionEnd', this.onEnd);
    this.client.off('reconnected', this.onReconnect).on('reconnected', this.onReconnect);
    this.id = nextSubscriptionId++;
    this.buffer = [];
    this.consumedSinceCredit = 0;
    this.bytesSinceCredit = 0;
    await this.client.subscribe({
      subscriptionId: this.id,
      topic: this.topic,
      partition: this.partition,
      offset: this.nextOffset,
      creditRecords: this.windowRecords,
      creditBytes: this.windowBytes,
    });
  }

  private pushed(p: PushBody): void {
    if (p.subscriptionId !== this.id) return; // an older subscription's frames, still in flight
    for (const r of p.records) {
      this.buffer.push({ topic: this.topic, partition: p.partition, ...r });
    }
    this.wakeUp();
  }

  private wakeUp(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** The next record; null after close(). Throws the broker's error when the subscription ended. */
  async next(): Promise<ConsumedRecord | null> {
    for (;;) {
      if (this.closed) return null;
      const r = this.buffer.shift();
      if (r) {
        this.nextOffset = r.offset + 1;
        this.consumedSinceCredit++;
        this.bytesSinceCredit += r.value.length + (r.key?.length ?? 0);
        if (this.consumedSinceCredit * 2 >= this.windowRecords) {
          this.client.credit(this.id, this.consumedSinceCredit, this.bytesSinceCredit);
          this.consumedSinceCredit = 0;
          this.bytesSinceCredit = 0;
        }
        return r;
      }
      if (this.ended) throw this.ended;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumedRecord> {
    return {
      next: async (): Promise<IteratorResult<ConsumedRecord>> => {
        const r = await this.next();
        return r === null ? { done: true, value: undefined } : { done: false, value: r };
      },
      return: async (): Promise<IteratorResult<ConsumedRecord>> => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.off('push', this.onPush);
    this.client.off('subscriptionEnd', this.onEnd);
    this.client.off('reconnected', this.onReconnect);
    this.wakeUp();
    await this.client.unsubscribe(this.id).catch(() => undefined);
  }
}
