/**
 * Hand-written byte fixtures, one per frame type: parse → generate → round-trip, and the frame parser fed the
 * fixture stream split at every byte boundary.
 */
import { BrokerError } from '../../../src/core/errors';
import {
  checkProtocolHeader,
  decodeContentHeader,
  decodeMethod,
  encodeBodyFrames,
  encodeContentHeaderFrame,
  encodeContentHeaderFrameRaw,
  encodeMethod,
  encodeMethodWithContent,
  FRAME_BODY,
  FRAME_HEADER,
  FRAME_HEARTBEAT,
  FRAME_METHOD,
  FrameParser,
  HEARTBEAT_FRAME,
  makeMethod,
  PROTOCOL_HEADER,
  type Frame,
} from '../../../protocols/amqp/codec';
import { ascii, hex } from './helpers';

// connection.start on channel 0: version 0-9, server-properties
// {capabilities: {publisher_confirms: true}, product: "polymq"}, mechanisms "PLAIN AMQPLAIN", locales "en_US".
const CONNECTION_START = Buffer.concat([
  hex('01 | 00 00 | 00 00 00 5f'),
  hex('00 0a 00 0a | 00 | 09'),
  hex('00 00 00 3a'),
  hex('0c'), ascii('capabilities'), hex('46 00 00 00 15 12'), ascii('publisher_confirms'), hex('74 01'),
  hex('07'), ascii('product'), hex('53 00 00 00 06'), ascii('polymq'),
  hex('00 00 00 0e'), ascii('PLAIN AMQPLAIN'),
  hex('00 00 00 05'), ascii('en_US'),
  hex('ce'),
]);

// basic.publish on channel 1: ticket 0, exchange "amq.topic", routing key "a.b", mandatory, not immediate.
const BASIC_PUBLISH = Buffer.concat([
  hex('01 00 01 00 00 00 15 | 00 3c 00 28 | 00 00 | 09'), ascii('amq.topic'), hex('03'), ascii('a.b'), hex('01 | ce'),
]);

// basic.deliver on channel 2: consumer tag "ctag", delivery tag 2^32 + 2, redelivered, exchange "", key "q1".
const BASIC_DELIVER = Buffer.concat([
  hex('01 00 02 00 00 00 16 | 00 3c 00 3c | 04'), ascii('ctag'), hex('00 00 00 01 00 00 00 02 | 01 | 00 | 02'), ascii('q1'), hex('ce'),
]);

// Content header on channel 1, class 60, body size 11, all 14 property flags set.
const CONTENT_HEADER = Buffer.concat([
  hex('02 00 01 00 00 00 4e | 00 3c | 00 00 | 00 00 00 00 00 00 00 0b | ff fc'),
  hex('0a'), ascii('text/plain'),
  hex('04'), ascii('gzip'),
  hex('00 00 00 06 | 03'), ascii('x-b'), hex('62 fb'),
  hex('02 | 05'),
  hex('02'), ascii('c1'),
  hex('01'), ascii('r'),
  hex('05'), ascii('60000'),
  hex('01'), ascii('m'),
  hex('00 00 00 00 65 53 f1 00'),
  hex('01'), ascii('t'),
  hex('05'), ascii('guest'),
  hex('03'), ascii('app'),
  hex('02'), ascii('cl'),
  hex('ce'),
]);

const BODY = Buffer.concat([hex('03 00 01 00 00 00 0b'), ascii('hello world'), hex('ce')]);

const STREAM = Buffer.concat([CONNECTION_START, BASIC_PUBLISH, CONTENT_HEADER, BODY, HEARTBEAT_FRAME, BASIC_DELIVER]);

const EXPECTED_TYPES = [FRAME_METHOD, FRAME_METHOD, FRAME_HEADER, FRAME_BODY, FRAME_HEARTBEAT, FRAME_METHOD];
const EXPECTED_CHANNELS = [0, 1, 1, 1, 0, 2];

function parseAll(chunks: Buffer[], frameMax = 131072): Frame[] {
  const p = new FrameParser(frameMax);
  const out: Frame[] = [];
  for (const c of chunks) out.push(...p.push(c));
  expect(p.bufferedBytes()).toBe(0);
  return out;
}

