/** MQTT 5 features: properties, topic aliases, expiry, receive maximum, packet size, subscription ids. */
import { generate, type IConnackPacket, type IDisconnectPacket, type IPubackPacket, type IPublishPacket } from 'mqtt-packet';
import { createMqttServer } from '../../protocols/mqtt/server';
import type { StreamProtocolServer } from '../../src/core/types';
import { startBroker } from '../helpers/broker';
import { closeAllClients, Collector, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

describe('mqtt 5', () => {
  test('publish properties round-trip to a v5 subscriber', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'props-sub', protocolVersion: 5 });
    const col = new Collector(sub);
    await sub.subscribeAsync('props/x', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'props-pub', protocolVersion: 5 });
    await pub.publishAsync('props/x', 'body', {
      qos: 1,
      properties: {
        contentType: 'application/json',
        responseTopic: 'props/reply',
        correlationData: Buffer.from([1, 2, 3]),
        payloadFormatIndicator: true,
        userProperties: { a: '1', b: ['x', 'y'] },
        messageExpiryInterval: 3600,
      },
    });
    const [m] = await col.waitFor(1);
    const p = m.packet.properties ?? {};
    expect(p.contentType).toBe('application/json');
    expect(p.responseTopic).toBe('props/reply');
    expect(Buffer.from(p.correlationData ?? [])).toEqual(Buffer.from([1, 2, 3]));
    expect(p.payloadFormatIndicator).toBe(true);
    expect(p.userProperties).toEqual({ a: '1', b: ['x', 'y'] });
    expect(p.messageExpiryInterval).toBeGreaterThan(3590);
    expect(p.messageExpiryInterval).toBeLessThanOrEqual(3600);
  });

  test('[MQTT-3.3.2-5] message expiry: an expired queued message is not delivered', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('expiry-sub', { clean: false, properties: { sessionExpiryInterval: 60 } });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'exp/x', qos: 1 }] });
    await r.next('suback');
    r.send({ cmd: 'disconnect' });
    await r.waitClosed();
    const { client: pub } = await connectClient(mq.url, { clientId: 'expiry-pub', protocolVersion: 5 });
    await pub.publishAsync('exp/x', 'short', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.publishAsync('exp/x', 'long', { qos: 1, properties: { messageExpiryInterval: 600 } });
    // Let the short one expire: wait on a condition with a deadline (the broker clock, not a handshake).
    const until = Date.now() + 1100;
    while (Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    const r2 = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r2.connect('expiry-sub', { clean: false, properties: { sessionExpiryInterval: 60 } });
    const p = (await r2.next('publish')) as IPublishPacket;
    expect(p.payload.toString()).toBe('long');
    expect(p.properties?.messageExpiryInterval).toBeLessThanOrEqual(600);
  });

  test('topic aliases client → server, and an invalid alias → DISCONNECT 0x94', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'alias-sub' });
    const col = new Collector(sub);
    await sub.subscribeAsync('alias/#', { qos: 1 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('alias-pub');
    r.send({ cmd: 'publish', topic: 'alias/long/name', payload: Buffer.from('1'), qos: 1, messageId: 1, dup: false, retain: false, properties: { topicAlias: 3 } });
    await r.next('puback');
    r.send({ cmd: 'publish', topic: '', payload: Buffer.from('2'), qos: 1, messageId: 2, dup: false, retain: false, properties: { topicAlias: 3 } });
    await r.next('puback');
    const got = await col.waitFor(2);
    expect(got.map((m) => m.topic)).toEqual(['alias/long/name', 'alias/long/name']);
    r.send({ cmd: 'publish', topic: 'alias/x', payload: Buffer.from('3'), qos: 0, dup: false, retain: false, properties: { topicAlias: 60_000 } });
    expect(((await r.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x94);
    await r.waitClosed();
  });

  test('topic aliases server → client when the client allows them', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('alias-out', { properties: { topicAliasMaximum: 5 } });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'ao/#', qos: 0 }] });
    await r.next('suback');
    const { client: pub } = await connectClient(mq.url, { clientId: 'alias-out-pub' });
    await pub.publishAsync('ao/t', 'a', { qos: 1 });
    await pub.publishAsync('ao/t', 'b', { qos: 1 });
    const p1 = (await r.next('publish')) as IPublishPacket;
    const p2 = (await r.next('publish')) as IPublishPacket;
    expect(p1.topic).toBe('ao/t');
    expect(p1.properties?.topicAlias).toBe(1);
    expect(p2.topic).toBe('');
    expect(p2.properties?.topicAlias).toBe(1);
  });

  test('subscription identifiers are returned with matching messages', async () => {
    const { client } = await connectClient(mq.url, { clientId: 'subid', protocolVersion: 5 });
    const col = new Collector(client);
    await client.subscribeAsync('sid/a', { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await client.subscribeAsync('sid/+', { qos: 1, properties: { subscriptionIdentifier: 9 } });
    await client.publishAsync('sid/a', 'x', { qos: 1 });
    const [m] = await col.waitFor(1);
    const ids = m.packet.properties?.subscriptionIdentifier;
    expect((Array.isArray(ids) ? ids : [ids]).sort()).toEqual([7, 9]);
  });

  test('PUBACK 0x10 when no subscriber matched (v5)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('nomatch');
    r.send({ cmd: 'publish', topic: 'nobody/here', payload: Buffer.from('x'), qos: 1, messageId: 3, dup: false, retain: false });
    expect(((await r.next('puback')) as IPubackPacket).reasonCode).toBe(0x10);
  });

  test('receive maximum: the server keeps at most the client’s Receive Maximum unacknowledged', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('rmax', { properties: { receiveMaximum: 2 } });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'rmax', qos: 1 }] });
    await r.next('suback');
    const { client: pub } = await connectClient(mq.url, { clientId: 'rmax-pub' });
    for (let i = 0; i < 5; i++) await pub.publishAsync('rmax', `m${i}`, { qos: 1 });
    const a = (await r.next('publish')) as IPublishPacket;
    const b2 = (await r.next('publish')) as IPublishPacket;
    // a third one must not arrive before we acknowledge
    await expect(r.next('publish', 300)).rejects.toThrow('timed out');
    r.send({ cmd: 'puback', messageId: a.messageId });
    const c = (await r.next('publish')) as IPublishPacket;
    expect([a, b2, c].map((p) => p.payload.toString())).toEqual(['m0', 'm1', 'm2']);
  });

  test('inbound receive maximum exceeded → DISCONNECT 0x93', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    const ack = (await r.connect('rmax-in')) as IConnackPacket;
    const max = ack.properties?.receiveMaximum ?? 0;
    expect(max).toBeGreaterThan(0);
    // QoS 2 without PUBREL keeps each packet id in flight.
    const burst: Buffer[] = [];
    for (let i = 1; i <= max + 1; i++) {
      burst.push(generate({ cmd: 'publish', topic: 'rin', payload: Buffer.alloc(0), qos: 2, messageId: i, dup: false, retain: false }, { protocolVersion: 5 }));
    }
    r.sendBytes(Buffer.concat(burst));
    expect(((await r.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x93);
  });

  test('maximum packet size: client limit drops oversize deliveries; our limit refuses oversize packets (0x95)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('mps', { properties: { maximumPacketSize: 100 } });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'mps', qos: 1 }] });
    await r.next('suback');
    const { client: pub } = await connectClient(mq.url, { clientId: 'mps-pub' });
    await pub.publishAsync('mps', Buffer.alloc(500), { qos: 1 });
    await pub.publishAsync('mps', 'small', { qos: 1 });
    expect(((await r.next('publish')) as IPublishPacket).payload.toString()).toBe('small');

    const limited = await startBroker({ limits: { mqttPacketSizeMaxBytes: 1024 } });
    try {
      const r2 = await RawClient.open(limited.ports.mqtt, 5);
      const ack = (await r2.connect('mps2')) as IConnackPacket;
      expect(ack.properties?.maximumPacketSize).toBe(1024);
      r2.send({ cmd: 'publish', topic: 'big', payload: Buffer.alloc(2000), qos: 0, dup: false, retain: false });
      expect(((await r2.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x95);
      await r2.waitClosed();
    } finally {
      await limited.stop();
    }
  });

  test('server keep-alive: a v5 client asking more than the maximum gets Server Keep Alive', async () => {
    const extra: StreamProtocolServer = createMqttServer(mq.broker.broker.context(), { host: '127.0.0.1', port: 0, keepAliveMaxSec: 10, sysIntervalMs: 0 });
    await extra.start();
    try {
      const r = await RawClient.open(extra.port(), 5);
      const ack = (await r.connect('ska', { keepalive: 300 })) as IConnackPacket;
      expect(ack.properties?.serverKeepAlive).toBe(10);
    } finally {
      await extra.stop();
    }
  });

  test('request/response: response topic and correlation data reach the responder, reply reaches requester', async () => {
    const { client: responder } = await connectClient(mq.url, { clientId: 'rr-resp', protocolVersion: 5 });
    await responder.subscribeAsync('rr/req', { qos: 1 });
    responder.on('message', (_t, payload, packet) => {
      const p = packet.properties ?? {};
      if (p.responseTopic) {
        responder.publishAsync(p.responseTopic, `re:${payload}`, { qos: 1, properties: { correlationData: p.correlationData } }).catch(() => undefined);
      }
    });
    const { client: requester } = await connectClient(mq.url, { clientId: 'rr-req', protocolVersion: 5 });
    const col = new Collector(requester);
    await requester.subscribeAsync('rr/reply/me', { qos: 1 });
    await requester.publishAsync('rr/req', 'ping', { qos: 1, properties: { responseTopic: 'rr/reply/me', correlationData: Buffer.from('id-1') } });
    const [m] = await col.waitFor(1);
    expect(m.payload.toString()).toBe('re:ping');
    expect(Buffer.from(m.packet.properties?.correlationData ?? []).toString()).toBe('id-1');
  });

  test('server DISCONNECT 0x8B on broker stop', async () => {
    const other = await startBroker();
    const r = await RawClient.open(other.ports.mqtt, 5);
    await r.connect('stopme');
    const stopping = other.stop();
    expect(((await r.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x8b);
    await stopping;
  });
});
