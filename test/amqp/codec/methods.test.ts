/**
 * The generated method codec: every method round-trips, agrees byte-for-byte with amqplib's generated codec in
 * both directions, and rejects malformed payloads with RabbitMQ's error classes.
 */
import { BrokerError, type ErrorCode } from '../../../src/core/errors';
import type { HeaderTable } from '../../../src/core/message';
import {
  decodeMethod,
  encodeMethod,
  makeMethod,
  METHOD_HAS_CONTENT,
  METHOD_INFO,
  MethodDecodeError,
  methodName,
  type AmqpMethod,
  type AmqpMethodName,
} from '../../../protocols/amqp/codec';
import { ALL_METHOD_NAMES, amqplibId, loadAmqplibDefs, rng, sampleMethod } from './helpers';
import { amqplibCompatible, argAsAmqplibDecodes, argToAmqplib } from './oracle';

function payloadOf(frame: Buffer): Buffer {
  expect(frame[0]).toBe(1);
  expect(frame.readUInt32BE(3)).toBe(frame.length - 8);
  expect(frame[frame.length - 1]).toBe(0xce);
  return frame.subarray(7, frame.length - 1);
}

function codeOf(fn: () => unknown): ErrorCode | 'no-error' | 'not-a-broker-error' {
  try {
    fn();
    return 'no-error';
  } catch (e) {
    return e instanceof BrokerError ? e.code : 'not-a-broker-error';
  }
}

