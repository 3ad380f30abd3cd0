/**
 * v5 Reason Strings on acknowledgements: sent with every error reason code (≥ 0x80) unless the client set Request
 * Problem Information to 0 [MQTT-3.1.2-29] (then only CONNACK and DISCONNECT may carry one), and never when it
 * would push the packet over the client's Maximum Packet Size [MQTT-3.4.2-2 and the like].
 */
import type { MqttClient } from 'mqtt';
import type { IConnackPacket, IDisconnectPacket, IPubcompPacket, IPubrelPacket, ISubackPacket, IUnsubackPacket, Packet } from 'mqtt-packet';
import { MQTT_REASON_STRING_MAX_CHARS, reasonText } from '../../protocols/mqtt/reason';

import { closeAllClients, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

/** Every packet the client receives, in order (mqtt.js hands acknowledgements to callbacks, not events). */
function recordPackets(client: MqttClient): Packet[] {
  const seen: Packet[] = [];
  client.on('packetreceive', (p: Packet) => seen.push(p));
  return seen;
}

/** Publishes a QoS `qos` message whose payload is not UTF-8 although the Payload Format Indicator says so. */
function publishBadUtf8(client: MqttClient, qos: 1 | 2): Promise<{ code: number | undefined; reasonString: string | undefined }> {
  return new Promise((resolve) => {
    client.publish('rs/pfi', Buffer.from([0xff, 0xfe]), { qos, properties: { payloadFormatIndicator: true } }, (err, packet) => {
      const ack = packet as { reasonCode?: number; properties?: { reasonString?: string } } | undefined;
      resolve({ code: err === undefined || err === null ? 0 : ack?.reasonCode, reasonString: ack?.properties?.reasonString });
    });
  });
}

describe('mqtt 5 reason strings', () => {
  test('reasonText: error codes only, bounded length', () => {
    expect(reasonText([0x00, 0x10, 0x11])).toBeUndefined();
    expect(reasonText([0x8f])).toBe('topic filter invalid (0x8f)');
    expect(reasonText([1, 0x8f, 0x87, 0x8f])).toBe('topic filter invalid (0x8f), not authorized (0x87)');
    expect(reasonText([0x82], 'second CONNECT')).toBe('protocol error (0x82): second CONNECT');
    expect(reasonText([0x80], 'x'.repeat(1000))?.length).toBe(MQTT_REASON_STRING_MAX_CHARS);
  });

  test('PUBACK and PUBREC with an error code carry a Reason String; a success code does not', async () => {
    const { client } = await connectClient(mq.url, { clientId: 'rs-puback', protocolVersion: 5 });
    const q1 = await publishBadUtf8(client, 1);
    expect(q1.code).toBe(0x99);
    expect(q1.reasonString).toMatch(/payload/);
    const q2 = await publishBadUtf8(client, 2);
    expect(q2.code).toBe(0x99);
    expect(q2.reasonString).toMatch(/payload/);
    const seen = recordPackets(client);
    await client.publishAsync('rs/nobody', 'x', { qos: 1 });
    const ok = seen.find((p) => p.cmd === 'puback');
    expect(ok?.reasonCode).toBe(0x10);
    expect(ok?.properties?.reasonString).toBeUndefined();
  });

  test('SUBACK with a refused filter carries a Reason String; an all-granted SUBACK does not', async () => {
    const { client } = await connectClient(mq.url, { clientId: 'rs-suback', protocolVersion: 5 });
    const seen = recordPackets(client);
    await client.subscribeAsync(['$share//bad', 'rs/good'], { qos: 1 }).catch(() => undefined);
    await client.subscribeAsync('rs/fine', { qos: 1 });
    const [bad, good] = seen.filter((p): p is ISubackPacket => p.cmd === 'suback');
    expect(bad.granted).toEqual([0x8f, 1]);
    expect(bad.properties?.reasonString).toMatch(/0x8f/);
    expect(good.granted).toEqual([1]);
    expect(good.properties?.reasonString).toBeUndefined();
  });

  test('UNSUBACK 0x11 (not an error) carries no Reason String', async () => {
    const { client } = await connectClient(mq.url, { clientId: 'rs-unsuback', protocolVersion: 5 });
    const seen = recordPackets(client);
    await client.unsubscribeAsync('rs/never');
    const u = seen.find((p): p is IUnsubackPacket => p.cmd === 'unsuback');
    expect(u?.granted).toEqual([0x11]);
    expect(u?.properties?.reasonString).toBeUndefined();
  });

  test('PUBREL and PUBCOMP 0x92 (packet identifier not found) carry a Reason String', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('rs-qos2');
    r.send({ cmd: 'pubrec', messageId: 77 });
    const rel = (await r.next('pubrel')) as IPubrelPacket;
    expect(rel.reasonCode).toBe(0x92);
    expect(rel.properties?.reasonString).toMatch(/packet identifier not found/);
    r.send({ cmd: 'pubrel', messageId: 78 });
    const comp = (await r.next('pubcomp')) as IPubcompPacket;
    expect(comp.reasonCode).toBe(0x92);
    expect(comp.properties?.reasonString).toMatch(/packet identifier not found/);
  });

  test('refusing CONNACK carries a Reason String (also with Request Problem Information 0)', async () => {
    for (const requestProblemInformation of [true, false]) {
      const r = await RawClient.open(mq.broker.ports.mqtt, 5);
      const c = (await r.connect(`rs-auth-${requestProblemInformation}`, { properties: { authenticationMethod: 'SCRAM-SHA-1', requestProblemInformation } })) as IConnackPacket;
      expect(c.reasonCode).toBe(0x8c);
      expect(c.properties?.reasonString).toMatch(/authentication method/);
    }
  });

  test('server DISCONNECT on takeover carries a Reason String', async () => {
    const { client: first } = await connectClient(mq.url, { clientId: 'rs-take', protocolVersion: 5 });
    const gone = new Promise<IDisconnectPacket>((resolve) => first.once('disconnect', resolve));
    await connectClient(mq.url, { clientId: 'rs-take', protocolVersion: 5 });
    const d = await gone;
    expect(d.reasonCode).toBe(0x8e);
    expect(d.properties?.reasonString).toMatch(/taken over/);
  });

  test('[MQTT-3.1.2-29] Request Problem Information 0: error acknowledgements without a Reason String', async () => {
    const { client } = await connectClient(mq.url, { clientId: 'rs-rpi0', protocolVersion: 5, properties: { requestProblemInformation: false } });
    const q1 = await publishBadUtf8(client, 1);
    expect(q1.code).toBe(0x99);
    expect(q1.reasonString).toBeUndefined();
    const seen = recordPackets(client);
    await client.subscribeAsync('$share//bad', { qos: 1 }).catch(() => undefined);
    const s = seen.find((p): p is ISubackPacket => p.cmd === 'suback');
    expect(s?.granted).toEqual([0x8f]);
    expect(s?.properties).toBeUndefined();
  });

  test('[MQTT-3.4.2-2] a Reason String that would exceed the client’s Maximum Packet Size is dropped', async () => {
    // 32 bytes hold our CONNACK (24) and a bare PUBACK (6), not a PUBACK with a Reason String.
    const { client } = await connectClient(mq.url, { clientId: 'rs-mps', protocolVersion: 5, properties: { maximumPacketSize: 32 } });
    const q1 = await publishBadUtf8(client, 1);
    expect(q1.code).toBe(0x99);
    expect(q1.reasonString).toBeUndefined();
  });
});