describe('byte fixtures', () => {
  test('connection.start with a nested server-properties table', () => {
    const [f] = parseAll([CONNECTION_START]);
    const m = decodeMethod(f.payload);
    const expected = makeMethod('connection.start', {
      versionMajor: 0,
      versionMinor: 9,
      serverProperties: { capabilities: { publisher_confirms: true }, product: 'polymq' },
      mechanisms: Buffer.from('PLAIN AMQPLAIN'),
      locales: Buffer.from('en_US'),
    });
    expect(m).toEqual(expected);
    expect(encodeMethod(0, expected).equals(CONNECTION_START)).toBe(true);
  });

  test('basic.publish', () => {
    const [f] = parseAll([BASIC_PUBLISH]);
    const expected = makeMethod('basic.publish', { ticket: 0, exchange: 'amq.topic', routingKey: 'a.b', mandatory: true, immediate: false });
    expect(decodeMethod(f.payload)).toEqual(expected);
    expect(encodeMethod(1, expected).equals(BASIC_PUBLISH)).toBe(true);
  });

  test('basic.deliver with a delivery tag above 2^32', () => {
    const [f] = parseAll([BASIC_DELIVER]);
    const expected = makeMethod('basic.deliver', {
      consumerTag: 'ctag',
      deliveryTag: 2 ** 32 + 2,
      redelivered: true,
      exchange: '',
      routingKey: 'q1',
    });
    expect(decodeMethod(f.payload)).toEqual(expected);
    expect(encodeMethod(2, expected).equals(BASIC_DELIVER)).toBe(true);
  });

  test('content header with all 14 properties', () => {
    const [f] = parseAll([CONTENT_HEADER]);
    const h = decodeContentHeader(f.payload);
    const properties = {
      contentType: 'text/plain',
      contentEncoding: 'gzip',
      headers: { 'x-b': { amqpType: 'b', value: -5 } },
      deliveryMode: 2,
      priority: 5,
      correlationId: 'c1',
      replyTo: 'r',
      expiration: '60000',
      messageId: 'm',
      timestamp: 1_700_000_000,
      type: 't',
      userId: 'guest',
      appId: 'app',
      clusterId: 'cl',
    };
    expect(h).toEqual({ classId: 60, bodySize: 11, properties, rawProperties: CONTENT_HEADER.subarray(19, CONTENT_HEADER.length - 1) });
    // The raw properties are a slice of the frame, not a copy.
    expect(h.rawProperties.buffer).toBe(f.payload.buffer);
    expect(encodeContentHeaderFrame(1, 60, 11, properties).equals(CONTENT_HEADER)).toBe(true);
    expect(encodeContentHeaderFrameRaw(1, 60, 11, h.rawProperties).equals(CONTENT_HEADER)).toBe(true);
  });

  test('content header with no properties', () => {
    const frame = hex('02 00 05 00 00 00 0e | 00 3c 00 00 | 00 00 00 00 00 00 00 00 | 00 00 | ce');
    const [f] = parseAll([frame]);
    expect(decodeContentHeader(f.payload)).toEqual({ classId: 60, bodySize: 0, properties: {}, rawProperties: hex('00 00') });
    expect(encodeContentHeaderFrame(5, 60, 0, {}).equals(frame)).toBe(true);
  });

  test('body and heartbeat frames', () => {
    const frames = parseAll([BODY, HEARTBEAT_FRAME]);
    expect(frames.map((f) => [f.type, f.channel, f.payload.toString()])).toEqual([
      [FRAME_BODY, 1, 'hello world'],
      [FRAME_HEARTBEAT, 0, ''],
    ]);
    expect(encodeBodyFrames(1, Buffer.from('hello world'), 131072)).toEqual([BODY]);
  });

  test('the whole stream split at every byte boundary, and fed one byte at a time', () => {
    const whole = parseAll([STREAM]);
    expect(whole.map((f) => f.type)).toEqual(EXPECTED_TYPES);
    expect(whole.map((f) => f.channel)).toEqual(EXPECTED_CHANNELS);
    for (let cut = 0; cut <= STREAM.length; cut++) {
      const split = parseAll([STREAM.subarray(0, cut), STREAM.subarray(cut)]);
      expect(split).toEqual(whole);
    }
    for (let a = 1; a < STREAM.length; a += 7) {
      for (let b = a; b < STREAM.length; b += 13) {
        expect(parseAll([STREAM.subarray(0, a), STREAM.subarray(a, b), STREAM.subarray(b)])).toEqual(whole);
      }
    }
    const bytes: Buffer[] = [];
    for (let i = 0; i < STREAM.length; i++) bytes.push(STREAM.subarray(i, i + 1));
    expect(parseAll(bytes)).toEqual(whole);
  });
});

