/** AMQP ⇄ MQTT through amq.topic (RabbitMQ convention: `/` ⇄ `.`, `+` → `*`). */
import amqp from 'amqplib';

import { closeAllClients, Collector, connectClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

test('AMQP publish to amq.topic key sensors.kitchen reaches the MQTT subscriber of sensors/kitchen', async () => {
  const { client } = await connectClient(mq.url, { clientId: 'x-mqtt-sub', protocolVersion: 5 });
  const col = new Collector(client);
  await client.subscribeAsync('sensors/+', { qos: 1 });
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${mq.broker.ports.amqp}`);
  try {
    const ch = await conn.createConfirmChannel();
    ch.publish('amq.topic', 'sensors.kitchen', Buffer.from('21.5'), { contentType: 'text/plain', correlationId: 'c-7', headers: { unit: 'C' } });
    await ch.waitForConfirms();
    const [m] = await col.waitFor(1);
    expect(m.topic).toBe('sensors/kitchen');
    expect(m.payload.toString()).toBe('21.5');
    expect(m.packet.properties?.contentType).toBe('text/plain');
    expect(Buffer.from(m.packet.properties?.correlationData ?? []).toString()).toBe('c-7');
    expect(m.packet.properties?.userProperties).toEqual({ unit: 'C' });
  } finally {
    await conn.close();
  }
});

test('MQTT publish to sensors/kitchen reaches an AMQP queue bound with sensors.*', async () => {
  const conn = await amqp.connect(`amqp://guest:guest@127.0.0.1:${mq.broker.ports.amqp}`);
  try {
    const ch = await conn.createChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(q.queue, 'amq.topic', 'sensors.*');
    const got = new Promise<amqp.ConsumeMessage>((resolve) => {
      void ch.consume(q.queue, (m) => m && resolve(m), { noAck: true });
    });
    const { client } = await connectClient(mq.url, { clientId: 'x-mqtt-pub', protocolVersion: 5 });
    await client.publishAsync('sensors/kitchen', 'hot', { qos: 1, properties: { userProperties: { k: 'v' }, responseTopic: 'replies/a' } });
    const m = await got;
    expect(m.fields.routingKey).toBe('sensors.kitchen');
    expect(m.content.toString()).toBe('hot');
    expect(m.properties.headers?.k).toBe('v');
    expect(m.properties.headers?.['x-mqtt-publish-qos']).toBe(1);
    expect(m.properties.replyTo).toBe('replies.a');
  } finally {
    await conn.close();
  }
});
