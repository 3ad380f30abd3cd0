/**
 * The hand-written PUBLISH/PUBACK codec against mqtt-packet as the oracle: what it decodes equals what
 * mqtt-packet decodes, what it encodes mqtt-packet parses back (byte-identical to mqtt-packet's own encoding),
 * and every case it declines is left to mqtt-packet.
 */
import { generate, parser, type IPublishPacket, type Packet } from 'mqtt-packet';
import { decodePuback, decodePublish, encodePubackSuccess, encodePublish } from '../../protocols/mqtt/fast-codec';

function oracle(frame: Buffer, protocolVersion: 4 | 5): Packet {
  const p = parser({ protocolVersion });
  const out: Packet[] = [];
  p.on('packet', (x: Packet) => out.push(x));
  p.on('error', (err: Error) => {
    throw err;
  });
  p.parse(frame);
  expect(out).toHaveLength(1);
  return out[0];
}

/** The fields handlers read, as plain data (mqtt-packet's Packet is a class instance). */
function fields(p: Packet): Record<string, unknown> {
  const x = p as IPublishPacket;
  return { cmd: x.cmd, topic: x.topic, payload: Buffer.from(x.payload).toString('hex'), qos: x.qos, dup: x.dup, retain: x.retain, messageId: x.messageId, length: x.length };
}

const PAYLOADS = [Buffer.alloc(0), Buffer.from('hi'), Buffer.alloc(200, 7), Buffer.alloc(20_000, 1)];
const TOPICS = ['a', 'bench/0', 'sensors/kitchen/temp', 'ünïcödé/€', 'x'.repeat(300)];

describe('mqtt fast codec', () => {
  test('decodePublish equals mqtt-packet for v3.1.1 and v5 without properties, every QoS and flag', () => {
    for (const protocolVersion of [4, 5] as const) {
      for (const topic of TOPICS) {
        for (const payload of PAYLOADS) {
          for (const qos of [0, 1, 2] as const) {
            for (const flags of [0, 1, 2, 3]) {
              const dup = (flags & 1) !== 0 && qos > 0;
              const retain = (flags & 2) !== 0;
              const frame = generate({ cmd: 'publish', topic, payload, qos, dup, retain, messageId: qos > 0 ? 4242 : undefined }, { protocolVersion });
              const fast = decodePublish(frame, protocolVersion);
              expect(fast).not.toBeNull();
              expect(fast).not.toBe('bad-utf8');
              expect(fields(fast as IPublishPacket)).toEqual(fields(oracle(frame, protocolVersion)));
            }
          }
        }
      }
    }
  });

  test('encodePublish is byte-identical to mqtt-packet (v3.1.1, and v5 with an empty property list)', () => {
    for (const protocolVersion of [4, 5] as const) {
      for (const topic of TOPICS) {
        for (const payload of PAYLOADS) {
          for (const qos of [0, 1, 2] as const) {
            for (const retain of [false, true]) {
              const dup = qos > 0 && retain; // some dup combinations
              const messageId = qos > 0 ? 65535 : 0;
              const ours = encodePublish(Buffer.from(topic), payload, qos, dup, retain, messageId, protocolVersion);
              const theirs = generate({ cmd: 'publish', topic, payload, qos, dup, retain, messageId: qos > 0 ? messageId : undefined }, { protocolVersion });
              expect(ours.toString('hex')).toBe(theirs.toString('hex'));
            }
          }
        }
      }
    }
  });

  test('v5 PUBLISH with properties, QoS 3, truncated frames and other packet types are declined', () => {
    const withProps = generate({ cmd: 'publish', topic: 'a', payload: Buffer.from('x'), qos: 0, dup: false, retain: false, properties: { contentType: 'text/plain' } }, { protocolVersion: 5 });
    expect(decodePublish(withProps, 5)).toBeNull();
    const qos3 = Buffer.from([0x36, 0x05, 0x00, 0x01, 0x61, 0x00, 0x01]);
    expect(decodePublish(qos3, 4)).toBeNull();
    const truncatedTopic = Buffer.from([0x30, 0x03, 0x00, 0x05, 0x61]);
    expect(decodePublish(truncatedTopic, 4)).toBeNull();
    const noPacketId = Buffer.from([0x32, 0x03, 0x00, 0x01, 0x61]);
    expect(decodePublish(noPacketId, 4)).toBeNull();
    expect(decodePublish(generate({ cmd: 'pingreq' }), 4)).toBeNull();
  });

  test('[MQTT-1.5.3-1] a topic that is not well-formed UTF-8 is reported, not decoded', () => {
    const frame = Buffer.from([0x30, 0x05, 0x00, 0x02, 0xc3, 0x28, 0x78]);
    expect(decodePublish(frame, 4)).toBe('bad-utf8');
  });

  test('PUBACK: 4-byte form decodes like mqtt-packet; longer v5 forms are declined; success encodes like mqtt-packet', () => {
    for (const protocolVersion of [4, 5] as const) {
      const frame = generate({ cmd: 'puback', messageId: 513, reasonCode: 0 }, { protocolVersion });
      const fast = decodePuback(frame, protocolVersion);
      const o = oracle(frame, protocolVersion) as { cmd: string; messageId: number; reasonCode?: number };
      expect(fast).toEqual({ cmd: o.cmd, messageId: o.messageId, ...(protocolVersion === 5 ? { reasonCode: o.reasonCode } : {}) });
      expect(encodePubackSuccess(513).toString('hex')).toBe(frame.toString('hex'));
    }
    const withReason = generate({ cmd: 'puback', messageId: 1, reasonCode: 0x10 }, { protocolVersion: 5 });
    expect(decodePuback(withReason, 5)).toBeNull();
  });
});