describe('FrameParser limits and errors', () => {
  function code(fn: () => unknown): string {
    try {
      fn();
      return 'ok';
    } catch (e) {
      return e instanceof BrokerError ? e.code : 'not-a-broker-error';
    }
  }

  test('a declared size above frame_max is refused as soon as the 7-byte header arrives', () => {
    const p = new FrameParser(4096);
    // Payload of 4096 is tolerated (RabbitMQ's 8-byte fudge); 4097 is not, before any payload arrives.
    expect(p.push(hex('03 00 01 00 00 10 00'))).toEqual([]);
    const q = new FrameParser(4096);
    expect(code(() => q.push(hex('03 00 01 00 00 10')))).toBe('ok');
    expect(code(() => q.push(hex('01')))).toBe('FRAME_ERROR');
  });

  test('setFrameMax applies to the next frames', () => {
    const p = new FrameParser(131072);
    const big = encodeBodyFrames(1, Buffer.alloc(10000), 131072)[0];
    expect(p.push(big)).toHaveLength(1);
    p.setFrameMax(4096);
    expect(code(() => p.push(big))).toBe('FRAME_ERROR');
  });

  test('wrong frame-end octet → FRAME_ERROR', () => {
    const bad = Buffer.from(BASIC_PUBLISH);
    bad[bad.length - 1] = 0xcd;
    expect(code(() => new FrameParser(4096).push(bad))).toBe('FRAME_ERROR');
  });

  test('unknown frame type → FRAME_ERROR (rabbit_reader: frame_error unknown_frame), checked on the header', () => {
    expect(code(() => new FrameParser(4096).push(hex('04 00 01 00 00 00 00')))).toBe('FRAME_ERROR');
    expect(code(() => new FrameParser(4096).push(hex('00 00 00 00 00 00 00 ce')))).toBe('FRAME_ERROR');
  });

  test('heartbeat with a payload → FRAME_ERROR; on a non-zero channel → UNEXPECTED_FRAME', () => {
    expect(code(() => new FrameParser(4096).push(hex('08 00 00 00 00 00 01 00 ce')))).toBe('FRAME_ERROR');
    expect(code(() => new FrameParser(4096).push(hex('08 00 01 00 00 00 00 ce')))).toBe('UNEXPECTED_FRAME');
  });

  test('encodeBodyFrames splits by frame_max - 8 and every frame fits frame_max', () => {
    const body = Buffer.from(Array.from({ length: 10000 }, (_, i) => i & 0xff));
    const frames = encodeBodyFrames(7, body, 4096);
    expect(frames.map((f) => f.length)).toEqual([4096, 4096, 10000 - 2 * 4088 + 8]);
    const parsed = parseAll(frames, 4096);
    expect(Buffer.concat(parsed.map((f) => f.payload)).equals(body)).toBe(true);
    expect(encodeBodyFrames(7, Buffer.alloc(0), 4096)).toEqual([]);
  });

  test('protocol header', () => {
    expect(PROTOCOL_HEADER.equals(ascii('AMQP\x00\x00\x09\x01'))).toBe(true);
    expect(checkProtocolHeader(PROTOCOL_HEADER)).toBe('ok');
    expect(checkProtocolHeader(ascii('AMQP\x01\x01\x00\x09'))).toBe('ok'); // 0-9, accepted like RabbitMQ
    expect(checkProtocolHeader(ascii('AMQ'))).toBe('need-more');
    expect(checkProtocolHeader(Buffer.alloc(0))).toBe('need-more');
    expect(checkProtocolHeader(ascii('AMQP\x00\x00\x08\x00'))).toBe('bad');
    expect(checkProtocolHeader(ascii('GET / HTTP/1.1'))).toBe('bad');
    expect(checkProtocolHeader(ascii('AMQP\x03\x01\x00\x00'))).toBe('bad'); // AMQP 1.0 SASL
  });

  test('content header errors: weight ≠ 0, truncation, bytes after the last property', () => {
    const payload = CONTENT_HEADER.subarray(7, CONTENT_HEADER.length - 1);
    const weighted = Buffer.from(payload);
    weighted[3] = 1;
    expect(code(() => decodeContentHeader(weighted))).toBe('UNEXPECTED_FRAME');
    for (let len = 0; len < payload.length; len++) expect(code(() => decodeContentHeader(payload.subarray(0, len)))).toBe('FRAME_ERROR');
    expect(code(() => decodeContentHeader(Buffer.concat([payload, hex('00')])))).toBe('FRAME_ERROR');
  });
});

describe('encodeMethodWithContent', () => {
  test('lays out method, header and body frames exactly as the separate encoders do, in one buffer', () => {
    const deliver = makeMethod('basic.deliver', { consumerTag: 'c', deliveryTag: 9, redelivered: true, exchange: 'x', routingKey: 'k' });
    const props = { contentType: 'text/plain', headers: { a: 1 } };
    const raw = decodeContentHeader(encodeContentHeaderFrame(3, 60, 0, props).subarray(7, -1)).rawProperties;
    for (const size of [0, 1, 4088, 4089, 10000]) {
      const body = Buffer.alloc(size, 7);
      const separate = Buffer.concat([encodeMethod(3, deliver), encodeContentHeaderFrameRaw(3, 60, size, raw), ...encodeBodyFrames(3, body, 4096)]);
      expect(encodeMethodWithContent(3, deliver, {}, raw, body, 4096).equals(separate)).toBe(true);
      const fromProps = Buffer.concat([encodeMethod(3, deliver), encodeContentHeaderFrame(3, 60, size, props), ...encodeBodyFrames(3, body, 4096)]);
      expect(encodeMethodWithContent(3, deliver, props, undefined, body, 4096).equals(fromProps)).toBe(true);
    }
    expect(() => encodeMethodWithContent(1, makeMethod('basic.ack', { deliveryTag: 1, multiple: false }), {}, undefined, Buffer.alloc(0), 4096)).toThrow(BrokerError);
  });
});
