/** Bad input closes only the offending connection; the broker keeps serving others. Includes a fuzz test. */
import type { IConnackPacket, IDisconnectPacket } from 'mqtt-packet';
import { generate } from 'mqtt-packet';
import { createMqttServer } from '../../protocols/mqtt/server';
import { startBroker } from '../helpers/broker';
import { closeAllClients, Collector, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

/** A control client that must keep working whatever the others send. */
async function assertBrokerServes(tag: string): Promise<void> {
  const { client } = await connectClient(mq.url, { clientId: `alive-${tag}` });
  const col = new Collector(client);
  await client.subscribeAsync(`alive/${tag}`, { qos: 1 });
  await client.publishAsync(`alive/${tag}`, 'ok', { qos: 1 });
  await col.waitFor(1);
  await client.endAsync();
}

describe('mqtt bad input', () => {
  test('[MQTT-3.1.0-1] a packet before CONNECT closes the connection without a reply', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    r.send({ cmd: 'pingreq' });
    await r.waitClosed();
    expect(r.packets).toEqual([]);
  });

  test('a connection that sends no CONNECT is closed after the connect timeout', async () => {
    const srv = createMqttServer(mq.broker.broker.context(), { host: '127.0.0.1', port: 0, connectTimeoutMs: 200, sysIntervalMs: 0 });
    await srv.start();
    try {
      const r = await RawClient.open(srv.port(), 4);
      await r.waitClosed(5000);
      expect(r.packets).toEqual([]);
    } finally {
      await srv.stop();
    }
  });

  test('[MQTT-3.1.0-2] a second CONNECT is a protocol error (v5 DISCONNECT 0x82)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('twice');
    r.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'twice', clean: true, keepalive: 0 });
    const d = (await r.next('disconnect')) as IDisconnectPacket;
    expect(d.reasonCode).toBe(0x82);
    expect(d.properties?.reasonString).toBeDefined();
    await r.waitClosed();
  });

  test('[MQTT-3.3.2-2] wildcards in a PUBLISH topic: v5 DISCONNECT 0x90, v3 close', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('wild-pub');
    r.send({ cmd: 'publish', topic: 'a/+', payload: Buffer.from('x'), qos: 0, dup: false, retain: false });
    expect(((await r.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x90);
    await r.waitClosed();
    const r4 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r4.connect('wild-pub4');
    r4.send({ cmd: 'publish', topic: 'a/#', payload: Buffer.from('x'), qos: 1, messageId: 1, dup: false, retain: false });
    await r4.waitClosed();
  });

  test('[MQTT-1.5.3-1] invalid UTF-8 in a topic is malformed (v5 DISCONNECT 0x81)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('utf8');
    // PUBLISH QoS 0, topic length 2, bytes C3 28 (invalid sequence), no properties, payload 'x'
    r.sendBytes([0x30, 0x06, 0x00, 0x02, 0xc3, 0x28, 0x00, 0x78]);
    expect(((await r.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x81);
    await r.waitClosed();
  });

  test('malformed packet (reserved flag bits) closes the connection', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('flags');
    r.sendBytes([0x82, 0x02, 0x00]); // SUBSCRIBE truncated
    r.sendBytes([0xc1, 0x00]); // PINGREQ with reserved flag set [MQTT-2.2.2-2]
    await r.waitClosed();
  });

  test('oversize declared length is refused before the body is sent', async () => {
    const limited = await startBroker({ limits: { mqttPacketSizeMaxBytes: 4096 } });
    try {
      const r = await RawClient.open(limited.ports.mqtt, 4);
      await r.connect('huge');
      r.sendBytes([0x30, 0xff, 0xff, 0xff, 0x7f]); // declares 268 MB, sends nothing more
      await r.waitClosed();
    } finally {
      await limited.stop();
    }
  });

  test('[MQTT-3.1.2-2] unsupported protocol level gets CONNACK 0x01, then a close', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    // CONNECT with protocol level 9
    r.sendBytes([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x09, 0x02, 0x00, 0x00, 0x00, 0x00]);
    expect(((await r.next('connack')) as IConnackPacket).returnCode).toBe(1);
    await r.waitClosed();
  });

  test('a client writing one byte at a time is served normally', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    const bytes = Buffer.concat([
      generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'trickle', clean: true, keepalive: 0 }, { protocolVersion: 5 }),
      generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'trickle/#', qos: 1 }] }, { protocolVersion: 5 }),
      generate({ cmd: 'publish', topic: 'trickle/x', payload: Buffer.from('drip'), qos: 1, messageId: 2, dup: false, retain: false }, { protocolVersion: 5 }),
    ]);
    for (const byte of bytes) r.sendBytes([byte]);
    await r.next('connack');
    await r.next('suback');
    await r.next('puback');
    const p = await r.next('publish');
    expect(p.cmd === 'publish' && p.payload.toString()).toBe('drip');
  });

  test('fuzz: random and mutated packets never take the broker down', async () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    // A client connected through the whole run must keep working too.
    const { client: steady, col: steadyCol } = await connectClient(mq.url, { clientId: 'fz-steady', protocolVersion: 5 });
    await steady.subscribeAsync('fz-steady/x', { qos: 1 });
    const v4 = [
      generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId: 'fz', clean: true, keepalive: 0 }),
      generate({ cmd: 'publish', topic: 'fz/a', payload: Buffer.from('hello'), qos: 1, messageId: 1, dup: false, retain: false }),
      generate({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'fz/#', qos: 1 }] }),
      generate({ cmd: 'pingreq' }),
    ];
    const o5 = { protocolVersion: 5 };
    const v5 = [
      generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 5, clientId: 'fz5', clean: true, keepalive: 0, properties: { sessionExpiryInterval: 10, topicAliasMaximum: 4 } }, o5),
      generate({ cmd: 'subscribe', messageId: 2, subscriptions: [{ topic: 'fz/#', qos: 2, nl: true, rh: 1 }], properties: { subscriptionIdentifier: 3 } }, o5),
      generate({ cmd: 'publish', topic: 'fz/b', payload: Buffer.from('x'), qos: 2, messageId: 3, dup: false, retain: true, properties: { topicAlias: 1, userProperties: { a: 'b' }, messageExpiryInterval: 5 } }, o5),
      generate({ cmd: 'pubrel', messageId: 3 }, o5),
      generate({ cmd: 'disconnect', reasonCode: 0x04 }, o5),
    ];
    const rounds = 300;
    for (let i = 0; i < rounds; i++) {
      const r = await RawClient.open(mq.broker.ports.mqtt, 4);
      const parts: Buffer[] = [];
      if (i % 3 === 0) {
        parts.push(Buffer.from(Array.from({ length: 1 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))));
      } else {
        for (const v of i % 2 === 0 ? v4 : v5) {
          const m = Buffer.from(v);
          const flips = Math.floor(rnd() * 3);
          for (let f = 0; f < flips; f++) m[Math.floor(rnd() * m.length)] = Math.floor(rnd() * 256);
          parts.push(m);
        }
      }
      r.sendBytes(Buffer.concat(parts));
      r.socket.end();
      await r.closed;
    }
    await assertBrokerServes('fuzz');
    await steady.publishAsync('fz-steady/x', 'still here', { qos: 1 });
    expect((await steadyCol.waitFor(1))[0].payload.toString()).toBe('still here');
  });
});
