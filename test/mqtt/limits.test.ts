/** Bounded resources: the offline queue limit (drop-head) and socket backpressure towards a slow reader. */
import type { IPublishPacket } from 'mqtt-packet';
import { startBroker, waitFor } from '../helpers/broker';
import { closeAllClients, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker({ limits: { mqttOfflineQueueMax: 3 } });

test('offline queue limit: the oldest messages are dropped (x-max-length, drop-head)', async () => {
  const s = await connectClient(mq.url, { clientId: 'offline', clean: false });
  await s.client.subscribeAsync('off/x', { qos: 1 });
  await s.client.endAsync();
  const { client: pub } = await connectClient(mq.url, { clientId: 'offline-pub' });
  for (let i = 0; i < 6; i++) await pub.publishAsync('off/x', `m${i}`, { qos: 1 });
  const again = await connectClient(mq.url, { clientId: 'offline', clean: false });
  const got = await again.col.waitFor(3);
  expect(got.map((m) => m.payload.toString())).toEqual(['m3', 'm4', 'm5']);
});

test('backpressure: a subscriber that stops reading stops deliveries; the rest waits in its queue', async () => {
  const other = await startBroker();
  try {
    const r = await RawClient.open(other.ports.mqtt, 4);
    await r.connect('slow', { clean: false });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'bp', qos: 0 }] });
    await r.next('suback');
    r.socket.pause();
    const { client: pub } = await connectClient(`mqtt://127.0.0.1:${other.ports.mqtt}`, { clientId: 'bp-pub' });
    // 48 MiB: far more than the kernel socket buffers and our write buffer can hold.
    const count = 48;
    for (let i = 0; i < count; i++) await pub.publishAsync('bp', Buffer.alloc(1024 * 1024, i), { qos: 1 });
    const q = other.broker.context().defaultVhost.queue('mqtt-subscription-slowqos1', 'test');
    // The subscriber's socket is full: messages wait in the queue instead of piling up in process memory.
    expect(q.info().messageCount).toBeGreaterThan(0);
    r.socket.resume();
    await waitFor(() => r.packets.filter((p) => p.cmd === 'publish').length === count, 30_000, 'all deliveries');
    const payloads = (r.packets.filter((p) => p.cmd === 'publish') as IPublishPacket[]).map((p) => p.payload[0]);
    expect(payloads).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(q.info().messageCount).toBe(0);
  } finally {
    await closeAllClients();
    await other.stop();
  }
});

test('resource alarm: a publishing connection stops being read, subscribers keep working', async () => {
  const alarmed = await startBroker({ limits: { memoryHighWatermarkBytes: 1 } });
  try {
    expect(alarmed.broker.context().alarms.blocked).toBe(true);
    const u = `mqtt://127.0.0.1:${alarmed.ports.mqtt}`;
    const sub = await connectClient(u, { clientId: 'alarm-sub' });
    await sub.client.subscribeAsync('alarm/x', { qos: 1 });
    const r = await RawClient.open(alarmed.ports.mqtt, 4);
    await r.connect('alarm-pub');
    r.send({ cmd: 'publish', topic: 'alarm/x', payload: Buffer.from('first'), qos: 1, messageId: 1, dup: false, retain: false });
    await r.next('puback');
    expect((await sub.col.waitFor(1))[0].payload.toString()).toBe('first');
    // From now on the publisher's socket is not read: no PUBACK, not even a PINGRESP.
    r.send({ cmd: 'publish', topic: 'alarm/x', payload: Buffer.from('second'), qos: 1, messageId: 2, dup: false, retain: false });
    r.send({ cmd: 'pingreq' });
    await expect(r.next('pingresp', 500)).rejects.toThrow('timed out');
    // The subscriber is not blocked.
    const ping = await sub.client.subscribeAsync('alarm/y', { qos: 0 });
    expect(ping[0].qos).toBe(0);
  } finally {
    await closeAllClients();
    await alarmed.stop();
  }
});
