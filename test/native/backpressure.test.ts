/**
 * Backpressure: a connection whose peer does not read must not make the broker buffer without bound. The
 * connection runs over a Duplex whose writes complete only when the test says so (a stalled peer); with unlimited
 * credit the server must stop pushing once write() returns false and go on after 'drain'.
 */
import { Duplex } from 'node:stream';
import { FrameType, NATIVE_LIMITS } from '../../protocols/native/constants';
import { FrameParser } from '../../protocols/native/codec/parser';
import { BodyReader } from '../../protocols/native/codec/reader';
import * as req from '../../protocols/native/codec/requests';
import { decodePush } from '../../protocols/native/codec/responses';
import { createNativeServer } from '../../protocols/native/server';
import { Producer } from '../../src/sdk';
import { startBroker, waitFor, type InProcessBroker } from '../helpers/broker';

let b: InProcessBroker;

beforeAll(async () => {
  b = await startBroker();
});

afterAll(async () => {
  await b.stop();
});

/** A peer that reads `budgetBytes`, then stops reading until release(). */
class StalledPeer extends Duplex {
  readonly pending: (() => void)[] = [];
  readonly parser = new FrameParser(64 * 1024 * 1024);
  records = 0;
  budgetBytes = 256 * 1024;

  constructor() {
    super({ writableHighWaterMark: 64 * 1024 });
  }

  override _read(): void {}

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    for (const f of this.parser.feed(chunk)) {
      if (f.type === FrameType.RECORDS_PUSH) this.records += decodePush(new BodyReader(f.body)).records.length;
    }
    if (this.budgetBytes >= chunk.length) {
      this.budgetBytes -= chunk.length;
      cb();
    } else {
      this.pending.push(() => cb());
    }
  }

  get stalled(): boolean {
    return this.pending.length > 0;
  }

  /** Reads everything from now on. */
  release(): void {
    this.budgetBytes = Number.POSITIVE_INFINITY;
    for (const cb of this.pending.splice(0)) cb();
  }
}

test('pushes stop while write() returns false and resume on drain', async () => {
  const topics = b.broker.context().defaultVhost.topics;
  await topics.createTopic({ name: 'flood', partitions: 1, retention: {} });
  const producer = new Producer({ broker: `127.0.0.1:${b.ports.native}` });
  const value = Buffer.alloc(1024, 1);
  const total = 4_000;
  await producer.sendBatch('flood', Array.from({ length: total }, () => ({ value, partition: 0 })));
  await producer.close();

  const server = createNativeServer(b.broker.context(), { host: '127.0.0.1', port: 0 });
  const peer = new StalledPeer();
  server.handleConnection(peer, { remoteAddress: '127.0.0.1', remotePort: 1, transport: 'ws' });
  peer.push(req.encodeAuthenticate(1, { mechanism: 'PLAIN', payload: req.plainPayload('guest', 'guest') }));
  peer.push(req.encodeSubscribe(2, { subscriptionId: 1, topic: 'flood', partition: 0, offset: 0, creditRecords: 0xffffffff, creditBytes: 0xffffffff }));
  await waitFor(() => peer.stalled, 10_000, 'the peer to stop reading');
  // Give the server every chance to overrun: many event-loop turns while the peer reads nothing.
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  expect(peer.records).toBeLessThan(total);
  expect(peer.writableLength).toBeLessThanOrEqual(64 * 1024 + NATIVE_LIMITS.pushBytesMax + 64 * 1024);
  // The peer reads again: pushes continue until everything is delivered.
  peer.release();
  await waitFor(() => peer.records === total, 20_000, 'all records pushed after drain');
  peer.destroy();
  await server.stop();
});
