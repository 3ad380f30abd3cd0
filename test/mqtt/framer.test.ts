import { generate, parser } from 'mqtt-packet';
import { MqttFramer } from '../../protocols/mqtt/framer';

function frames(f: MqttFramer, chunks: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of chunks) {
    for (const r of f.feed(c)) {
      if (r.kind !== 'frame') throw new Error(r.kind);
      out.push(r.frame);
    }
  }
  return out;
}

describe('mqtt framer', () => {
  const packets = [
    generate({ cmd: 'pingreq' }),
    generate({ cmd: 'publish', topic: 'a/b', payload: Buffer.alloc(300, 7), qos: 1, messageId: 5, dup: false, retain: false }),
    generate({ cmd: 'subscribe', messageId: 9, subscriptions: [{ topic: 'x/#', qos: 2 }] }),
  ];
  const stream = Buffer.concat(packets);

  test('split at every byte boundary yields the same packets', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const got = frames(new MqttFramer(1 << 20), [stream.subarray(0, cut), stream.subarray(cut)]);
      expect(got.map((b) => b.toString('hex'))).toEqual(packets.map((b) => b.toString('hex')));
    }
  });

  test('one byte at a time, and frames decode with mqtt-packet', () => {
    const f = new MqttFramer(1 << 20);
    const got = frames(f, [...stream].map((b) => Buffer.from([b])));
    const p = parser({ protocolVersion: 4 });
    const cmds: string[] = [];
    p.on('packet', (x) => cmds.push(x.cmd));
    for (const g of got) p.parse(g);
    expect(cmds).toEqual(['pingreq', 'publish', 'subscribe']);
    expect(f.bufferedBytes()).toBe(0);
  });

  test('[MQTT-3.1.2-24] declared length above the limit is refused before the body arrives', () => {
    const f = new MqttFramer(100);
    // PUBLISH header declaring 1,000,000 bytes; only the header is sent.
    const res = f.feed(Buffer.from([0x30, 0xc0, 0x84, 0x3d]));
    expect(res).toEqual([{ kind: 'too-large', declaredBytes: 1_000_004 }]);
  });

  test('[MQTT-1.5.5-1] a remaining length of more than 4 bytes is malformed', () => {
    const f = new MqttFramer(1 << 30);
    expect(f.feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual([{ kind: 'malformed' }]);
  });
});
