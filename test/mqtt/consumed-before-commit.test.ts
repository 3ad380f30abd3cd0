/**
 * A persistent session whose subscriber acknowledges faster than the disk commits: the broker may skip writing
 * what the subscriber already acknowledged (LogHandle.withdraw), so a publisher's PUBACK can mean "delivered
 * and acknowledged" instead of "on disk". Under kill -9 nothing acknowledged to the publisher may be lost: every
 * PUBACKed message reaches the subscriber, before the crash or from its session after the restart.
 * Both clients speak raw MQTT (mqtt.js in this process would ack far slower than the broker commits).
 */
import type { IPublishPacket, Packet } from 'mqtt-packet';
import { startBrokerProcess, type ChildBroker } from '../helpers/broker';
import { closeAllClients, RawClient } from './helpers';

let broker: ChildBroker | undefined;
const SLOW_MS = 30_000;
/** Publishes in flight. */
const WINDOW = 100;
const TOPIC = 'cbc/t';

afterEach(closeAllClients);
afterAll(async () => {
  await broker?.stop();
});

/**
 * A persistent-session subscriber that PUBACKs messages as they arrive and records the payloads it acknowledged
 * (taken for good); those `skip` says are left unacknowledged: the broker owes them again after a restart.
 */
async function subscriber(
  port: number,
  seen: Set<string>,
  skip: (payload: string) => boolean,
  onMessage: (payload: string) => void = () => undefined,
): Promise<{ client: RawClient; sessionPresent: boolean }> {
  const client = await RawClient.open(port, 4);
  client.socket.setNoDelay(true); // PUBACKs leave at once, as a real client's do
  client.socket.on('data', () => {
    for (let i = client.packets.length - 1; i >= 0; i--) {
      const pk = client.packets[i];
      if (pk.cmd !== 'publish') continue;
      client.packets.splice(i, 1);
      const payload = (pk as IPublishPacket).payload.toString();
      if (!skip(payload)) {
        seen.add(payload);
        client.send({ cmd: 'puback', messageId: pk.messageId });
      }
      onMessage(payload);
    }
  });
  const connack = (await client.connect('cbc-sub', { clean: false })) as Extract<Packet, { cmd: 'connack' }>;
  return { client, sessionPresent: connack.sessionPresent };
}

test('kill -9 with a subscriber acknowledging before commit: every PUBACKed message is delivered', async () => {
  broker = await startBrokerProcess();
  const seen = new Set<string>();
  // Every 7th message stays unacknowledged before the crash: its record must have been written.
  const sub = await subscriber(broker.ports.mqtt, seen, (p) => Number(p.slice(1)) % 7 === 3);
  sub.client.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: TOPIC, qos: 1 }] });
  await sub.client.next('suback', SLOW_MS);

  const pub = await RawClient.open(broker.ports.mqtt, 4);
  pub.socket.setNoDelay(true);
  await pub.connect('cbc-pub');
  const acked = new Set<string>();
  const inFlight = new Map<number, string>();
  const killAfter = 2000 + Math.floor(Math.random() * 3000);
  let next = 0;
  const publishOne = (): void => {
    const payload = `m${next}`;
    const messageId = (next % 60000) + 1;
    next++;
    inFlight.set(messageId, payload);
    pub.send({ cmd: 'publish', topic: TOPIC, payload: Buffer.from(payload), qos: 1, messageId, dup: false, retain: false });
  };
  const killed = new Promise<void>((resolve, reject) => {
    let killing = false;
    pub.socket.on('data', () => {
      for (let i = pub.packets.length - 1; i >= 0; i--) {
        const pk = pub.packets[i];
        if (pk.cmd !== 'puback') continue;
        pub.packets.splice(i, 1);
        const payload = inFlight.get(pk.messageId ?? 0);
        if (payload === undefined) continue;
        inFlight.delete(pk.messageId ?? 0);
        acked.add(payload);
        if (killing || broker === undefined) continue;
        if (acked.size < killAfter) publishOne();
        else {
          // Mid-stream: some publishes in flight, some delivered, some acknowledged by the subscriber.
          killing = true;
          broker.kill().then(resolve, reject);
        }
      }
    });
  });
  for (let i = 0; i < WINDOW; i++) publishOne();
  await killed;
  expect(acked.size).toBeGreaterThanOrEqual(killAfter);
  await closeAllClients();

  broker = await broker.restart();
  let sentinelArrived!: () => void;
  const sentinelSeen = new Promise<void>((resolve) => (sentinelArrived = resolve));
  const again = await subscriber(broker.ports.mqtt, seen, () => false, (p) => p === 'sentinel' && sentinelArrived());
  expect(again.sessionPresent).toBe(true);
  // The resumed session delivers what was left; a sentinel published after the restart comes after all of it.
  const sentinel = await RawClient.open(broker.ports.mqtt, 4);
  await sentinel.connect('cbc-sentinel');
  sentinel.send({ cmd: 'publish', topic: TOPIC, payload: Buffer.from('sentinel'), qos: 1, messageId: 1, dup: false, retain: false });
  await sentinel.next('puback', SLOW_MS);
  await sentinelSeen;
  expect(seen.has('sentinel')).toBe(true);
  expect([...acked].filter((p) => !seen.has(p))).toEqual([]);
});
