/** QoS 0/1/2 both ways, wildcards, $-topics, QoS downgrade, DUP retry, retained messages, shared, no-local. */
import type { IDisconnectPacket, IPublishPacket, ISubackPacket, IUnsubackPacket, IPubrecPacket, IPubcompPacket } from 'mqtt-packet';
import { waitFor } from '../helpers/broker';
import { closeAllClients, Collector, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

describe('mqtt publish/subscribe', () => {
  test.each([0, 1, 2] as const)('QoS %i end to end (v3.1.1 and v5)', async (qos) => {
    const { client: sub } = await connectClient(mq.url, { clientId: `sub-q${qos}`, protocolVersion: 5 });
    const col = new Collector(sub);
    const granted = await sub.subscribeAsync(`q${qos}/+`, { qos });
    expect(granted[0].qos).toBe(qos);
    const { client: pub } = await connectClient(mq.url, { clientId: `pub-q${qos}`, protocolVersion: 4 });
    for (let i = 0; i < 5; i++) await pub.publishAsync(`q${qos}/t`, `m${i}`, { qos });
    const got = await col.waitFor(5);
    expect(got.map((m) => m.payload.toString())).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(got.every((m) => m.packet.qos === qos)).toBe(true);
  });

  test('[MQTT-3.8.4-8] delivered QoS is the minimum of publish and subscription QoS', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'down' });
    const col = new Collector(sub);
    await sub.subscribeAsync('down/x', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'down-pub' });
    await pub.publishAsync('down/x', 'a', { qos: 2 });
    await pub.publishAsync('down/x', 'b', { qos: 0 });
    const got = await col.waitFor(2);
    expect(got.map((m) => [m.payload.toString(), m.packet.qos])).toEqual([['a', 1], ['b', 0]]);
  });

  test('wildcards + and #, and [MQTT-4.7.2-1] $ topics not matched by leading wildcards', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'wild' });
    const col = new Collector(sub);
    await sub.subscribeAsync(['#', 'w/+/c'], { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'wild-pub' });
    await pub.publishAsync('$dollar/x', 'hidden', { qos: 1 });
    await pub.publishAsync('w/b/c', 'both', { qos: 1 });
    const got = await col.waitFor(1);
    // overlapping subscriptions deliver once [MQTT-3.3.5-1 allows one copy at the maximum QoS]
    expect(got[0].topic).toBe('w/b/c');
    await pub.publishAsync('w/end', 'end', { qos: 1 });
    const all = await col.waitFor(2);
    expect(all.map((m) => m.topic)).toEqual(['w/b/c', 'w/end']);
  });

  test('topics with dots survive the / ⇄ . translation', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'dots' });
    const col = new Collector(sub);
    await sub.subscribeAsync('v1.0/+/x.y', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'dots-pub' });
    await pub.publishAsync('v1.0/dev.7/x.y', 'p', { qos: 1 });
    expect((await col.waitFor(1))[0].topic).toBe('v1.0/dev.7/x.y');
  });

  test('invalid filters get SUBACK 0x80 (v3) / 0x8F (v5); unsubscribe of unknown filter 0x11 (v5)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('badfilter');
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'a/#/b', qos: 1 }, { topic: 'ok/+', qos: 2 }] });
    expect(((await r.next('suback')) as ISubackPacket).granted).toEqual([0x8f, 2]);
    r.send({ cmd: 'unsubscribe', messageId: 2, unsubscriptions: ['nope', 'ok/+'] });
    expect(((await r.next('unsuback')) as IUnsubackPacket).granted).toEqual([0x11, 0]);
    const r4 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r4.connect('badfilter4');
    r4.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'x+', qos: 1 }] });
    expect(((await r4.next('suback')) as ISubackPacket).granted).toEqual([0x80]);
  });

  test('QoS 1 unacknowledged delivery is resent with DUP after reconnect (persistent session)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('dup1', { clean: false });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'dup/1', qos: 1 }] });
    await r.next('suback');
    const { client: pub } = await connectClient(mq.url, { clientId: 'dup1-pub' });
    await pub.publishAsync('dup/1', 'once', { qos: 1 });
    const first = (await r.next('publish')) as IPublishPacket;
    expect(first.dup).toBe(false);
    r.socket.destroy(); // no PUBACK
    await r.closed;
    const r2 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r2.connect('dup1', { clean: false });
    const again = (await r2.next('publish')) as IPublishPacket;
    expect(again.payload.toString()).toBe('once');
    expect(again.dup).toBe(true);
    // [MQTT-4.4.0-1] resent with its original packet identifier
    expect(again.messageId).toBe(first.messageId);
    r2.send({ cmd: 'puback', messageId: again.messageId });
  });

  test('[MQTT-4.3.3] QoS 2 inbound exactly once: a DUP PUBLISH before PUBREL is not routed twice', async () => {
    const { client: sub } = await connectClient(mq.url, { clientId: 'eo-sub' });
    const col = new Collector(sub);
    await sub.subscribeAsync('eo/x', { qos: 2 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('eo-pub');
    const pk: IPublishPacket = { cmd: 'publish', topic: 'eo/x', payload: Buffer.from('one'), qos: 2, messageId: 7, dup: false, retain: false };
    r.send(pk);
    expect(((await r.next('pubrec')) as IPubrecPacket).messageId).toBe(7);
    r.send({ ...pk, dup: true });
    expect(((await r.next('pubrec')) as IPubrecPacket).messageId).toBe(7);
    r.send({ cmd: 'pubrel', messageId: 7 });
    expect(((await r.next('pubcomp')) as IPubcompPacket).messageId).toBe(7);
    // The same id after PUBCOMP is a new message.
    r.send({ ...pk, payload: Buffer.from('two') });
    await r.next('pubrec');
    r.send({ cmd: 'pubrel', messageId: 7 });
    await r.next('pubcomp');
    const got = await col.waitFor(2);
    expect(got.map((m) => m.payload.toString())).toEqual(['one', 'two']);
  });

  test('outbound QoS 2: PUBREC → PUBREL → PUBCOMP, and an un-PUBCOMPed PUBREL is resent on reconnect', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('q2out', { clean: false });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'q2out', qos: 2 }] });
    await r.next('suback');
    const { client: pub } = await connectClient(mq.url, { clientId: 'q2out-pub' });
    await pub.publishAsync('q2out', 'x', { qos: 2 });
    const p = (await r.next('publish')) as IPublishPacket;
    r.send({ cmd: 'pubrec', messageId: p.messageId });
    expect((await r.next('pubrel')).messageId).toBe(p.messageId);
    r.socket.destroy();
    await r.closed;
    const r2 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r2.connect('q2out', { clean: false });
    expect((await r2.next('pubrel')).messageId).toBe(p.messageId);
    r2.send({ cmd: 'pubcomp', messageId: p.messageId });
    // the message itself is not sent again
    await pub.publishAsync('q2out', 'y', { qos: 2 });
    expect(((await r2.next('publish')) as IPublishPacket).payload.toString()).toBe('y');
  });

  test('retained: stored, delivered on subscribe with retain flag, replaced, cleared by empty payload', async () => {
    const { client: pub } = await connectClient(mq.url, { clientId: 'ret-pub' });
    await pub.publishAsync('ret/a', 'old', { qos: 1, retain: true });
    await pub.publishAsync('ret/a', 'new', { qos: 1, retain: true });
    await pub.publishAsync('ret/b', 'b', { qos: 0, retain: true });
    const { client: s1 } = await connectClient(mq.url, { clientId: 'ret-s1' });
    const c1 = new Collector(s1);
    await s1.subscribeAsync('ret/+', { qos: 1 });
    const got = await c1.waitFor(2);
    expect(got.map((m) => `${m.topic}=${m.payload}`).sort()).toEqual(['ret/a=new', 'ret/b=b']);
    expect(got.every((m) => m.packet.retain)).toBe(true);
    // live traffic to an existing subscriber has retain 0 [MQTT-3.3.1-9]
    await pub.publishAsync('ret/a', 'live', { qos: 1, retain: true });
    const live = (await c1.waitFor(3))[2];
    expect(live.packet.retain).toBe(false);
    // [MQTT-3.3.1-10] empty retained payload clears
    await pub.publishAsync('ret/a', '', { qos: 1, retain: true });
    await pub.publishAsync('ret/b', '', { qos: 1, retain: true });
    const { client: s2 } = await connectClient(mq.url, { clientId: 'ret-s2' });
    const c2 = new Collector(s2);
    await s2.subscribeAsync('ret/+', { qos: 1 });
    await pub.publishAsync('ret/z', 'sentinel', { qos: 1 });
    const after = await c2.waitFor(1);
    expect(after[0].topic).toBe('ret/z');
  });

  test('v5 retain handling 0/1/2 and retain-as-published', async () => {
    const { client: pub } = await connectClient(mq.url, { clientId: 'rh-pub', protocolVersion: 5 });
    await pub.publishAsync('rh/t', 'r', { qos: 1, retain: true });
    const { client: s } = await connectClient(mq.url, { clientId: 'rh-sub', protocolVersion: 5 });
    const col = new Collector(s);
    await s.subscribeAsync('rh/t', { qos: 1, rh: 2 });
    await s.subscribeAsync('rh/+', { qos: 1, rh: 1 });
    await s.subscribeAsync('rh/+', { qos: 1, rh: 1 }); // existing subscription: no replay
    await s.subscribeAsync('rh/#', { qos: 1, rh: 0, rap: true });
    const got = await col.waitFor(2);
    expect(got.map((m) => m.packet.retain)).toEqual([true, true]);
    await pub.publishAsync('rh/t', 'live', { qos: 1, retain: true });
    const live = (await col.waitFor(3))[2];
    expect(live.payload.toString()).toBe('live');
    expect(live.packet.retain).toBe(true); // rap on rh/#
  });

  test('shared subscriptions $share/g/filter load-balance across members', async () => {
    const members = await Promise.all([1, 2].map((i) => connectClient(mq.url, { clientId: `share-${i}`, protocolVersion: 5 })));
    const cols = members.map((m) => new Collector(m.client));
    for (const m of members) await m.client.subscribeAsync('$share/g1/sh/+', { qos: 1 });
    const { client: other } = await connectClient(mq.url, { clientId: 'share-plain' });
    const plain = new Collector(other);
    await other.subscribeAsync('sh/+', { qos: 1 });
    const { client: pub } = await connectClient(mq.url, { clientId: 'share-pub' });
    for (let i = 0; i < 20; i++) await pub.publishAsync('sh/x', `m${i}`, { qos: 1 });
    await plain.waitFor(20);
    const deadline = Date.now() + 10_000;
    while (cols[0].messages.length + cols[1].messages.length < 20 && Date.now() < deadline) await cols[0].waitFor(cols[0].messages.length + 1, 200).catch(() => undefined);
    expect(cols[0].messages.length + cols[1].messages.length).toBe(20);
    expect(cols[0].messages.length).toBeGreaterThan(0);
    expect(cols[1].messages.length).toBeGreaterThan(0);
  });

  test('a shared group queue is deleted when its last member unsubscribes or its session ends', async () => {
    const a = await connectClient(mq.url, { clientId: 'shq-a', protocolVersion: 5 });
    const c = await connectClient(mq.url, { clientId: 'shq-c', clean: true });
    await a.client.subscribeAsync('$share/gq/shq/x', { qos: 1 });
    await c.client.subscribeAsync('$share/gq/shq/x', { qos: 1 });
    const vhost = mq.broker.broker.context().defaultVhost;
    const exists = (): boolean => {
      try {
        vhost.queue('mqtt-shared-gq/shq/x', 'test');
        return true;
      } catch {
        return false;
      }
    };
    expect(exists()).toBe(true);
    await a.client.unsubscribeAsync('$share/gq/shq/x');
    expect(exists()).toBe(true); // c still subscribes
    await c.client.endAsync(); // clean session ends: last member gone
    await waitFor(() => !exists(), 5000, 'shared queue deleted');
  });

  test('[MQTT-3.8.3-3] v5 no-local: own publishes not delivered back', async () => {
    const { client } = await connectClient(mq.url, { clientId: 'nl', protocolVersion: 5 });
    const col = new Collector(client);
    await client.subscribeAsync('nl/x', { qos: 1, nl: true });
    const { client: other } = await connectClient(mq.url, { clientId: 'nl-other' });
    await client.publishAsync('nl/x', 'mine', { qos: 1 });
    await other.publishAsync('nl/x', 'theirs', { qos: 1 });
    const got = await col.waitFor(1);
    expect(got[0].payload.toString()).toBe('theirs');
  });
});

test('deleting a session queue from outside disconnects the MQTT client (like RabbitMQ)', async () => {
  const r = await RawClient.open(mq.broker.ports.mqtt, 5);
  await r.connect('qdel', { clean: false, properties: { sessionExpiryInterval: 60 } });
  await mq.broker.broker.context().defaultVhost.deleteQueue('mqtt-subscription-qdelqos1', { ifUnused: false, ifEmpty: false }, 'admin');
  expect(((await r.next('disconnect')) as IDisconnectPacket).reasonCode).toBe(0x80);
  await r.waitClosed();
});
