import { decodeHeaderTable, encodeHeaderTable, HEADER_NESTING_MAX } from '../../src/core/header-binary';
import { tableFromJsonString, tableToJsonString } from '../../src/core/header-json';
import type { HeaderTable, HeaderValue, Message } from '../../src/core/message';
import { decodeFetchedRecord, decodeMessageRecord, encodeMessageRecord } from '../../src/core/record-codec';
import type { AppendRecord, StoredRecord } from '../../storage/types';

function stored(r: AppendRecord, offset = 7): StoredRecord {
  return { offset, timestamp: r.timestamp ?? 1, key: r.key, headers: r.headers, value: r.value };
}

/** Every kind of header value the core carries (AMQP field tables, MQTT user properties, native headers). */
const EVERY_KIND: HeaderTable = {
  s: 'v',
  empty: '',
  utf8: 'Grüße, 世界 🎉',
  long: 'x'.repeat(300),
  n: 42,
  neg: -7,
  i32max: 2 ** 31 - 1,
  i32min: -(2 ** 31),
  above: 2 ** 31,
  float: 3.25,
  big: 2n ** 70n,
  negBig: -5n,
  t: true,
  f: false,
  nil: null,
  bytes: Buffer.from([0, 1, 2, 255]),
  noBytes: Buffer.alloc(0),
  arr: [1, 'x', null, true, [2, [3]], { k: 'v' }],
  nested: { deeper: { deepest: { n: 1 } } },
  typed: { amqpType: 'b', value: -1 },
  typedTs: { amqpType: 'T', value: 1700000000 },
  decimal: { amqpType: 'D', value: { scale: 2, value: 314 } },
  typedArr: [{ amqpType: 's', value: 2 }],
  'x-mqtt-publish-qos': 1,
  'x-mqtt-publisher': 'client-1',
  'ключ': 'значение',
};

describe('binary header tables', () => {
  it('round-trip every kind of value exactly as the JSON form does', () => {
    const back = decodeHeaderTable(encodeHeaderTable(EVERY_KIND));
    expect(back).toEqual(EVERY_KIND);
    expect(back).toEqual(tableFromJsonString(tableToJsonString(EVERY_KIND)));
    expect(Object.keys(back)).toEqual(Object.keys(EVERY_KIND));
  });

  it('keep what JSON lost: NaN, infinities, -0, tag-like keys, a __proto__ key', () => {
    const t: HeaderTable = { nan: NaN, inf: Infinity, ninf: -Infinity, negZero: -0, tagLike: { $b: 'AAE=' }, n: { $n: '5' } };
    const back = decodeHeaderTable(encodeHeaderTable(t));
    expect(back.nan).toBeNaN();
    expect(back.inf).toBe(Infinity);
    expect(back.ninf).toBe(-Infinity);
    expect(Object.is(back.negZero, -0)).toBe(true);
    expect(back.tagLike).toEqual({ $b: 'AAE=' });
    expect(back.n).toEqual({ $n: '5' });
    const proto = JSON.parse('{"__proto__": {"polluted": 1}}') as HeaderTable;
    const p = decodeHeaderTable(encodeHeaderTable(proto));
    expect(Object.getPrototypeOf(p)).toBe(Object.prototype);
    expect(Object.keys(p)).toEqual(['__proto__']);
  });

  it('is smaller than the JSON form for the usual MQTT headers', () => {
    const t: HeaderTable = { 'x-mqtt-publish-qos': 1, 'x-mqtt-publisher': 'bench-pub-1234-0' };
    expect(encodeHeaderTable(t).length).toBeLessThan(Buffer.byteLength(tableToJsonString(t)));
  });

  it('detects truncation, unknown tags and trailing bytes as corruption', () => {
    const b = encodeHeaderTable({ a: 'hello', b: [1, 2, 3] });
    for (let cut = 0; cut < b.length; cut++) expect(() => decodeHeaderTable(b.subarray(0, cut))).toThrow(expect.objectContaining({ code: 'STORAGE_CORRUPT' }));
    expect(() => decodeHeaderTable(Buffer.concat([b, Buffer.from([0])]))).toThrow(expect.objectContaining({ code: 'STORAGE_CORRUPT' }));
    const badTag = Buffer.from(b);
    badTag[4] = 0xee; // the first value's tag (table tag, count, key len, 'a')
    expect(() => decodeHeaderTable(badTag)).toThrow(expect.objectContaining({ code: 'STORAGE_CORRUPT' }));
  });

  it('round-trips tables of 127, 128 and 20,000 entries (one- to three-byte counts)', () => {
    for (const n of [127, 128, 20_000]) {
      const t: HeaderTable = {};
      for (let i = 0; i < n; i++) t[`k${i}`] = i % 2 === 0 ? i : `v${i}`;
      const back = decodeHeaderTable(encodeHeaderTable({ outer: t, after: 'x' }));
      expect(back).toEqual({ outer: t, after: 'x' });
    }
  });

  it('reuses the last encoding only for the same names and values in the same order', () => {
    const variants: HeaderTable[] = [
      { q: 1, p: 'a' },
      { q: 1, p: 'a' },
      { q: 0, p: 'a' },
      { q: -0, p: 'a' },
      { q: 0, p: 'a' },
      { p: 'a', q: 0 },
      { p: 'a' },
      { p: 'a', q: 0, r: null },
      { p: 'a', q: 0, r: null },
      { p: 'a', q: 0, r: 1n },
      { p: 'a', q: 0, r: 2n },
      { p: 'a', q: NaN },
      { p: 'a', q: NaN },
      { p: 'a', q: Buffer.from([1]) },
      { p: 'a', q: Buffer.from([2]) },
    ];
    for (const t of variants) {
      const back = decodeHeaderTable(encodeHeaderTable(t));
      expect(back).toEqual(t);
      expect(Object.keys(back)).toEqual(Object.keys(t));
      if (typeof t.q === 'number' && Object.is(t.q, -0)) expect(Object.is(back.q, -0)).toBe(true);
    }
    // Many distinct tables in a row (the back-off), then repeats again.
    for (let i = 0; i < 100; i++) expect(decodeHeaderTable(encodeHeaderTable({ seq: i }))).toEqual({ seq: i });
    for (let i = 0; i < 3; i++) expect(decodeHeaderTable(encodeHeaderTable({ seq: 7 }))).toEqual({ seq: 7 });
  });

  it('refuses nesting beyond the limit', () => {
    let deep: HeaderValue = 1;
    for (let i = 0; i < HEADER_NESTING_MAX + 2; i++) deep = [deep];
    expect(() => encodeHeaderTable({ deep })).toThrow(expect.objectContaining({ code: 'SYNTAX_ERROR' }));
  });
});

