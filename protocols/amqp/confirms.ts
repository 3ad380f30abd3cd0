/**
 * Publisher confirms for one channel (rabbitmq.com/docs/confirms). Every publish after confirm.select gets the
 * next sequence number; basic.ack goes out only once the core's PublishResult.settled resolved, strictly in
 * publish order, and runs of acks are coalesced into one `multiple` ack. A rejected settle is a basic.nack.
 */
import type { MethodArgs, MethodName } from './wire';

type Outcome = 'pending' | 'ack' | 'nack';

export interface ConfirmSink {
  send<N extends MethodName>(name: N, args: MethodArgs<N>): void;
  /** Whether confirms may still be sent (channel open). */
  readonly live: boolean;
  /** Publishes became unconfirmed (+n) or were confirmed/abandoned (-n): the connection bounds the backlog. */
  backlog(delta: number): void;
}

/** Consecutive sequence numbers first..last, all settled by `settled`. */
interface Run {
  settled: Promise<void>;
  first: number;
  last: number;
}

export class Confirms {
  private seq = 0;
  /** Outcomes of unconfirmed publishes, index 0 = sequence number `base`. */
  private outcomes: Outcome[] = [];
  private head = 0;
  private base = 1;
  private disposed = false;
  private flushScheduled = false;
  /** The latest run of consecutive publishes settled by one promise (see track). */
  private lastRun: Run | null = null;

  constructor(private readonly sink: ConfirmSink) {}

  /** Number of publishes not yet confirmed to the client. */
  unconfirmed(): number {
    return this.outcomes.length - this.head;
  }

  track(settled: Promise<void>): number {
    const seq = ++this.seq;
    this.outcomes.push('pending');
    this.sink.backlog(1);
    // Storage settles a whole group commit with one promise: consecutive publishes waiting on the same promise
    // share one run and one pair of handlers, instead of a pair of closures and a derived promise each.
    const run = this.lastRun;
    if (run !== null && run.settled === settled) {
      run.last = seq;
      return seq;
    }
    const next: Run = { settled, first: seq, last: seq };
    this.lastRun = next;
    settled.then(
      () => this.resolveRun(next, 'ack'),
      () => this.resolveRun(next, 'nack'),
    );
    return seq;
  }

  private resolveRun(run: Run, outcome: Outcome): void {
    // Publishes tracked from now on start a run of their own, even on this (now settled) promise.
    if (this.lastRun === run) this.lastRun = null;
    for (let seq = run.first; seq <= run.last; seq++) this.resolve(seq, outcome);
  }

  /** For publishes that are settled at once (unroutable, direct reply-to). */
  trackSettled(): number {
    return this.track(Promise.resolve());
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.sink.backlog(-this.unconfirmed());
  }

  private resolve(seq: number, outcome: Outcome): void {
    if (this.disposed) return;
    // Indices shift when flush() compacts; the sequence number does not.
    const index = seq - this.base;
    this.outcomes[index] = outcome;
    // A group commit settles many publishes in one go: flush once after they all resolved, so the client gets
    // one `multiple` ack instead of one ack per message.
    if (index === this.head && !this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => {
        this.flushScheduled = false;
        if (!this.disposed) this.flush();
      });
    }
  }

  private flush(): void {
    if (!this.sink.live) return;
    let lastAck = -1;
    const headBefore = this.head;
    let runStart = this.head;
    while (this.head < this.outcomes.length) {
      const o = this.outcomes[this.head];
      if (o === 'pending') break;
      if (o === 'ack') {
        lastAck = this.head;
      } else {
        this.emitAcks(runStart, lastAck);
        lastAck = -1;
        this.sink.send('basic.nack', { deliveryTag: this.base + this.head, multiple: false, requeue: false });
        runStart = this.head + 1;
      }
      this.head++;
    }
    this.emitAcks(runStart, lastAck);
    if (this.head > headBefore) this.sink.backlog(headBefore - this.head);
    // Compact now and then so the array does not grow with the channel's lifetime.
    if (this.head > 1024 && this.head * 2 > this.outcomes.length) {
      this.outcomes = this.outcomes.slice(this.head);
      this.base += this.head;
      this.head = 0;
    }
  }

  private emitAcks(runStart: number, lastAck: number): void {
    if (lastAck < runStart) return;
    this.sink.send('basic.ack', {
      deliveryTag: this.base + lastAck,
      multiple: lastAck > runStart,
    });
  }
}
