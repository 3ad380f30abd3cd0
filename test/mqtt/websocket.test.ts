/** MQTT over WebSocket: ws://host:http/mqtt with subprotocol mqtt, routed by the broker into handleConnection. */
import { closeAllClients, Collector, connectClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

test('mqtt.js over ws://…/mqtt talks to a TCP client', async () => {
  const { client: ws, connack } = await connectClient(`ws://127.0.0.1:${mq.broker.ports.http}/mqtt`, { clientId: 'ws-1', protocolVersion: 5 });
  expect(connack.reasonCode).toBe(0);
  const col = new Collector(ws);
  await ws.subscribeAsync('ws/+', { qos: 1 });
  const { client: tcp } = await connectClient(mq.url, { clientId: 'tcp-1' });
  await tcp.publishAsync('ws/x', 'over-ws', { qos: 1 });
  expect((await col.waitFor(1))[0].payload.toString()).toBe('over-ws');
});
