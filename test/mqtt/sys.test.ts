/** $SYS topics like Mosquitto's, published at start and every interval as retained messages. */
import { createMqttServer } from '../../protocols/mqtt/server';
import { closeAllClients, Collector, connectClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

test('$SYS/broker/* values are delivered on subscribe (retained); # does not match them [MQTT-4.7.2-1]', async () => {
  const { client } = await connectClient(mq.url, { clientId: 'sys-1' });
  const col = new Collector(client);
  await client.subscribeAsync('#', { qos: 0 });
  await client.subscribeAsync('$SYS/broker/#', { qos: 0 });
  // One retained message per $SYS value (the broker published them at start).
  await col.waitFor(10);
  const all = new Map(col.messages.map((m) => [m.topic, m.payload.toString()]));
  expect(all.get('$SYS/broker/version')).toMatch(/^polymq version \d/);
  expect(all.get('$SYS/broker/uptime')).toMatch(/^\d+ seconds$/);
  expect(all.get('$SYS/broker/clients/connected')).toMatch(/^\d+$/);
  expect(all.get('$SYS/broker/messages/received')).toMatch(/^\d+$/);
  expect(col.messages.every((m) => m.topic.startsWith('$SYS/broker/'))).toBe(true);
});

test('$SYS values are republished every interval; an offline # session does not collect them', async () => {
  const srv = createMqttServer(mq.broker.broker.context(), { host: '127.0.0.1', port: 0, sysIntervalMs: 100 });
  await srv.start();
  try {
    const u = `mqtt://127.0.0.1:${srv.port()}`;
    const off = await connectClient(u, { clientId: 'sys-hash', clean: false });
    await off.client.subscribeAsync('#', { qos: 1 });
    await off.client.endAsync();
    const { client, col } = await connectClient(u, { clientId: 'sys-2' });
    await client.subscribeAsync('$SYS/broker/uptime', { qos: 0 });
    // the retained value, then at least two periodic publishes
    await col.waitFor(3);
    expect(col.messages.every((m) => m.topic === '$SYS/broker/uptime')).toBe(true);
    const q = mq.broker.broker.context().defaultVhost.queue('mqtt-subscription-sys-hashqos1', 'test');
    expect(q.info().messageCount).toBe(0);
  } finally {
    await closeAllClients();
    await srv.stop();
  }
});
