/**
 * A push subscription to one partition with credit-based flow control: the client grants N records and B bytes
 * (CREDIT adds to both); the server pushes RECORDS_PUSH frames while both last and the socket is not congested.
 * A push may overshoot the byte credit by one record so that a record larger than the credit still gets through.
 * With no data, the subscription waits on topics.waitForData; with a congested socket, on 'drain'.
 */
import { isBrokerError } from '../../src/core/errors';
import { NATIVE_LIMITS } from './constants';
import type { NativeConnection } from './connection';
import { encodePush, encodeSubscriptionEnd } from './codec/responses';
import { highWatermark } from './topic-util';

/** Push frames one pump may send before yielding to the event loop, so one subscription cannot hog it. */
const PUSHES_PER_TURN_MAX = 16;
/** Credit is capped so a client cannot overflow our counters. */
const CREDIT_MAX = 0xffff_ffff;

export class Subscription {
  private creditRecords: number;
  private creditBytes: number;
  private cancelWait: (() => void) | null = null;
  private scheduled = false;
  private stopped = false;

  constructor(
    private readonly conn: NativeConnection,
    readonly id: number,
    readonly topic: string,
    readonly partition: number,
    private nextOffset: number,
    creditRecords: number,
    creditBytes: number,
  ) {
    this.creditRecords = creditRecords;
    this.creditBytes = creditBytes;
  }

  grant(records: number, bytes: number): void {
    this.creditRecords = Math.min(CREDIT_MAX, this.creditRecords + records);
    this.creditBytes = Math.min(CREDIT_MAX, this.creditBytes + bytes);
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.clearWait();
  }

  /** Runs pump on a later turn (coalesced), never re-entrantly from inside a waitForData callback. */
  schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private clearWait(): void {
    if (this.cancelWait) this.cancelWait();
    this.cancelWait = null;
  }

  private pump(): void {
    if (this.stopped || !this.conn.isOpen) return;
    this.clearWait();
    const topics = this.conn.vhost.topics;
    for (let turn = 0; turn < PUSHES_PER_TURN_MAX; turn++) {
      if (this.creditRecords <= 0 || this.creditBytes <= 0) return; // CREDIT restarts us
      if (this.conn.isCongested) {
        this.conn.whenDrained(() => this.schedule());
        return;
      }
      let records;
      try {
        const n = Math.min(this.creditRecords, NATIVE_LIMITS.fetchRecordsMax);
        const bytes = Math.min(this.creditBytes, NATIVE_LIMITS.pushBytesMax, this.conn.ctx.limits.nativeFrameMaxBytes - 1024);
        records = topics.fetch(this.topic, this.partition, this.nextOffset, n, bytes);
      } catch (err) {
        this.end(err);
        return;
      }
      if (records.length === 0) {
        try {
          this.cancelWait = topics.waitForData(this.topic, this.partition, this.nextOffset, () => {
            this.cancelWait = null;
            this.schedule();
          });
        } catch (err) {
          this.end(err); // topic deleted meanwhile, or too many waiters on the partition
        }
        return;
      }
      let bytes = 0;
      for (const r of records) bytes += r.value.length + (r.key?.length ?? 0);
      this.creditRecords -= records.length;
      this.creditBytes = Math.max(0, this.creditBytes - bytes);
      this.nextOffset = records[records.length - 1].offset + 1;
      const hw = highWatermark(topics, this.topic, this.partition);
      this.conn.send(encodePush(this.id, { partition: this.partition, highWatermark: hw, records }));
    }
    this.schedule();
  }

  private end(err: unknown): void {
    this.stop();
    this.conn.subscriptions.delete(this.id);
    const code = isBrokerError(err) ? err.code : 'INTERNAL_ERROR';
    const message = err instanceof Error ? err.message : 'subscription ended';
    this.conn.send(encodeSubscriptionEnd(this.id, code, message));
  }
}
