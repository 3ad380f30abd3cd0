/**
 * The main thread's side of the segment writer worker (segment-writer-worker.ts): starts it, posts commits
 * (their buffers transferred, not copied), bounds the bytes in flight and hands the worker's answers to the store.
 *
 * Back-pressure: when more than `inFlightBytesMax` would be in flight, the appender's call blocks (Atomics.wait on
 * the counter of answered commits) until the worker has caught up, exactly as the main-thread writer makes the
 * appender's call do the write: the buffer never grows past the bound.
 */
import path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { BrokerError } from '../src/core/errors';
import {
  CTL_DONE_ID,
  CTL_HOOK_GATE,
  CTL_SLOTS,
  type CommitMsg,
  type FromWriter,
  type ToWriter,
  type WriterData,
  type WriterError,
} from './segment-writer-protocol';

/** Longest the appender's call blocks for the worker to make room; past it the bound yields (no deadlock). */
export const WRITER_BACKPRESSURE_WAIT_MS_MAX = 30_000;
/** How long open() waits for the worker thread to start. */
export const WRITER_START_TIMEOUT_MS = 30_000;

export interface WriterEvents {
  done(firstId: number, lastId: number, error: WriterError | null): void;
  sealed(seq: number, error: WriterError | null): void;
  inside(): void;
  /** The worker thread died: nothing in flight will be answered. */
  dead(err: Error): void;
}

export class SegmentWriter {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(CTL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private worker: Worker | null = null;
  private readonly port;
  /** Bytes of each commit not yet answered, oldest first, with its id. */
  private readonly inFlight: Array<[number, number]> = [];
  private inFlightBytes = 0;
  private closed: (() => void) | null = null;
  private referenced = true;
  private readyWaiter: (() => void) | null = null;
  private startFailed: ((err: Error) => void) | null = null;

  constructor(
    private readonly data: Omit<WriterData, 'port' | 'ctl'>,
    private readonly inFlightBytesMax: number,
    private readonly events: WriterEvents,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const workerData: WriterData = { ...data, port: port2, ctl: this.ctl.buffer as SharedArrayBuffer };
    this.worker = new Worker(path.join(__dirname, 'segment-writer-worker.js'), { workerData, transferList: [port2] });
    this.worker.on('error', (err) => this.die(err));
    this.worker.on('exit', (code) => {
      if (this.closed === null) this.die(new Error(`segment writer exited with code ${code}`));
    });
    this.port.on('message', (m: FromWriter) => this.onMessage(m));
  }

  /** Resolves once the worker runs. */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new BrokerError('INTERNAL_ERROR', 'segment writer did not start')), WRITER_START_TIMEOUT_MS);
      this.readyWaiter = () => {
        clearTimeout(timer);
        this.setRef(false);
        resolve();
      };
      this.startFailed = (err) => {
        clearTimeout(timer);
        reject(err);
      };
    });
  }

  commit(msg: CommitMsg, bytes: number): void {
    this.makeRoom(bytes);
    this.inFlight.push([msg.id, bytes]);
    this.inFlightBytes += bytes;
    this.setRef(true);
    this.post(msg, [msg.buf, msg.rows.buffer as ArrayBuffer]);
  }

  post(msg: ToWriter, transfer: ArrayBuffer[] = []): void {
    this.port.postMessage(msg, transfer);
  }

  /** Opens the gate the worker waits at inside a transaction (test hook). */
  releaseHook(): void {
    Atomics.store(this.ctl, CTL_HOOK_GATE, 1);
    Atomics.notify(this.ctl, CTL_HOOK_GATE);
  }

  /** Checkpoints and closes the worker's connections, then ends the thread. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (worker === null) return;
    await new Promise<void>((resolve) => {
      this.closed = resolve;
      this.setRef(true);
      this.post({ t: 'close' });
    });
    this.worker = null;
    this.port.close();
    await worker.terminate();
  }

  private makeRoom(bytes: number): void {
    if (this.inFlightBytes + bytes <= this.inFlightBytesMax || this.inFlight.length === 0) return;
    // The oldest commit whose answer brings the bytes in flight under the bound.
    let remaining = this.inFlightBytes;
    let needId = 0;
    for (const [id, b] of this.inFlight) {
      remaining -= b;
      needId = id;
      if (remaining + bytes <= this.inFlightBytesMax) break;
    }
    const deadline = Date.now() + WRITER_BACKPRESSURE_WAIT_MS_MAX;
    for (let done = Atomics.load(this.ctl, CTL_DONE_ID); done < needId && this.worker !== null; done = Atomics.load(this.ctl, CTL_DONE_ID)) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      Atomics.wait(this.ctl, CTL_DONE_ID, done, left);
    }
  }

  private onMessage(m: FromWriter): void {
    switch (m.t) {
      case 'ready':
        this.readyWaiter?.();
        this.readyWaiter = null;
        this.startFailed = null;
        return;
      case 'done':
        while (this.inFlight.length > 0 && this.inFlight[0][0] <= m.lastId) {
          const [, bytes] = this.inFlight[0];
          this.inFlight.shift();
          this.inFlightBytes -= bytes;
        }
        if (this.inFlight.length === 0) this.setRef(false);
        this.events.done(m.firstId, m.lastId, m.error);
        return;
      case 'sealed':
        this.events.sealed(m.seq, m.error);
        return;
      case 'inside':
        this.events.inside();
        return;
      case 'closed':
        this.closed?.();
        return;
    }
  }

  /** An idle worker must not keep the process alive; one with commits in flight must. */
  private setRef(on: boolean): void {
    if (this.worker === null || on === this.referenced) return;
    this.referenced = on;
    if (on) {
      this.worker.ref();
      this.port.ref();
    } else {
      this.worker.unref();
      this.port.unref();
    }
  }

  private die(err: Error): void {
    if (this.worker === null) return;
    this.worker = null;
    this.port.close();
    this.startFailed?.(err);
    this.startFailed = null;
    this.closed?.();
    this.events.dead(err);
  }
}
