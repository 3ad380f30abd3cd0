/**
 * Behaviour behind the per-message fast paths: a message converted once and shared by every subscriber of a
 * fan-out (each still gets its own v5 properties and packet ids), subscription matches remembered per topic
 * until SUBSCRIBE/UNSUBSCRIBE change them, clean-session packet ids that are not recorded in the session, and
 * persistent-session packet ids written into the session record only when it is saved (takeover, disconnect).
 */
import type { IPublishPacket } from 'mqtt-packet';

import { closeAllClients, Collector, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

describe('mqtt per-message fast paths', () => {
  test('fan-out: v3.1.1 and v5 subscribers of one message each get their own QoS, ids and properties', async () => {
    const { client: v5a } = await connectClient(mq.url, { clientId: 'fan-v5a', protocolVersion: 5 });
    const { client: v5b } = await connectClient(mq.url, { clientId: 'fan-v5b', protocolVersion: 5 });
    const { client: v4q0 } = await connectClient(mq.url, { clientId: 'fan-v4q0', protocolVersion: 4 });
    const { client: v4q1 } = await connectClient(mq.url, { clientId: 'fan-v4q1', protocolVersion: 4 });
    const cols = [new Collector(v5a), new Collector(v5b), new Collector(v4q0), new Collector(v4q1)];
    await v5a.subscribeAsync('fan/+', { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await v5b.subscribeAsync('fan/x', { qos: 0, properties: { subscriptionIdentifier: 9 } });
    await v4q0.subscribeAsync('fan/x', { qos: 0 });
    await v4q1.subscribeAsync('fan/#', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'fan-pub', protocolVersion: 4 });
    for (let i = 0; i < 3; i++) await pub.publishAsync('fan/x', `m${i}`, { qos: 1 });
    const got = await Promise.all(cols.map((c) => c.waitFor(3)));
    for (const msgs of got) expect(msgs.map((m) => m.payload.toString())).toEqual(['m0', 'm1', 'm2']);
    const [a, bb, c0, c1] = got.map((msgs) => msgs.map((m) => m.packet));
    expect(a.map((p) => [p.qos, p.properties?.subscriptionIdentifier])).toEqual([[1, 7], [1, 7], [1, 7]]);
    expect(bb.map((p) => [p.qos, p.properties?.subscriptionIdentifier])).toEqual([[0, 9], [0, 9], [0, 9]]);
    expect(c0.every((p: IPublishPacket) => p.qos === 0 && p.properties === undefined)).toBe(true);
    expect(c1.every((p: IPublishPacket) => p.qos === 1 && typeof p.messageId === 'number')).toBe(true);
  });

  test('v5 user properties reach every subscriber of a fan-out unchanged (the shared conversion is not mutated)', async () => {
    const { client: s1 } = await connectClient(mq.url, { clientId: 'up-1', protocolVersion: 5 });
    const { client: s2 } = await connectClient(mq.url, { clientId: 'up-2', protocolVersion: 5 });
    const c1 = new Collector(s1);
    const c2 = new Collector(s2);
    await s1.subscribeAsync('up/x', { qos: 0, properties: { subscriptionIdentifier: 1 } });
    await s2.subscribeAsync('up/x', { qos: 0 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'up-pub', protocolVersion: 5 });
    await pub.publishAsync('up/x', 'p', { qos: 1, properties: { userProperties: { k: 'v' }, contentType: 'text/plain' } });
    const [[m1], [m2]] = await Promise.all([c1.waitFor(1), c2.waitFor(1)]);
    expect(m1.packet.properties).toEqual({ userProperties: { k: 'v' }, contentType: 'text/plain', subscriptionIdentifier: 1 });
    expect(m2.packet.properties).toEqual({ userProperties: { k: 'v' }, contentType: 'text/plain' });
  });

  test('[MQTT-3.8.4-3] re-subscribing with another QoS and unsubscribing take effect on the next message', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'memo-sub' });
    const col = new Collector(sub);
    await sub.subscribeAsync('memo/x', { qos: 1 });
    await sub.subscribeAsync('memo/#', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'memo-pub' });
    await pub.publishAsync('memo/x', 'a', { qos: 1 });
    await col.waitFor(1);
    // Both filters now QoS 0: the remembered match for memo/x must not keep QoS 1.
    await sub.subscribeAsync('memo/x', { qos: 0 });
    await sub.subscribeAsync('memo/#', { qos: 0 });
    await pub.publishAsync('memo/x', 'b', { qos: 1 });
    await col.waitFor(2);
    await sub.unsubscribeAsync('memo/x');
    await sub.subscribeAsync('memo/#', { qos: 1 });
    await pub.publishAsync('memo/x', 'c', { qos: 1 });
    const got = await col.waitFor(3);
    expect(got.map((m) => [m.payload.toString(), m.packet.qos])).toEqual([['a', 1], ['b', 0], ['c', 1]]);
  });

  test('[MQTT-4.4.0-1] persistent session: after a takeover only the unacknowledged deliveries come back, with their ids', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('pids', { clean: false });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'pids/x', qos: 1 }] });
    await r.next('suback');
    const { client: pub } = await connectClient(mq.url, { clientId: 'pids-pub' });
    for (let i = 0; i < 5; i++) await pub.publishAsync('pids/x', `m${i}`, { qos: 1 });
    const first: IPublishPacket[] = [];
    for (let i = 0; i < 5; i++) first.push((await r.next('publish')) as IPublishPacket);
    r.send({ cmd: 'puback', messageId: first[1].messageId });
    r.send({ cmd: 'puback', messageId: first[3].messageId });
    // A PINGRESP proves the PUBACKs were handled before the takeover.
    r.send({ cmd: 'pingreq' });
    await r.next('pingresp');
    // Takeover (not a socket close): the old connection saves the session with its ids in flight.
    const r2 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r2.connect('pids', { clean: false });
    const again: IPublishPacket[] = [];
    for (let i = 0; i < 3; i++) again.push((await r2.next('publish')) as IPublishPacket);
    expect(again.map((p) => [p.payload.toString(), p.messageId, p.dup])).toEqual([0, 2, 4].map((i) => [`m${i}`, first[i].messageId, true]));
    for (const p of again) r2.send({ cmd: 'puback', messageId: p.messageId });
    // A fresh message takes an id none of the redeliveries holds.
    await pub.publishAsync('pids/x', 'fresh', { qos: 1 });
    const fresh = (await r2.next('publish')) as IPublishPacket;
    expect(fresh.payload.toString()).toBe('fresh');
    expect(fresh.dup).toBe(false);
    r2.send({ cmd: 'puback', messageId: fresh.messageId });
    // Everything acknowledged: a later resume owes nothing.
    r2.send({ cmd: 'pingreq' });
    await r2.next('pingresp');
    r2.send({ cmd: 'disconnect' });
    await r2.waitClosed();
    const r3 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r3.connect('pids', { clean: false });
    await expect(r3.next('publish', 300)).rejects.toThrow('timed out');
  });

  test('a clean session delivers QoS 1 without recording packet ids in the session', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'clean-ids', clean: true });
    const col = new Collector(sub);
    await sub.subscribeAsync('ids/x', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'clean-ids-pub' });
    for (let i = 0; i < 20; i++) await pub.publishAsync('ids/x', `m${i}`, { qos: 1 });
    const got = await col.waitFor(20);
    const ids = got.map((m) => m.packet.messageId);
    expect(new Set(ids).size).toBe(20);
    expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
  });
});
