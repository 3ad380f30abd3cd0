/**
 * The native server over real sockets against an in-process broker: authentication, error frames and which
 * errors close the connection, produce ack levels, long-poll fetch, push subscriptions with credit, and fuzzing
 * the port while a well-behaved client keeps working.
 */
import net from 'node:net';
import { FrameType, responseType } from '../../protocols/native/constants';
import { BodyReader } from '../../protocols/native/codec/reader';
import * as req from '../../protocols/native/codec/requests';
import * as res from '../../protocols/native/codec/responses';
import { FrameWriter } from '../../protocols/native/codec/writer';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { RawClient, errorOf } from './raw-client';

const FRAME_MAX = 64 * 1024;
let b: InProcessBroker;
let port: number;

beforeAll(async () => {
  b = await startBroker({ limits: { nativeFrameMaxBytes: FRAME_MAX } });
  port = b.ports.native;
  const c = await RawClient.open(port);
  c.send(req.encodeCreateTopic(2, { name: 'events', partitions: 2, retention: {} }));
  expect((await c.reply(2)).type).toBe(responseType(FrameType.CREATE_TOPIC));
  c.destroy();
});

afterAll(async () => {
  await b.stop();
});

function record(value: string, partition = 0) {
  return { key: null, value: Buffer.from(value), headers: null, partition };
}

async function produce(c: RawClient, corr: number, topic: string, values: string[], partition = 0): Promise<res.BatchAck[]> {
  c.send(req.encodeProduce(corr, { topic, acks: 2, records: values.map((v) => record(v, partition)) }));
  const f = await c.reply(corr);
  expect(f.type).toBe(responseType(FrameType.PRODUCE));
  return res.decodeProduceResponse(new BodyReader(f.body));
}

describe('connection rules', () => {
  test('a request before AUTHENTICATE is refused and the connection closed', async () => {
    const c = await RawClient.connect(port);
    c.send(req.encodeEmpty(FrameType.LIST_TOPICS, 5));
    expect(errorOf(await c.reply(5)).code).toBe('ACCESS_REFUSED');
    await c.waitClosed();
  });

  test('bad credentials: ACCESS_REFUSED and close', async () => {
    const c = await RawClient.connect(port);
    c.send(req.encodeAuthenticate(1, { mechanism: 'PLAIN', payload: req.plainPayload('guest', 'wrong') }));
    expect(errorOf(await c.reply(1)).code).toBe('ACCESS_REFUSED');
    await c.waitClosed();
  });

  test('requests pipelined behind AUTHENTICATE wait for it instead of being refused', async () => {
    const c = await RawClient.connect(port);
    c.send(
      Buffer.concat([
        req.encodeAuthenticate(1, { mechanism: 'PLAIN', payload: req.plainPayload('guest', 'guest') }),
        req.encodeEmpty(FrameType.LIST_TOPICS, 2),
      ]),
    );
    expect((await c.reply(1)).type).toBe(responseType(FrameType.AUTHENTICATE));
    expect((await c.reply(2)).type).toBe(responseType(FrameType.LIST_TOPICS));
    c.destroy();
  });

  test('PING works before authentication', async () => {
    const c = await RawClient.connect(port);
    c.send(req.encodeEmpty(FrameType.PING, 3));
    expect((await c.reply(3)).type).toBe(responseType(FrameType.PING));
    c.destroy();
  });

  test('unknown frame type: UNEXPECTED_FRAME and close; other clients unaffected', async () => {
    const bad = await RawClient.open(port);
    const good = await RawClient.open(port);
    bad.send(new FrameWriter(0x3e, 9).finish());
    expect(errorOf(await bad.reply(9)).code).toBe('UNEXPECTED_FRAME');
    await bad.waitClosed();
    good.send(req.encodeEmpty(FrameType.PING, 2));
    expect((await good.reply(2)).type).toBe(responseType(FrameType.PING));
    good.destroy();
  });

  test('a declared length over nativeFrameMaxBytes is refused before the body is sent', async () => {
    const c = await RawClient.open(port);
    const head = Buffer.alloc(10);
    head.writeUInt32BE(FRAME_MAX + 1, 0);
    head.writeUInt8(1, 4);
    head.writeUInt8(FrameType.PRODUCE, 5);
    c.send(head); // no body follows: the answer must come from the length alone
    const f = await c.waitFrame((x) => x.type === FrameType.ERROR);
    expect(errorOf(f).code).toBe('MESSAGE_TOO_LARGE');
    await c.waitClosed();
  });

  test('a malformed body: FRAME_ERROR and close', async () => {
    const c = await RawClient.open(port);
    const good = req.encodeFetch(4, { topic: 'events', partition: 0, offset: 0, maxRecords: 1, maxBytes: 1, maxWaitMs: 0 });
    const truncated = Buffer.from(good.subarray(0, good.length - 3));
    truncated.writeUInt32BE(truncated.length - 4, 0);
    c.send(truncated);
    expect(errorOf(await c.reply(4)).code).toBe('FRAME_ERROR');
    await c.waitClosed();
  });

  test('a failing request answers an error and keeps the connection', async () => {
    const c = await RawClient.open(port);
    c.send(req.encodeProduce(2, { topic: 'nope', acks: 2, records: [record('x')] }));
    expect(errorOf(await c.reply(2)).code).toBe('UNKNOWN_TOPIC');
    c.send(req.encodeName(FrameType.DESCRIBE_GROUP, 3, 'no-such-group'));
    const g = await c.reply(3);
    expect(g.type === FrameType.ERROR ? errorOf(g).code : 'ok').toMatch(/NOT_FOUND|ok/);
    c.send(req.encodeEmpty(FrameType.PING, 4));
    expect((await c.reply(4)).type).toBe(responseType(FrameType.PING));
    expect(c.closed).toBe(false);
    c.destroy();
  });
});

