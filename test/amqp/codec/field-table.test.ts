/** Field tables (every RabbitMQ type, nesting, lossless round trip) and basic properties, against amqplib. */
import { BrokerError } from '../../../src/core/errors';
import type { HeaderTable, MessageProperties } from '../../../src/core/message';
import {
  decodeContentHeader,
  decodeFieldTable,
  encodeContentHeaderFrame,
  encodeFieldTable,
  FIELD_TABLE_DEPTH_MAX,
  headerNumber,
} from '../../../protocols/amqp/codec';
import { ascii, hex, loadAmqplibDefs, portableTable, richTable, rng } from './helpers';
import { amqplibCompatible, asAmqplibDecodes, toAmqplibTable } from './oracle';

function code(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (e) {
    return e instanceof BrokerError ? e.code : 'not-a-broker-error';
  }
}

function roundTrip(t: HeaderTable): HeaderTable {
  const bytes = encodeFieldTable(t);
  const { table, next } = decodeFieldTable(bytes, 0);
  expect(next).toBe(bytes.length);
  expect(encodeFieldTable(table).equals(bytes)).toBe(true);
  return table;
}

describe('field tables', () => {
  test('hand-written bytes for every type tag', () => {
    const body = Buffer.concat([
      hex('01'), ascii('t'), hex('74 01'),
      hex('01'), ascii('b'), hex('62 80'),
      hex('01'), ascii('B'), hex('42 ff'),
      hex('01'), ascii('s'), hex('73 80 00'),
      hex('01'), ascii('u'), hex('75 ff ff'),
      hex('01'), ascii('I'), hex('49 ff ff ff fe'),
      hex('01'), ascii('i'), hex('69 ff ff ff ff'),
      hex('01'), ascii('l'), hex('6c 80 00 00 00 00 00 00 00'),
      hex('01'), ascii('f'), hex('66 3f c0 00 00'),
      hex('01'), ascii('d'), hex('64 3f f8 00 00 00 00 00 00'),
      hex('01'), ascii('D'), hex('44 02 00 00 30 39'),
      hex('01'), ascii('S'), hex('53 00 00 00 03'), Buffer.from('✓'),
      hex('01'), ascii('x'), hex('78 00 00 00 02 00 ff'),
      hex('01'), ascii('T'), hex('54 00 00 00 00 65 53 f1 00'),
      hex('01'), ascii('F'), hex('46 00 00 00 03 | 01'), ascii('n'), hex('56'),
      hex('01'), ascii('A'), hex('41 00 00 00 07 | 49 00 00 00 01 | 74 00'),
      hex('01'), ascii('V'), hex('56'),
      hex('01'), ascii('L'), hex('4c 00 00 00 00 00 00 00 05'),
    ]);
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    const { table } = decodeFieldTable(bytes, 0);
    expect(table).toEqual({
      t: true,
      b: { amqpType: 'b', value: -128 },
      B: { amqpType: 'B', value: 255 },
      s: { amqpType: 's', value: -32768 },
      u: { amqpType: 'u', value: 65535 },
      I: -2,
      i: { amqpType: 'i', value: 0xffffffff },
      l: -(2n ** 63n),
      f: { amqpType: 'f', value: 1.5 },
      d: 1.5,
      D: { amqpType: 'D', value: { scale: 2, value: 12345 } },
      S: '✓',
      x: Buffer.from([0, 0xff]),
      T: { amqpType: 'T', value: 1_700_000_000 },
      F: { n: null },
      A: [1, false],
      V: null,
      L: { amqpType: 'L', value: 5n },
    });
    expect(encodeFieldTable(table).equals(bytes)).toBe(true);
  });

  test('plain JS values encode as specified: string→S, boolean→t, int32→I, larger→l, fraction→d, Buffer→x, bigint→l', () => {
    const bytes = encodeFieldTable({ a: 'x', b: true, c: 7, d: 2 ** 40, e: 0.5, f: Buffer.from([1]), g: 5n, h: null, i: [], j: {} });
    const tags: string[] = [];
    const { table } = decodeFieldTable(bytes, 0);
    for (const k of Object.keys(table)) tags.push(k);
    expect(tags).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    // Look at the tag following each 1-byte key.
    const seen: string[] = [];
    let o = 4;
    const skip: Record<string, number> = { S: 5, t: 1, I: 4, l: 8, d: 8, x: 5, V: 0, A: 4, F: 4 };
    while (o < bytes.length) {
      const tag = String.fromCharCode(bytes[o + 2]);
      seen.push(tag);
      o += 3 + skip[tag];
    }
    expect(seen).toEqual(['S', 't', 'I', 'l', 'd', 'x', 'l', 'V', 'A', 'F']);
    expect(table.d).toBe(2n ** 40n);
  });

  test('rich nested table round-trips losslessly', () => {
    expect(roundTrip(richTable())).toEqual(richTable());
  });

  test('random tables round-trip (seeded)', () => {
    const r = rng(7);
    for (let i = 0; i < 200; i++) {
      const t = portableTable(r);
      expect(roundTrip(t)).toEqual(t);
    }
  });

  test('a non-UTF-8 longstr keeps its bytes; an integral double keeps its tag', () => {
    const body = Buffer.concat([hex('01'), ascii('s'), hex('53 00 00 00 02 ff fe'), hex('01'), ascii('d'), hex('64 40 00 00 00 00 00 00 00')]);
    const bytes = Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]);
    const { table } = decodeFieldTable(bytes, 0);
    expect(table).toEqual({ s: { amqpType: 'S', value: Buffer.from([0xff, 0xfe]) }, d: { amqpType: 'd', value: 2 } });
    expect(encodeFieldTable(table).equals(bytes)).toBe(true);
  });

  test('agrees with amqplib: same bytes for the same types, and amqplib decodes ours', () => {
    const defs = loadAmqplibDefs();
    const r = rng(11);
    const tables = [amqplibCompatible(richTable()), ...Array.from({ length: 50 }, () => portableTable(r))];
    for (const t of tables) {
      const props: MessageProperties = { headers: t };
      const ours = encodeContentHeaderFrame(1, 60, 0, props);
      const theirs = defs.encodeProperties(60, 1, 0, { headers: toAmqplibTable(t) });
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      const decoded = defs.decode(60, ours.subarray(19, ours.length - 1));
      expect(decoded.headers).toEqual(asAmqplibDecodes(t));
    }
  });

  test('a "__proto__" key stays an own property', () => {
    const body = Buffer.concat([hex('09'), ascii('__proto__'), hex('46 00 00 00 04 | 01'), ascii('p'), hex('74 01')]);
    const { table } = decodeFieldTable(Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]), 0);
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
    expect(Object.keys(table)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  test('errors: truncation → FRAME_ERROR, unknown tag → SYNTAX_ERROR, nesting beyond the limit → SYNTAX_ERROR', () => {
    const bytes = encodeFieldTable(richTable());
    for (let len = 0; len < bytes.length; len++) {
      const c = code(() => decodeFieldTable(bytes.subarray(0, len), 0));
      expect(c).toBe('FRAME_ERROR');
    }
    // A length prefix claiming more than the buffer holds.
    const lying = Buffer.from(bytes);
    lying.writeUInt32BE(bytes.length, 0);
    expect(code(() => decodeFieldTable(lying, 0))).toBe('FRAME_ERROR');
    for (const tag of ['U', 'k', 'c', '\u0000']) {
      const body = Buffer.concat([hex('01'), ascii('k'), ascii(tag), hex('00 00 00 00')]);
      expect(code(() => decodeFieldTable(Buffer.concat([Buffer.from([0, 0, 0, body.length]), body]), 0))).toBe('SYNTAX_ERROR');
    }
    let deep: HeaderTable = { leaf: 1 };
    for (let i = 0; i < FIELD_TABLE_DEPTH_MAX; i++) deep = { n: deep };
    const ok = encodeFieldTable(deep);
    expect(code(() => decodeFieldTable(ok, 0))).toBe('ok');
    // One level more, built by hand (the encoder refuses it too).
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(ok.length + 3);
    const deeper = Buffer.concat([prefix, hex('01'), ascii('n'), hex('46'), ok]);
    expect(code(() => decodeFieldTable(deeper, 0))).toBe('SYNTAX_ERROR');
    expect(code(() => encodeFieldTable({ n: deep }))).toBe('INVALID_ARGUMENT');
    const cyclic: HeaderTable = {};
    cyclic.self = cyclic;
    expect(code(() => encodeFieldTable(cyclic))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodeFieldTable({ bad: { amqpType: 'b', value: 300 } }))).toBe('INVALID_ARGUMENT');
    expect(code(() => encodeFieldTable({ bad: { amqpType: 'Q', value: 1 } }))).toBe('INVALID_ARGUMENT');
  });

  test('headerNumber reads any numeric tag', () => {
    const { table } = decodeFieldTable(
      encodeFieldTable({
        b: { amqpType: 'b', value: 10 },
        l: 60000n,
        i: 5,
        d: 0.5,
        D: { amqpType: 'D', value: { scale: 1, value: 15 } },
        s: 'x',
      }),
      0,
    );
    expect([headerNumber(table.b), headerNumber(table.l), headerNumber(table.i), headerNumber(table.d), headerNumber(table.D), headerNumber(table.s)]).toEqual([
      10, 60000, 5, 0.5, 1.5, undefined,
    ]);
  });
});

