/**
 * Native codec: byte fixtures (encode → exact bytes, parse → same frame), round trips for every frame type,
 * split-at-every-byte parsing, limits checked before buffering, and a fuzz of random bytes.
 */
import { BrokerError } from '../../src/core/errors';
import { FrameType, PROTOCOL_VERSION, responseType } from '../../protocols/native/constants';
import { FrameParser, type Frame } from '../../protocols/native/codec/parser';
import { BodyReader } from '../../protocols/native/codec/reader';
import * as req from '../../protocols/native/codec/requests';
import * as res from '../../protocols/native/codec/responses';
import { NATIVE_ERROR_CODE, errorCodeName } from '../../protocols/native/error-codes';
import { FrameWriter } from '../../protocols/native/codec/writer';
import { decodeFetchedRecords, encodeMessageRecord, encodeProduceRecord } from '../../src/core/record-codec';
import type { StoredRecord } from '../../storage/types';

const MAX = 1024 * 1024;

function parseOne(buf: Buffer): Frame {
  const frames = new FrameParser(MAX).feed(buf);
  expect(frames).toHaveLength(1);
  return frames[0];
}

function body(buf: Buffer): BodyReader {
  return new BodyReader(parseOne(buf).body);
}

/** Deterministic PRNG so fuzz failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

describe('native codec: byte fixtures', () => {
  test('PING request is exactly length|version|type|correlation', () => {
    const bytes = req.encodeEmpty(FrameType.PING, 7);
    expect(bytes.toString('hex')).toBe('00000006' + '01' + '16' + '00000007');
    const f = parseOne(bytes);
    expect(f).toMatchObject({ version: PROTOCOL_VERSION, type: FrameType.PING, correlationId: 7 });
    expect(f.body.length).toBe(0);
  });

  test('FETCH request layout', () => {
    const bytes = req.encodeFetch(1, { topic: 'ab', partition: 2, offset: 3, maxRecords: 4, maxBytes: 5, maxWaitMs: 6 });
    const expected =
      '00000022' + '01' + '03' + '00000001' + // header (length 34)
      '0002' + '6162' + // topic "ab"
      '00000002' + // partition
      '0000000000000003' + // offset i64
      '00000004' + '00000005' + '00000006';
    expect(bytes.toString('hex')).toBe(expected);
    expect(req.decodeFetch(body(bytes))).toEqual({ topic: 'ab', partition: 2, offset: 3, maxRecords: 4, maxBytes: 5, maxWaitMs: 6 });
  });

  test('PRODUCE request with one record: partition, timestamp, key, value, headers', () => {
    const bytes = req.encodeProduce(9, {
      topic: 't',
      acks: 2,
      records: [{ key: Buffer.from('k'), value: Buffer.from('v'), headers: { h: 'x' } }],
    });
    const expected =
      '01' + '02' + '00000009' +
      '0001' + '74' + // topic "t"
      '02' + // acks durable
      '00000001' + // one record
      'ffffffff' + // partition -1 (broker chooses)
      'ffffffffffffffff' + // timestamp -1 (broker time)
      '00000001' + '6b' + // key
      '00000001' + '76' + // value
      '00000001' + '0001' + '68' + '01' + '00000001' + '78'; // headers: 1 entry, "h" → string "x"
    expect(bytes.subarray(4).toString('hex')).toBe(expected);
    expect(bytes.readUInt32BE(0)).toBe(expected.length / 2);
    const decoded = req.decodeProduce(body(bytes));
    expect(decoded.topic).toBe('t');
    expect(decoded.acks).toBe(2);
    expect(decoded.records[0]).toEqual({ key: Buffer.from('k'), value: Buffer.from('v'), headers: { h: 'x' } });
  });

  test('ERROR frame: u16 code, code name, message', () => {
    const bytes = res.encodeError(5, 'UNKNOWN_TOPIC', 'no');
    const f = parseOne(bytes);
    expect(f.type).toBe(FrameType.ERROR);
    expect(f.body.toString('hex')).toBe('0016' + '000d' + Buffer.from('UNKNOWN_TOPIC').toString('hex') + '0002' + '6e6f');
    expect(res.decodeError(new BodyReader(f.body))).toEqual({ code: 'UNKNOWN_TOPIC', number: 22, message: 'no' });
  });

  test('error code table is one-to-one and stable', () => {
    const numbers = Object.values(NATIVE_ERROR_CODE);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const [name, n] of Object.entries(NATIVE_ERROR_CODE)) expect(errorCodeName(n)).toBe(name);
    expect(NATIVE_ERROR_CODE.NOT_FOUND).toBe(1);
    expect(NATIVE_ERROR_CODE.TIMEOUT).toBe(30);
    expect(errorCodeName(9999)).toBe('INTERNAL_ERROR');
  });

  test('i64 covers negative and large safe integers', () => {
    for (const v of [0, 1, -1, 2 ** 32, -(2 ** 32) - 5, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
      const f = new FrameWriter(FrameType.PING, 1).i64(v).finish();
      expect(new BodyReader(parseOne(f).body).i64()).toBe(v);
    }
  });
});

describe('native codec: round trips of every frame type', () => {
  const headers = { s: 'str', b: Buffer.from([1, 2]), n: 1.5, t: true, z: null, big: 12345678901234567890n, arr: [1, 'a'], tbl: { x: 1 } };
  const cases: [string, Buffer, (r: BodyReader) => unknown, unknown][] = [
    ['AUTHENTICATE', req.encodeAuthenticate(1, { mechanism: 'PLAIN', payload: req.plainPayload('u', 'p') }), req.decodeAuthenticate, { mechanism: 'PLAIN', payload: Buffer.from('\0u\0p') }],
    [
      'PRODUCE',
      req.encodeProduce(2, { topic: 'x', acks: 1, records: [{ key: null, value: Buffer.from('a'), headers, partition: 3, timestamp: 1700000000000 }] }),
      req.decodeProduce,
      { topic: 'x', acks: 1, records: [{ key: null, value: Buffer.from('a'), headers, partition: 3, timestamp: 1700000000000 }] },
    ],
    ['SUBSCRIBE', req.encodeSubscribe(3, { subscriptionId: 4, topic: 't', partition: 1, offset: 99, creditRecords: 10, creditBytes: 1000 }), req.decodeSubscribe, { subscriptionId: 4, topic: 't', partition: 1, offset: 99, creditRecords: 10, creditBytes: 1000 }],
    ['CREDIT', req.encodeCredit(4, { subscriptionId: 4, records: 5, bytes: 6 }), req.decodeCredit, { subscriptionId: 4, records: 5, bytes: 6 }],
    ['UNSUBSCRIBE', req.encodeUnsubscribe(5, 4), req.decodeUnsubscribe, 4],
    ['COMMIT_OFFSETS', req.encodeCommitOffsets(6, { groupId: 'g', memberId: 'm', generation: -1, offsets: [{ topic: 't', partition: 0, offset: 5, metadata: 'md' }] }), req.decodeCommitOffsets, { groupId: 'g', memberId: 'm', generation: -1, offsets: [{ topic: 't', partition: 0, offset: 5, metadata: 'md' }] }],
    ['FETCH_OFFSETS', req.encodeFetchOffsets(7, { groupId: 'g', topic: '' }), req.decodeFetchOffsets, { groupId: 'g', topic: '' }],
    ['JOIN_GROUP', req.encodeJoinGroup(8, { groupId: 'g', memberId: '', clientId: 'c', topics: ['a', 'b'], assignor: 'roundrobin', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 2000 }), req.decodeJoinGroup, { groupId: 'g', memberId: '', clientId: 'c', topics: ['a', 'b'], assignor: 'roundrobin', sessionTimeoutMs: 1000, rebalanceTimeoutMs: 2000 }],
    ['HEARTBEAT', req.encodeHeartbeat(9, { groupId: 'g', memberId: 'm', generation: 3 }), req.decodeHeartbeat, { groupId: 'g', memberId: 'm', generation: 3 }],
    ['LEAVE_GROUP', req.encodeLeaveGroup(10, { groupId: 'g', memberId: 'm' }), req.decodeLeaveGroup, { groupId: 'g', memberId: 'm' }],
    ['CREATE_TOPIC', req.encodeCreateTopic(11, { name: 't', partitions: 3, retention: { maxAgeMs: 1000, maxRecords: 5 } }), req.decodeCreateTopic, { name: 't', partitions: 3, retention: { maxAgeMs: 1000, maxRecords: 5 } }],
    ['DELETE_TOPIC', req.encodeName(FrameType.DELETE_TOPIC, 12, 't'), req.decodeName, 't'],
    ['RESET_OFFSETS', req.encodeResetOffsets(13, { groupId: 'g', topic: 't', spec: { to: 'timestamp', timestampMs: 42 } }), req.decodeResetOffsets, { groupId: 'g', topic: 't', spec: { to: 'timestamp', timestampMs: 42 } }],
    ['OFFSET_FOR_TIMESTAMP', req.encodeOffsetForTimestamp(14, { topic: 't', partition: 2, timestampMs: 77 }), req.decodeOffsetForTimestamp, { topic: 't', partition: 2, timestampMs: 77 }],
    ['SHUTDOWN', req.encodeShutdown(15, { timeoutMs: 3000, force: true }), req.decodeShutdown, { timeoutMs: 3000, force: true }],
    ['PRODUCE answer', res.encodeProduceResponse(16, [{ partition: 1, baseOffset: 10, count: 2 }]), res.decodeProduceResponse, [{ partition: 1, baseOffset: 10, count: 2 }]],
    [
      'FETCH answer',
      res.encodeFetchResponse(17, { partition: 0, highWatermark: 5, records: [{ offset: 4, timestamp: 9, key: Buffer.from('k'), value: Buffer.from('v'), headers: null }] }),
      res.decodeRecordSet,
      { partition: 0, highWatermark: 5, records: [{ offset: 4, timestamp: 9, key: Buffer.from('k'), value: Buffer.from('v'), headers: null }] },
    ],
    ['RECORDS_PUSH', res.encodePush(3, { partition: 1, highWatermark: 2, records: [{ offset: 1, timestamp: 2, key: null, value: Buffer.from('x'), headers: { a: 'b' } }] }), res.decodePush, { subscriptionId: 3, partition: 1, highWatermark: 2, records: [{ offset: 1, timestamp: 2, key: null, value: Buffer.from('x'), headers: { a: 'b' } }] }],
    ['SUBSCRIPTION_END', res.encodeSubscriptionEnd(3, 'UNKNOWN_TOPIC', 'gone'), res.decodeSubscriptionEnd, { subscriptionId: 3, code: 'UNKNOWN_TOPIC', message: 'gone' }],
    ['JOIN answer', res.encodeJoinResponse(18, { memberId: 'm', generation: 2, assignment: [{ topic: 't', partitions: [0, 2] }] }), res.decodeJoinResponse, { memberId: 'm', generation: 2, assignment: [{ topic: 't', partitions: [0, 2] }] }],
    ['HEARTBEAT answer', res.encodeHeartbeatResponse(19, true), res.decodeHeartbeatResponse, true],
    ['LIST_GROUPS answer', res.encodeNamesResponse(FrameType.LIST_GROUPS, 20, ['a', 'b']), res.decodeNamesResponse, ['a', 'b']],
    [
      'DESCRIBE_GROUP answer',
      res.encodeGroupResponse(21, {
        groupId: 'g',
        state: 'Stable',
        generation: 3,
        assignor: 'range',
        members: [{ memberId: 'm', clientId: 'c', assignment: [{ topic: 't', partitions: [1] }], lastHeartbeatMs: 123 }],
        lag: [{ topic: 't', partition: 1, committed: null, endOffset: 5, lag: 5 }],
      }),
      res.decodeGroupResponse,
      {
        groupId: 'g',
        state: 'Stable',
        generation: 3,
        assignor: 'range',
        members: [{ memberId: 'm', clientId: 'c', assignment: [{ topic: 't', partitions: [1] }], lastHeartbeatMs: 123 }],
        lag: [{ topic: 't', partition: 1, committed: null, endOffset: 5, lag: 5 }],
      },
    ],
    [
      'LIST_TOPICS answer',
      res.encodeTopicsResponse(22, [{ name: 't', retention: { maxBytes: 10 }, partitions: [{ partition: 0, startOffset: 1, endOffset: 2, sizeBytes: 3 }] }]),
      res.decodeTopicsResponse,
      [{ name: 't', retention: { maxBytes: 10 }, partitions: [{ partition: 0, startOffset: 1, endOffset: 2, sizeBytes: 3 }] }],
    ],
    ['STATUS answer', res.encodeStatusResponse(23, { a: [1, 'x'] }), res.decodeStatusResponse, { a: [1, 'x'] }],
    ['OFFSET answer', res.encodeOffsetResponse(24, 77), res.decodeOffsetResponse, 77],
  ];

  test.each(cases)('%s', (_name, bytes, decode, expected) => {
    expect(decode(body(bytes))).toEqual(expected);
  });

  test('every request type has a distinct answer type', () => {
    expect(responseType(FrameType.PRODUCE)).toBe(0x82);
    expect(responseType(FrameType.PING)).toBe(0x96);
  });
});

describe('native parser', () => {
  const stream = Buffer.concat([
    req.encodeEmpty(FrameType.PING, 1),
    req.encodeProduce(2, { topic: 'topic', acks: 2, records: [{ key: Buffer.from('key'), value: Buffer.alloc(300, 7), headers: { a: 'b' } }] }),
    req.encodeFetch(3, { topic: 't', partition: 0, offset: 0, maxRecords: 1, maxBytes: 1, maxWaitMs: 0 }),
  ]);

  test('split at every byte boundary yields the same frames', () => {
    const whole = new FrameParser(MAX).feed(stream);
    expect(whole.map((f) => f.correlationId)).toEqual([1, 2, 3]);
    for (let i = 0; i <= stream.length; i++) {
      const p = new FrameParser(MAX);
      const frames = [...p.feed(stream.subarray(0, i)), ...p.feed(stream.subarray(i))];
      expect(frames).toEqual(whole);
      expect(p.bufferedBytes).toBe(0);
    }
  });

  test('byte-by-byte feeding yields the same frames', () => {
    const p = new FrameParser(MAX);
    const frames: Frame[] = [];
    for (let i = 0; i < stream.length; i++) frames.push(...p.feed(stream.subarray(i, i + 1)));
    expect(frames).toEqual(new FrameParser(MAX).feed(stream));
  });

  test('declared length over the limit is refused before the body arrives', () => {
    const p = new FrameParser(100);
    const head = Buffer.from('00000065', 'hex'); // 101 bytes declared, none sent
    expect(() => p.feed(head)).toThrow(BrokerError);
    try {
      new FrameParser(100).feed(head);
    } catch (err) {
      expect((err as BrokerError).code).toBe('MESSAGE_TOO_LARGE');
    }
  });

  test('length below the header size and unknown versions are frame errors', () => {
    for (const hex of ['00000005' + '0101000000', '00000006' + '02' + '16' + '00000001']) {
      try {
        new FrameParser(MAX).feed(Buffer.from(hex, 'hex'));
        throw new Error('no error');
      } catch (err) {
        expect((err as BrokerError).code).toBe('FRAME_ERROR');
      }
    }
  });

  test('truncated bodies are FRAME_ERROR, trailing bytes too', () => {
    const fetch = req.encodeFetch(3, { topic: 't', partition: 0, offset: 0, maxRecords: 1, maxBytes: 1, maxWaitMs: 0 });
    const frame = parseOne(fetch);
    for (let cut = 0; cut < frame.body.length; cut++) {
      expect(() => req.decodeFetch(new BodyReader(frame.body.subarray(0, cut)))).toThrow(BrokerError);
    }
    expect(() => req.decodeFetch(new BodyReader(Buffer.concat([frame.body, Buffer.from([0])])))).toThrow(BrokerError);
  });

  test('fuzz: random bytes only ever raise BrokerError from parser and decoders', () => {
    const rand = rng(12345);
    const decoders = [req.decodeProduce, req.decodeFetch, req.decodeJoinGroup, req.decodeCommitOffsets, req.decodeResetOffsets, req.decodeCreateTopic, res.decodeGroupResponse, res.decodeRecordSet];
    for (let i = 0; i < 2000; i++) {
      const n = Math.floor(rand() * 64);
      const bytes = Buffer.alloc(n);
      for (let j = 0; j < n; j++) bytes[j] = Math.floor(rand() * 256);
      try {
        new FrameParser(4096).feed(bytes);
      } catch (err) {
        expect(err).toBeInstanceOf(BrokerError);
      }
      const d = decoders[i % decoders.length];
      try {
        d(new BodyReader(bytes));
      } catch (err) {
        expect(err).toBeInstanceOf(BrokerError);
      }
    }
  });
});

describe('TopicRecordCursor (the SDK consumer builds records when it takes them)', () => {
  const drain = (c: res.TopicRecordCursor): unknown[] => {
    const out: unknown[] = [];
    while (c.remaining > 0) out.push(c.next());
    return out;
  };
  const fetchAnswer = (records: Parameters<typeof res.encodeFetchResponse>[1]['records']): Buffer =>
    parseOne(res.encodeFetchResponse(1, { partition: 3, highWatermark: 2 ** 40, records })).body;

  test('gives the same records as the eager decoder, with and without headers, keys, empty and large values', () => {
    const ts = 1_763_900_000_123;
    const plain = [
      { offset: 0, timestamp: ts, key: null, value: Buffer.from('a'), headers: null },
      { offset: 2 ** 33 + 7, timestamp: ts + 1, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: null },
      { offset: 2 ** 52, timestamp: 0, key: Buffer.from('key'), value: Buffer.alloc(70_000, 7), headers: null },
    ];
    const withHeaders = [plain[0], { ...plain[1], headers: { h: 'v', n: 1.5 } }, plain[2]];
    for (const records of [plain, withHeaders, []]) {
      const bytes = fetchAnswer(records);
      const eager = res.topicRecordSetDecoder('t')(new BodyReader(bytes));
      const cursor = res.topicRecordCursorDecoder('t')(new BodyReader(bytes));
      expect(cursor.count).toBe(records.length);
      expect(cursor.highWatermark).toBe(2 ** 40);
      expect(cursor.partition).toBe(3);
      expect(cursor.lastOffset).toBe(records.length === 0 ? -1 : records[records.length - 1].offset);
      expect(drain(cursor)).toEqual(eager.records);
      expect(cursor.remaining).toBe(0);
    }
  });

  test('a truncated or malformed answer fails on arrival, as the eager decoder does, never later in next()', () => {
    const bytes = fetchAnswer([
      { offset: 5, timestamp: 9, key: Buffer.from('k'), value: Buffer.from('value'), headers: null },
      { offset: 6, timestamp: 9, key: null, value: Buffer.from('v2'), headers: null },
    ]);
    for (let cut = 0; cut < bytes.length; cut++) {
      const part = bytes.subarray(0, cut);
      expect(() => res.topicRecordCursorDecoder('t')(new BodyReader(part))).toThrow(BrokerError);
      expect(() => res.topicRecordSetDecoder('t')(new BodyReader(part))).toThrow(BrokerError);
    }
    // An offset beyond the safe integers (top i32 0x7fffffff) and a key length below -1.
    const badOffset = Buffer.from(bytes);
    badOffset.writeInt32BE(0x7fffffff, 16);
    expect(() => res.topicRecordCursorDecoder('t')(new BodyReader(badOffset))).toThrow(BrokerError);
    const badKey = Buffer.from(bytes);
    badKey.writeInt32BE(-2, 32);
    expect(() => res.topicRecordCursorDecoder('t')(new BodyReader(badKey))).toThrow(BrokerError);
  });

  test('fuzz: random bodies raise BrokerError on arrival or decode exactly like the eager decoder', () => {
    const rand = rng(777);
    const good = fetchAnswer([{ offset: 1, timestamp: 2, key: null, value: Buffer.from('abc'), headers: null }]);
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(good);
      for (let k = 0; k < 3; k++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      let eager: unknown[] | BrokerError;
      try {
        eager = res.topicRecordSetDecoder('t')(new BodyReader(bytes)).records;
      } catch (err) {
        expect(err).toBeInstanceOf(BrokerError);
        eager = err as BrokerError;
      }
      try {
        const records = drain(res.topicRecordCursorDecoder('t')(new BodyReader(bytes)));
        expect(records).toEqual(eager);
      } catch (err) {
        expect(err).toBeInstanceOf(BrokerError);
        expect(eager).toBeInstanceOf(BrokerError);
      }
    }
  });
});

describe('encodeStoredFetchResponse (FETCH answers straight from the stored records)', () => {
  test('encodeStoredFetchResponse writes the same bytes as encodeFetchResponse over decodeFetchedRecords', () => {
    const stored: StoredRecord[] = [
      { key: null, value: Buffer.from('plain'), headers: null },
      encodeProduceRecord({ key: Buffer.from('k'), value: Buffer.from('no headers'), headers: null }),
      encodeProduceRecord({ key: null, value: Buffer.from('empty headers'), headers: {} }),
      encodeProduceRecord({ key: null, value: Buffer.from('native headers'), headers: { a: 'b', n: 2 } }),
      encodeMessageRecord({ exchange: 'x', routingKey: 'rk', properties: { contentType: 'text/plain', headers: { h: 1 } }, body: Buffer.from('amqp') }),
    ].map((r, i) => ({ offset: 10 + i, timestamp: 1_763_900_000_000 + i, key: r.key, headers: r.headers, value: r.value }));
    const copy = stored.map((r) => ({ ...r }));
    const expected = res.encodeFetchResponse(5, { partition: 1, highWatermark: 15, records: decodeFetchedRecords(copy) });
    expect(res.encodeStoredFetchResponse(5, 1, 15, stored).equals(expected)).toBe(true);
  });
});