describe('generated method codec', () => {
  test('covers every method of the RabbitMQ extended spec plus update-secret and access', () => {
    // 14 connection + 6 channel + 2 access + 8 exchange + 10 queue + 18 basic + 2 confirm + 6 tx, as amqplib has.
    expect(ALL_METHOD_NAMES.length).toBe(66);
    expect(ALL_METHOD_NAMES).toEqual(
      expect.arrayContaining(['confirm.select', 'exchange.bind', 'exchange.unbind-ok', 'basic.nack', 'connection.update-secret', 'access.request']),
    );
    expect([...METHOD_HAS_CONTENT].sort()).toEqual(['basic.deliver', 'basic.get-ok', 'basic.publish', 'basic.return']);
    expect(methodName(60, 40)).toBe('basic.publish');
    expect(methodName(60, 41)).toBeUndefined();
  });

  test.each(ALL_METHOD_NAMES)('%s round-trips (minimal, maximal and 8 random argument sets)', (name) => {
    const r = rng(name.length * 7919);
    for (let variant = 0; variant < 10; variant++) {
      const m = sampleMethod(name, variant, r);
      const frame = encodeMethod(variant * 6553, m);
      expect(frame.readUInt16BE(1)).toBe(variant * 6553);
      const decoded = decodeMethod(payloadOf(frame));
      expect(decoded).toEqual(m);
      // Re-encoding the decoded value reproduces the bytes.
      expect(encodeMethod(variant * 6553, decoded).equals(frame)).toBe(true);
    }
  });

  const defs = loadAmqplibDefs();

  test.each(ALL_METHOD_NAMES)('%s agrees with amqplib in both directions', (name) => {
    const info = METHOD_INFO[name];
    const id = amqplibId(info.classId, info.methodId);
    const theirArgs = defs.info(id).args;
    expect(theirArgs.map((a) => a.name.toLowerCase())).toEqual(info.fields.map((f) => f.name.toLowerCase()));
    const r = rng(4242 + info.classId * 100 + info.methodId);
    for (let variant = 0; variant < 6; variant++) {
      const m = sampleMethod(name, variant, r);
      const ours = m.args as unknown as Record<string, unknown>;
      for (const f of info.fields) if (f.type === 'table') ours[f.name] = amqplibCompatible(ours[f.name] as HeaderTable);
      const theirs: Record<string, unknown> = {};
      const expectedTheirDecode: Record<string, unknown> = {};
      info.fields.forEach((f, i) => {
        theirs[theirArgs[i].name] = argToAmqplib(f.type, ours[f.name]);
        expectedTheirDecode[theirArgs[i].name] = argAsAmqplibDecodes(f.type, ours[f.name]);
      });
      const ourFrame = encodeMethod(3, m);
      const theirFrame = defs.encodeMethod(id, 3, theirs);
      expect(ourFrame.toString('hex')).toBe(theirFrame.toString('hex'));
      // amqplib decodes our bytes to the same values, and we decode theirs to ours.
      expect(defs.decode(id, payloadOf(ourFrame).subarray(4))).toEqual(expectedTheirDecode);
      expect(decodeMethod(payloadOf(theirFrame))).toEqual(m);
    }
  });

  test('makeMethod fills in the ids', () => {
    const m = makeMethod('basic.ack', { deliveryTag: 7, multiple: true });
    expect(m).toEqual({ name: 'basic.ack', classId: 60, methodId: 80, args: { deliveryTag: 7, multiple: true } });
    expect(decodeMethod(payloadOf(encodeMethod(1, m)))).toEqual(m);
  });

  describe('errors, as RabbitMQ classifies them', () => {
    const publish = payloadOf(encodeMethod(1, makeMethod('basic.publish', { ticket: 0, exchange: 'x', routingKey: 'rk', mandatory: false, immediate: false })));

    test('decode errors carry the class and method ids the frame named (for connection.close)', () => {
      let caught: unknown;
      try {
        decodeMethod(publish.subarray(0, 6));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(MethodDecodeError);
      expect(caught).toMatchObject({ code: 'FRAME_ERROR', classId: 60, methodId: 40 });
      expect(() => decodeMethod(Buffer.from([0, 60, 0, 41]))).toThrow(expect.objectContaining({ code: 'COMMAND_INVALID', classId: 60, methodId: 41 }));
    });

    test('unknown class or method id → COMMAND_INVALID', () => {
      expect(codeOf(() => decodeMethod(Buffer.from([0, 60, 0, 41])))).toBe('COMMAND_INVALID');
      expect(codeOf(() => decodeMethod(Buffer.from([0x12, 0x34, 0, 10])))).toBe('COMMAND_INVALID');
    });

    test('payload shorter than the ids, truncated at every length, or with trailing bytes → FRAME_ERROR', () => {
      for (let len = 0; len < publish.length; len++) expect(codeOf(() => decodeMethod(publish.subarray(0, len)))).toBe('FRAME_ERROR');
      expect(codeOf(() => decodeMethod(Buffer.concat([publish, Buffer.from([0])])))).toBe('FRAME_ERROR');
    });

    test('every method: each truncation is FRAME_ERROR, never another exception', () => {
      const r = rng(99);
      for (const name of ALL_METHOD_NAMES) {
        const p = payloadOf(encodeMethod(0, sampleMethod(name, 2, r)));
        for (let len = 0; len < p.length; len++) {
          const code = codeOf(() => decodeMethod(p.subarray(0, len)));
          expect([name, len, code]).toEqual([name, len, 'FRAME_ERROR']);
        }
      }
    });

    test('malformed UTF-8 in a shortstr of a non-content method → FRAME_ERROR; content methods skip the check', () => {
      const open = payloadOf(encodeMethod(0, makeMethod('connection.open', { virtualHost: 'ab', capabilities: '', insist: false })));
      const bad = Buffer.from(open);
      bad[5] = 0xff; // first byte of the vhost
      expect(codeOf(() => decodeMethod(bad))).toBe('FRAME_ERROR');
      const pub = Buffer.from(publish);
      pub[7] = 0xff; // exchange "x"
      expect(codeOf(() => decodeMethod(pub))).toBe('no-error');
    });

    test('an unknown field-table type in arguments → SYNTAX_ERROR', () => {
      const m = makeMethod('queue.declare', {
        ticket: 0,
        queue: 'q',
        passive: false,
        durable: true,
        exclusive: false,
        autoDelete: false,
        noWait: false,
        arguments: { k: 'v' },
      });
      const p = Buffer.from(payloadOf(encodeMethod(1, m)));
      const tag = p.indexOf(Buffer.from('kS'));
      p[tag + 1] = 'U'.charCodeAt(0);
      expect(codeOf(() => decodeMethod(p))).toBe('SYNTAX_ERROR');
    });

    test('encoding a shortstr over 255 bytes or an out-of-range integer is refused', () => {
      const long = makeMethod('basic.cancel', { consumerTag: 'x'.repeat(256), noWait: false });
      expect(codeOf(() => encodeMethod(1, long))).toBe('INTERNAL_ERROR');
      const neg = makeMethod('basic.qos', { prefetchSize: 0, prefetchCount: 70000, global: false });
      expect(codeOf(() => encodeMethod(1, neg))).toBe('INTERNAL_ERROR');
      expect(codeOf(() => encodeMethod(70000, makeMethod('tx.select', {})))).toBe('INTERNAL_ERROR');
    });
  });

  test('decoded arguments of a content method do not copy beyond their strings (Buffer fields are copies)', () => {
    const challenge = Buffer.from('secret');
    const frame = encodeMethod(0, makeMethod('connection.secure', { challenge }));
    const payload = payloadOf(frame);
    const m = decodeMethod(payload) as Extract<AmqpMethod, { name: 'connection.secure' }>;
    payload.fill(0);
    expect(m.args.challenge.toString()).toBe('secret');
  });

  test('names line up with the spec: ticket, noWait, nowait (confirm.select), reserved fields named as RabbitMQ does', () => {
    const names = (n: AmqpMethodName): string[] => METHOD_INFO[n].fields.map((f) => f.name);
    expect(names('basic.publish')).toEqual(['ticket', 'exchange', 'routingKey', 'mandatory', 'immediate']);
    expect(names('confirm.select')).toEqual(['nowait']);
    expect(names('queue.declare')).toContain('noWait');
    expect(names('connection.open')).toEqual(['virtualHost', 'capabilities', 'insist']);
    expect(names('channel.open-ok')).toEqual(['channelId']);
    expect(names('basic.get-empty')).toEqual(['clusterId']);
  });
});