describe('record codec with binary headers', () => {
  const msg = (headers: HeaderTable): Message => ({ exchange: 'amq.topic', routingKey: 'a.b', properties: { deliveryMode: 2, headers }, body: Buffer.from('x'), receivedAtMs: 5 });

  it('writes kind 3 and round-trips through the message and the native view', () => {
    const rec = encodeMessageRecord(msg(EVERY_KIND));
    expect(rec.headers?.[0]).toBe(3);
    expect(decodeMessageRecord(stored(rec)).properties.headers).toEqual(EVERY_KIND);
    expect(decodeFetchedRecord(stored(rec)).headers).toMatchObject({ s: 'v', typed: -1, decimal: 3.14 });
  });

  it('still reads records written with JSON headers (kind 1)', () => {
    const headers: HeaderTable = { 'x-mqtt-publish-qos': 1, b: Buffer.from([9]), big: 3n, d: { amqpType: 'D', value: { scale: 1, value: 5 } } };
    // The old layout: kind 1, exchange, presence bits (delivery mode + headers), delivery mode, u32 len + JSON.
    const json = Buffer.from(tableToJsonString(headers));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    const bits = Buffer.alloc(2);
    bits.writeUInt16BE((1 << 10) | (1 << 13));
    const meta = Buffer.concat([Buffer.from([1, 9]), Buffer.from('amq.topic'), bits, Buffer.from([2]), len, json]);
    const old: StoredRecord = { offset: 1, timestamp: 5, key: Buffer.from('a.b'), headers: meta, value: Buffer.from('x') };
    const m = decodeMessageRecord(old);
    expect(m).toMatchObject({ exchange: 'amq.topic', routingKey: 'a.b', properties: { deliveryMode: 2, headers } });
    expect(decodeFetchedRecord(old).headers).toMatchObject({ 'x-mqtt-publish-qos': 1, big: 3n, d: 0.5 });
  });

  it('encodes consecutive enqueues of one message once, and a new message again', () => {
    const m = msg({ a: 1 });
    const a = encodeMessageRecord(m);
    expect(encodeMessageRecord(m).headers).toBe(a.headers);
    const other = msg({ a: 2 });
    expect(decodeMessageRecord(stored(encodeMessageRecord(other))).properties.headers).toEqual({ a: 2 });
    // Same properties object, other routing key: the key differs, the metadata is the same bytes.
    const sameProps = { ...other, routingKey: 'c.d' };
    expect(encodeMessageRecord(sameProps).key?.toString()).toBe('c.d');
  });

  it('leaves the cache alone when encoding throws', () => {
    const ok = msg({ a: 1 });
    const okRec = encodeMessageRecord(ok);
    const bad: Message = { ...ok, properties: { ...ok.properties, contentType: 'x'.repeat(300) } };
    expect(() => encodeMessageRecord(bad)).toThrow();
    expect(encodeMessageRecord(ok).headers).toBe(okRec.headers);
  });
});
