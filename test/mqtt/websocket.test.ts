/** MQTT over WebSocket: ws://host:http/mqtt with subprotocol mqtt, routed by the broker into handleConnection. */
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { closeAllClients, Collector, connectClient } from './helpers';

let b: InProcessBroker;

beforeAll(async () => {
  b = await startBroker();
});
afterEach(closeAllClients);
afterAll(async () => b.stop());

test('mqtt.js over ws://…/mqtt talks to a TCP client', async () => {
  const { client: ws, connack } = await connectClient(`ws://127.0.0.1:${b.ports.http}/mqtt`, { clientId: 'ws-1', protocolVersion: 5 });
  expect(connack.reasonCode).toBe(0);
  const col = new Collector(ws);
  await ws.subscribeAsync('ws/+', { qos: 1 });
  const { client: tcp } = await connectClient(`mqtt://127.0.0.1:${b.ports.mqtt}`, { clientId: 'tcp-1' });
  await tcp.publishAsync('ws/x', 'over-ws', { qos: 1 });
  expect((await col.waitFor(1))[0].payload.toString()).toBe('over-ws');
});