describe('basic properties against amqplib', () => {
  test('random property sets: identical bytes, and both decoders agree', () => {
    const defs = loadAmqplibDefs();
    const r = rng(3);
    const str = (): string => 'v' + Math.floor(r() * 1e6);
    for (let i = 0; i < 300; i++) {
      const p: MessageProperties = {};
      if (r() < 0.5) p.contentType = str();
      if (r() < 0.5) p.contentEncoding = str();
      if (r() < 0.5) p.headers = portableTable(r);
      if (r() < 0.5) p.deliveryMode = Math.floor(r() * 3);
      if (r() < 0.5) p.priority = Math.floor(r() * 256);
      if (r() < 0.5) p.correlationId = str();
      if (r() < 0.5) p.replyTo = str();
      if (r() < 0.5) p.expiration = String(Math.floor(r() * 1e5));
      if (r() < 0.5) p.messageId = str();
      if (r() < 0.5) p.timestamp = Math.floor(r() * 2e9);
      if (r() < 0.5) p.type = str();
      if (r() < 0.5) p.userId = str();
      if (r() < 0.5) p.appId = str();
      if (r() < 0.5) p.clusterId = str();
      const bodySize = Math.floor(r() * 2 ** 40);
      const ours = encodeContentHeaderFrame(9, 60, bodySize, p);
      const theirInput: Record<string, unknown> = { ...p };
      if (p.headers) theirInput.headers = toAmqplibTable(p.headers);
      const theirs = defs.encodeProperties(60, 9, bodySize, theirInput);
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      const h = decodeContentHeader(ours.subarray(7, ours.length - 1));
      expect(h.bodySize).toBe(bodySize);
      expect(h.properties).toEqual(p);
      const theirDecode = defs.decode(60, h.rawProperties);
      const expected: Record<string, unknown> = { ...p };
      if (p.headers) expected.headers = asAmqplibDecodes(p.headers);
      for (const k of Object.keys(theirDecode)) if (theirDecode[k] === undefined) delete theirDecode[k];
      expect(theirDecode).toEqual(expected);
    }
  });

  test('null counts as absent and a fractional timestamp is floored (properties that went through JSON or MQTT)', () => {
    const viaJson = JSON.parse('{"contentType":null,"timestamp":1700000000.75,"messageId":"m"}') as MessageProperties;
    const frame = encodeContentHeaderFrame(1, 60, 0, viaJson);
    expect(decodeContentHeader(frame.subarray(7, frame.length - 1)).properties).toEqual({ timestamp: 1_700_000_000, messageId: 'm' });
    expect(code(() => encodeContentHeaderFrame(1, 60, 0, { contentType: 'x'.repeat(256) }))).toBe('INTERNAL_ERROR');
    expect(code(() => encodeContentHeaderFrame(1, 60, 0, { priority: 256 }))).toBe('INTERNAL_ERROR');
  });
});