describe('produce and fetch', () => {
  test('ack levels: leader and durable answer with offsets; none answers nothing', async () => {
    const c = await RawClient.open(port);
    await c.send(req.encodeCreateTopic(2, { name: 'acks', partitions: 1, retention: {} }));
    await c.reply(2);
    c.send(req.encodeProduce(3, { topic: 'acks', acks: 0, records: [record('a')] }));
    c.send(req.encodeProduce(4, { topic: 'acks', acks: 1, records: [record('b'), record('c')] }));
    const leader = res.decodeProduceResponse(new BodyReader((await c.reply(4)).body));
    expect(leader).toEqual([{ partition: 0, baseOffset: 1, count: 2 }]);
    expect(await produce(c, 5, 'acks', ['d'])).toEqual([{ partition: 0, baseOffset: 3, count: 1 }]);
    expect(c.frames.find((f) => f.correlationId === 3)).toBeUndefined();
    c.send(req.encodeFetch(6, { topic: 'acks', partition: 0, offset: 0, maxRecords: 100, maxBytes: 1 << 20, maxWaitMs: 0 }));
    const set = res.decodeRecordSet(new BodyReader((await c.reply(6)).body));
    expect(set.records.map((r) => r.value.toString())).toEqual(['a', 'b', 'c', 'd']);
    expect(set.records.map((r) => r.offset)).toEqual([0, 1, 2, 3]);
    expect(set.highWatermark).toBe(4);
    c.destroy();
  });

  test('long-poll fetch answers as soon as data arrives', async () => {
    const reader = await RawClient.open(port);
    const writer = await RawClient.open(port);
    const start = Date.now();
    reader.send(req.encodeFetch(7, { topic: 'events', partition: 1, offset: 0, maxRecords: 10, maxBytes: 1 << 20, maxWaitMs: 20_000 }));
    await reader.send(req.encodeEmpty(FrameType.PING, 8));
    await reader.reply(8); // the fetch is parked now
    await produce(writer, 2, 'events', ['wake'], 1);
    const set = res.decodeRecordSet(new BodyReader((await reader.reply(7)).body));
    expect(set.records.map((r) => r.value.toString())).toEqual(['wake']);
    expect(Date.now() - start).toBeLessThan(10_000);
    reader.destroy();
    writer.destroy();
  });

  test('long-poll fetch with nothing to read answers empty after maxWaitMs', async () => {
    const c = await RawClient.open(port);
    c.send(req.encodeFetch(2, { topic: 'events', partition: 0, offset: 1_000_000, maxRecords: 10, maxBytes: 1000, maxWaitMs: 50 }));
    const f = await c.reply(2);
    // Beyond the end is either an empty answer or OFFSET_OUT_OF_RANGE, as the core decides; never silence.
    if (f.type === FrameType.ERROR) expect(errorOf(f).code).toBe('OFFSET_OUT_OF_RANGE');
    c.destroy();
  });
});

