/**
 * Broker shutdown closes every connection for a reason other than DISCONNECT, so their wills are due (as Mosquitto
 * publishes them on SIGTERM): connected subscribers receive them before their own connection closes, and offline
 * persistent sessions find them queued after the restart. Delayed v5 wills are published too, not lost.
 */
import { startBrokerProcess, type ChildBroker } from '../helpers/broker';
import { closeAllClients, connectClient } from './helpers';

let broker: ChildBroker | undefined;
const SLOW_MS = 30_000;

afterEach(closeAllClients);
afterAll(async () => {
  await broker?.stop();
});

test('wills (immediate and delayed) are published on a graceful stop, to live and offline subscribers', async () => {
  broker = await startBrokerProcess();
  const url = `mqtt://127.0.0.1:${broker.ports.mqtt}`;

  const offline = await connectClient(url, { clientId: 'sw-offline', clean: false });
  await offline.client.subscribeAsync('sw/#', { qos: 1 });
  await offline.client.endAsync();

  const live = await connectClient(url, { clientId: 'sw-live', protocolVersion: 5 });
  await live.client.subscribeAsync('sw/#', { qos: 1 });

  const plain = await connectClient(url, { clientId: 'sw-v4', will: { topic: 'sw/v4', payload: Buffer.from('gone-v4'), qos: 1, retain: false } });
  const delayed = await connectClient(url, {
    clientId: 'sw-v5',
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 600 },
    will: { topic: 'sw/v5', payload: Buffer.from('gone-v5'), qos: 1, retain: false, properties: { willDelayInterval: 300 } },
  });
  // A client that said DISCONNECT has no will left to publish.
  const polite = await connectClient(url, { clientId: 'sw-polite', will: { topic: 'sw/polite', payload: Buffer.from('never'), qos: 1, retain: false } });
  await polite.client.endAsync();
  for (const c of [plain, delayed]) c.client.on('error', () => undefined);

  expect(await broker.stop()).toBe(0);
  const liveGot = live.col.messages.map((m) => `${m.topic}=${m.payload.toString()}`).sort();
  expect(liveGot).toEqual(['sw/v4=gone-v4', 'sw/v5=gone-v5']);

  broker = await broker.restart();
  const back = await connectClient(`mqtt://127.0.0.1:${broker.ports.mqtt}`, { clientId: 'sw-offline', clean: false });
  const got = await back.col.waitFor(2, SLOW_MS);
  expect(got.map((m) => `${m.topic}=${m.payload.toString()}`).sort()).toEqual(['sw/v4=gone-v4', 'sw/v5=gone-v5']);
});
