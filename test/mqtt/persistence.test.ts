/** Persistent sessions, retained messages and QoS 2 state across a clean restart and kill -9 (child process). */
import type { IConnackPacket, IPublishPacket } from 'mqtt-packet';
import { startBrokerProcess, waitFor, type ChildBroker } from '../helpers/broker';
import { closeAllClients, connectClient, RawClient } from './helpers';

let broker: ChildBroker;
/** Child brokers fsync every commit; on a loaded machine a wait here gets more slack than elsewhere. */
const SLOW_MS = 30_000;

afterEach(closeAllClients);
afterAll(async () => {
  await broker?.stop();
});

test('session, queued QoS 1/2 messages, retained and inbound QoS 2 state survive stop and kill -9', async () => {
  broker = await startBrokerProcess();
  const url = (): string => `mqtt://127.0.0.1:${broker.ports.mqtt}`;

  // A persistent session with a subscription, then offline.
  const s = await connectClient(url(), { clientId: 'p-sub', clean: false });
  await s.client.subscribeAsync('p/+', { qos: 2 });
  await s.client.endAsync();

  const { client: pub } = await connectClient(url(), { clientId: 'p-pub' });
  await pub.publishAsync('p/a', 'q1', { qos: 1 });
  await pub.publishAsync('p/b', 'q2', { qos: 2 });
  await pub.publishAsync('p/r', 'kept', { qos: 1, retain: true });
  await pub.endAsync();

  // Inbound QoS 2: PUBREC received, PUBREL not yet sent.
  const raw = await RawClient.open(broker.ports.mqtt, 4);
  await raw.connect('p-q2', { clean: false });
  raw.send({ cmd: 'publish', topic: 'p/eo', payload: Buffer.from('exactly-once'), qos: 2, messageId: 42, dup: false, retain: false });
  await raw.next('pubrec', SLOW_MS);
  raw.socket.destroy();

  // An outbound QoS 2 delivery that was never PUBRECed: after the crash it must come back with the same id.
  const q2sub = await RawClient.open(broker.ports.mqtt, 4);
  await q2sub.connect('p-q2sub', { clean: false });
  q2sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'p2/x', qos: 2 }] });
  await q2sub.next('suback', SLOW_MS);
  const { client: pubq2 } = await connectClient(url(), { clientId: 'p-pubq2' });
  await pubq2.publishAsync('p2/x', 'two', { qos: 2 });
  const firstTry = (await q2sub.next('publish', SLOW_MS)) as IPublishPacket;
  await pubq2.endAsync();
  // The session record with the packet id is written right after the send. A SUBACK of a persistent session
  // is sent only after its own metadata commit, and commits are in order: a barrier for the write above.
  const barrier = await RawClient.open(broker.ports.mqtt, 4);
  await barrier.connect('p-barrier', { clean: false });
  barrier.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'barrier', qos: 1 }] });
  await barrier.next('suback', SLOW_MS);
  await broker.kill();
  broker = await broker.restart();
  const q2again = await RawClient.open(broker.ports.mqtt, 4);
  await q2again.connect('p-q2sub', { clean: false });
  const secondTry = (await q2again.next('publish', SLOW_MS)) as IPublishPacket;
  expect(secondTry.payload.toString()).toBe('two');
  expect(secondTry.dup).toBe(true);
  expect(secondTry.messageId).toBe(firstTry.messageId);

  // The QoS 2 publisher retries with DUP after the crash: PUBREC, but no second routing.
  const raw2 = await RawClient.open(broker.ports.mqtt, 4);
  const ack = (await raw2.connect('p-q2', { clean: false })) as IConnackPacket;
  expect(ack.sessionPresent).toBe(true);
  raw2.send({ cmd: 'publish', topic: 'p/eo', payload: Buffer.from('exactly-once'), qos: 2, messageId: 42, dup: true, retain: false });
  await raw2.next('pubrec', SLOW_MS);
  raw2.send({ cmd: 'pubrel', messageId: 42 });
  await raw2.next('pubcomp', SLOW_MS);

  const again = await connectClient(url(), { clientId: 'p-sub', clean: false });
  expect(again.connack.sessionPresent).toBe(true);
  const col = again.col;
  const got = await col.waitFor(4, SLOW_MS);
  // (mqtt.js emits a QoS 2 message at PUBREL time, so arrival order at the app is not wire order)
  expect(got.map((m) => m.payload.toString()).sort()).toEqual(['exactly-once', 'kept', 'q1', 'q2']);
  // a sentinel proves the DUP QoS 2 was not routed a second time
  const { client: pub2 } = await connectClient(url(), { clientId: 'p-pub2' });
  await pub2.publishAsync('p/z', 'sentinel', { qos: 1 });
  const all = await col.waitFor(5, SLOW_MS);
  expect(all[4].payload.toString()).toBe('sentinel');
  await again.client.endAsync();

  // Clean stop and start: retained message still there for a new subscriber.
  await broker.stop();
  broker = await broker.restart();
  const raw3 = await RawClient.open(broker.ports.mqtt, 4);
  await raw3.connect('p-new');
  raw3.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'p/r', qos: 1 }] });
  const r = (await raw3.next('publish', SLOW_MS)) as IPublishPacket;
  expect(r.payload.toString()).toBe('kept');
  expect(r.retain).toBe(true);
});

test('a v5 session whose expiry passed while the broker was down is gone after restart', async () => {
  const r = await RawClient.open(broker.ports.mqtt, 5);
  await r.connect('p-exp', { clean: false, properties: { sessionExpiryInterval: 1 } });
  r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'pexp', qos: 1 }] });
  await r.next('suback', SLOW_MS);
  r.send({ cmd: 'disconnect' });
  await r.waitClosed(SLOW_MS);
  await broker.stop();
  const down = Date.now();
  await waitFor(() => Date.now() - down > 1200, 5000, 'the expiry interval to pass');
  broker = await broker.restart();
  const again = await RawClient.open(broker.ports.mqtt, 5);
  const ack = (await again.connect('p-exp', { clean: false, properties: { sessionExpiryInterval: 1 } })) as IConnackPacket;
  expect(ack.sessionPresent).toBe(false);
});
