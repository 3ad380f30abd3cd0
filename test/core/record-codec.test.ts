import { decodeFetchedRecord, decodeFetchedRecords, decodeMessageRecord, encodeMessageRecord, encodeProduceRecord } from '../../src/core/record-codec';
import type { Message } from '../../src/core/message';
import type { AppendRecord, StoredRecord } from '../../storage/types';

function stored(r: AppendRecord, offset = 7): StoredRecord {
  return { offset, timestamp: r.timestamp ?? 1, key: r.key, headers: r.headers, value: r.value };
}

describe('record codec', () => {
  it('round-trips a message with every property, typed headers and raw AMQP bytes', () => {
    const msg: Message = {
      exchange: 'amq.topic',
      routingKey: 'sensors.kitchen',
      body: Buffer.from('21.5'),
      receivedAtMs: 1700000000000,
      amqpRawProperties: Buffer.from([0x80, 0x00, 0x03, 0x61, 0x62, 0x63]),
      properties: {
        contentType: 'text/plain', contentEncoding: 'utf-8', deliveryMode: 2, priority: 9, correlationId: 'c1',
        replyTo: 'r', expiration: '60000', messageId: 'm', timestamp: 1700000000, type: 't', userId: 'guest',
        appId: 'a', clusterId: 'x',
        headers: { s: 'v', n: 42, big: 2n ** 40n, b: Buffer.from([1, 2]), nested: { arr: [1, 'x', null, true] }, t: { amqpType: 'T', value: 5 }, d: { amqpType: 'D', value: { scale: 2, value: 314 } } },
      },
    };
    const back = decodeMessageRecord(stored(encodeMessageRecord(msg)));
    expect(back).toEqual(msg);
  });

  it('encodes a message routed to many queues once', () => {
    const m: Message = { exchange: 'amq.topic', routingKey: 'a.b', properties: { headers: { x: 1 } }, body: Buffer.from('v') };
    const a = encodeMessageRecord(m);
    const b = encodeMessageRecord(m);
    expect(b.headers).toBe(a.headers);
    expect(b.key).toBe(a.key);
    expect(a).not.toBe(b); // each queue stamps its own timestamp on its record
    expect(decodeMessageRecord(stored(b))).toMatchObject({ routingKey: 'a.b', properties: { headers: { x: 1 } } });
  });

  it('shares the metadata blob of property-less messages per exchange', () => {
    const m = (): Message => ({ exchange: 'ex', routingKey: 'k', properties: {}, body: Buffer.alloc(1) });
    expect(encodeMessageRecord(m()).headers).toBe(encodeMessageRecord(m()).headers);
    expect(decodeMessageRecord(stored(encodeMessageRecord(m()))).properties).toEqual({});
  });

  it('reads a native record as a message and a message as a native record', () => {
    const nat = encodeProduceRecord({ key: Buffer.from('k1'), value: Buffer.from('v'), headers: { h: 'x' }, timestamp: 5 });
    const asMsg = decodeMessageRecord(stored(nat));
    expect(asMsg.routingKey).toBe('k1');
    expect(asMsg.properties.headers).toEqual({ h: 'x' });
    const msgRec = encodeMessageRecord({ exchange: '', routingKey: 'q', properties: { contentType: 'application/json', headers: { a: 1 } }, body: Buffer.from('{}') });
    const asNative = decodeFetchedRecord(stored(msgRec, 3));
    expect(asNative).toMatchObject({ offset: 3, headers: { a: 1, contentType: 'application/json' } });
    const typed = encodeMessageRecord({ exchange: '', routingKey: 'q', properties: { headers: { seq: { amqpType: 'b', value: 1 }, d: { amqpType: 'D', value: { scale: 2, value: 314 } }, n: [{ amqpType: 's', value: 2 }] } }, body: Buffer.alloc(0) });
    expect(decodeFetchedRecord(stored(typed)).headers).toEqual({ seq: 1, d: 3.14, n: [2] });
    expect(decodeFetchedRecord(stored(encodeProduceRecord({ key: null, value: Buffer.alloc(0), headers: null }))).headers).toBeNull();
  });

  it('decodes a whole read in place of the array the store returned, leaving the stored records untouched', () => {
    const nat = stored(encodeProduceRecord({ key: null, value: Buffer.from('a'), headers: { h: 1 }, timestamp: 5 }), 1);
    const msg = stored(encodeMessageRecord({ exchange: 'ex', routingKey: 'k', properties: { appId: 'x' }, body: Buffer.from('b') }), 2);
    const storedHeaders = [nat.headers, msg.headers];
    const read = [nat, msg];
    const out = decodeFetchedRecords(read);
    expect(out).toBe(read as unknown);
    expect(out).toEqual([decodeFetchedRecord(nat), decodeFetchedRecord(msg)]);
    expect(out[0].headers).toEqual({ h: 1 });
    expect(out[1].headers).toEqual({ appId: 'x' });
    expect([nat.headers, msg.headers]).toEqual(storedHeaders);
  });
});