describe('push subscriptions with credit', () => {
  test('pushes while credit lasts, resumes on CREDIT, then follows live appends', async () => {
    const c = await RawClient.open(port);
    c.send(req.encodeCreateTopic(2, { name: 'credit', partitions: 1, retention: {} }));
    await c.reply(2);
    await produce(c, 3, 'credit', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    c.send(req.encodeSubscribe(4, { subscriptionId: 77, topic: 'credit', partition: 0, offset: 0, creditRecords: 3, creditBytes: 1 << 20 }));
    expect((await c.reply(4)).type).toBe(responseType(FrameType.SUBSCRIBE));
    const got: string[] = [];
    const collect = async (n: number): Promise<void> => {
      while (got.length < n) {
        const f = await c.waitFrame((x) => x.type === FrameType.RECORDS_PUSH);
        const p = res.decodePush(new BodyReader(f.body));
        expect(p.subscriptionId).toBe(77);
        got.push(...p.records.map((r) => r.value.toString()));
      }
    };
    await collect(3);
    // A round trip after the credit ran out: no push may be pending beyond the 3 granted records.
    c.send(req.encodeEmpty(FrameType.PING, 5));
    await c.reply(5);
    expect(got).toEqual(['0', '1', '2']);
    expect(c.frames.filter((f) => f.type === FrameType.RECORDS_PUSH)).toHaveLength(0);
    c.send(req.encodeCredit(0, { subscriptionId: 77, records: 100, bytes: 1 << 20 }));
    await collect(10);
    expect(got).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await produce(c, 6, 'credit', ['live']);
    await collect(11);
    expect(got[10]).toBe('live');
    c.send(req.encodeUnsubscribe(7, 77));
    expect((await c.reply(7)).type).toBe(responseType(FrameType.UNSUBSCRIBE));
    c.destroy();
  });

  test('deleting the topic ends a waiting subscription and a parked fetch with UNKNOWN_TOPIC', async () => {
    const c = await RawClient.open(port);
    c.send(req.encodeCreateTopic(2, { name: 'doomed', partitions: 1, retention: {} }));
    await c.reply(2);
    c.send(req.encodeSubscribe(3, { subscriptionId: 5, topic: 'doomed', partition: 0, offset: 0, creditRecords: 10, creditBytes: 1000 }));
    await c.reply(3);
    c.send(req.encodeFetch(4, { topic: 'doomed', partition: 0, offset: 0, maxRecords: 10, maxBytes: 1000, maxWaitMs: 20_000 }));
    c.send(req.encodeEmpty(FrameType.PING, 5));
    await c.reply(5);
    const admin = await RawClient.open(port);
    admin.send(req.encodeName(FrameType.DELETE_TOPIC, 2, 'doomed'));
    expect((await admin.reply(2)).type).toBe(responseType(FrameType.DELETE_TOPIC));
    const end = res.decodeSubscriptionEnd(new BodyReader((await c.waitFrame((f) => f.type === FrameType.SUBSCRIPTION_END)).body));
    expect(end).toMatchObject({ subscriptionId: 5, code: 'UNKNOWN_TOPIC' });
    expect(errorOf(await c.reply(4)).code).toBe('UNKNOWN_TOPIC');
    c.destroy();
    admin.destroy();
  });

  test('subscribing to an unknown topic answers UNKNOWN_TOPIC', async () => {
    const c = await RawClient.open(port);
    c.send(req.encodeSubscribe(2, { subscriptionId: 1, topic: 'missing', partition: 0, offset: 0, creditRecords: 1, creditBytes: 1 }));
    expect(errorOf(await c.reply(2)).code).toBe('UNKNOWN_TOPIC');
    c.destroy();
  });
});

describe('fuzz', () => {
  /** Deterministic PRNG so failures reproduce. */
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 0x1_0000_0000;
    };
  }

  test('random, mutated and truncated frames leave the broker serving other clients', async () => {
    const rand = rng(4242);
    const good = await RawClient.open(port);
    const templates = [
      req.encodeProduce(2, { topic: 'events', acks: 2, records: [record('fuzz')] }),
      req.encodeFetch(3, { topic: 'events', partition: 0, offset: 0, maxRecords: 5, maxBytes: 1000, maxWaitMs: 0 }),
      req.encodeJoinGroup(4, { groupId: 'g', memberId: '', clientId: 'c', topics: ['events'], assignor: 'range', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 1000 }),
      req.encodeCommitOffsets(5, { groupId: 'g', memberId: '', generation: -1, offsets: [{ topic: 'events', partition: 0, offset: 1 }] }),
    ];
    const auth = req.encodeAuthenticate(1, { mechanism: 'PLAIN', payload: req.plainPayload('guest', 'guest') });
    for (let round = 0; round < 40; round++) {
      const sock = net.connect({ host: '127.0.0.1', port });
      await new Promise<void>((resolve) => sock.once('connect', () => resolve()));
      sock.on('error', () => undefined);
      const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
      sock.resume();
      if (round % 2 === 0) sock.write(auth);
      const kind = round % 4;
      if (kind === 0) {
        const n = 1 + Math.floor(rand() * 200);
        const junk = Buffer.alloc(n);
        for (let i = 0; i < n; i++) junk[i] = Math.floor(rand() * 256);
        sock.write(junk);
      } else {
        const t = Buffer.from(templates[Math.floor(rand() * templates.length)]);
        if (kind === 1) {
          for (let i = 0; i < 3; i++) t[4 + Math.floor(rand() * (t.length - 4))] = Math.floor(rand() * 256); // mutate after the length
        } else if (kind === 2) {
          sock.write(t.subarray(0, Math.floor(rand() * t.length))); // truncated, then hang up
        } else {
          t.writeUInt32BE(Math.floor(rand() * 0xffffffff), 0); // random declared length
          sock.write(t);
        }
        if (kind !== 2) sock.write(t);
      }
      sock.end();
      await closed;
      // The well-behaved client is served throughout.
      good.send(req.encodeEmpty(FrameType.PING, 1000 + round));
      expect((await good.reply(1000 + round)).type).toBe(responseType(FrameType.PING));
    }
    await produce(good, 9, 'events', ['after-fuzz']);
    good.destroy();
  });
});

describe('resource alarms', () => {
  test('while a memory alarm blocks publishers, PRODUCE answers RESOURCE_ERROR and reads still work', async () => {
    const blocked = await startBroker({ limits: { memoryHighWatermarkBytes: 1 } });
    try {
      const c = await RawClient.open(blocked.ports.native);
      c.send(req.encodeCreateTopic(2, { name: 'alarmed', partitions: 1, retention: {} }));
      await c.reply(2);
      c.send(req.encodeProduce(3, { topic: 'alarmed', acks: 2, records: [record('x')] }));
      expect(errorOf(await c.reply(3)).code).toBe('RESOURCE_ERROR');
      c.send(req.encodeFetch(4, { topic: 'alarmed', partition: 0, offset: 0, maxRecords: 1, maxBytes: 100, maxWaitMs: 0 }));
      expect((await c.reply(4)).type).toBe(responseType(FrameType.FETCH));
      c.destroy();
    } finally {
      await blocked.stop();
    }
  });
});
