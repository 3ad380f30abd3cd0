/** CONNECT behaviour, v3.1.1 and v5, against a real in-process broker. */
import type { IConnackPacket, IDisconnectPacket } from 'mqtt-packet';
import { waitFor } from '../helpers/broker';
import { closeAllClients, connectClient, RawClient, useMqttBroker } from './helpers';

const mq = useMqttBroker();

describe('mqtt CONNECT', () => {
  test('v3.1.1 and v5 clients connect (anonymous from loopback allowed by the default security hook)', async () => {
    const a = await connectClient(mq.url, { protocolVersion: 4, clientId: 'c-v4' });
    expect(a.connack.returnCode).toBe(0);
    const c = await connectClient(mq.url, { protocolVersion: 5, clientId: 'c-v5' });
    expect(c.connack.reasonCode).toBe(0);
    expect(c.connack.properties?.receiveMaximum).toBeGreaterThan(0);
    expect(c.connack.properties?.topicAliasMaximum).toBeGreaterThan(0);
    expect(c.connack.properties?.sharedSubscriptionAvailable).toBe(true);
  });

  test('guest/guest accepted, bad password refused: v3 return code 4, v5 reason 0x86', async () => {
    await connectClient(mq.url, { clientId: 'auth-ok', username: 'guest', password: 'guest' });
    const r3 = await RawClient.open(mq.broker.ports.mqtt, 4);
    const c3 = (await r3.connect('bad3', { username: 'guest', password: Buffer.from('nope') })) as IConnackPacket;
    expect(c3.returnCode).toBe(4);
    await r3.waitClosed();
    const r5 = await RawClient.open(mq.broker.ports.mqtt, 5);
    const c5 = (await r5.connect('bad5', { username: 'guest', password: Buffer.from('nope') })) as IConnackPacket;
    expect(c5.reasonCode).toBe(0x86);
    await r5.waitClosed();
  });

  test('[MQTT-3.1.3-8] v3.1.1 empty client id without clean session → CONNACK 0x02', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    // mqtt-packet refuses to generate this, so the bytes are written by hand: flags 0x00 = clean session 0.
    r.sendBytes([0x10, 0x0c, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const c = (await r.next('connack')) as IConnackPacket;
    expect(c.returnCode).toBe(2);
    await r.waitClosed();
  });

  test('[MQTT-3.1.3-6] empty client id with clean session is accepted; v5 gets an Assigned Client Identifier', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    expect(((await r.connect('')) as IConnackPacket).returnCode).toBe(0);
    const r5 = await RawClient.open(mq.broker.ports.mqtt, 5);
    const c5 = (await r5.connect('')) as IConnackPacket;
    expect(c5.reasonCode).toBe(0);
    expect(c5.properties?.assignedClientIdentifier).toMatch(/^polymq-/);
  });

  test('[MQTT-3.1.4-3] client-id takeover closes the old connection; v5 old gets DISCONNECT 0x8E', async () => {
    const old = await RawClient.open(mq.broker.ports.mqtt, 5);
    await old.connect('dup-id');
    const { client } = await connectClient(mq.url, { protocolVersion: 5, clientId: 'dup-id' });
    const d = (await old.next('disconnect')) as IDisconnectPacket;
    expect(d.reasonCode).toBe(0x8e);
    await old.waitClosed();
    expect(client.connected).toBe(true);
    const old4 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await old4.connect('dup-id-4');
    await connectClient(mq.url, { clientId: 'dup-id-4' });
    await old4.waitClosed();
  });

  test('session present flag: clean session 0 resumes, clean session 1 discards', async () => {
    const first = await connectClient(mq.url, { clientId: 'sp', clean: false });
    expect(first.connack.sessionPresent).toBe(false);
    await first.client.endAsync();
    const second = await connectClient(mq.url, { clientId: 'sp', clean: false });
    expect(second.connack.sessionPresent).toBe(true);
    await second.client.endAsync();
    const third = await connectClient(mq.url, { clientId: 'sp', clean: true });
    expect(third.connack.sessionPresent).toBe(false);
    await third.client.endAsync();
    const fourth = await connectClient(mq.url, { clientId: 'sp', clean: false });
    expect(fourth.connack.sessionPresent).toBe(false);
  });

  test('v5 session expiry: expiry 0 ends the session at disconnect, > 0 keeps it', async () => {
    const a = await connectClient(mq.url, { protocolVersion: 5, clientId: 'exp', clean: false, properties: { sessionExpiryInterval: 0 } });
    await a.client.endAsync();
    const b2 = await connectClient(mq.url, { protocolVersion: 5, clientId: 'exp', clean: false, properties: { sessionExpiryInterval: 300 } });
    expect(b2.connack.sessionPresent).toBe(false);
    await b2.client.endAsync();
    const c = await connectClient(mq.url, { protocolVersion: 5, clientId: 'exp', clean: false, properties: { sessionExpiryInterval: 300 } });
    expect(c.connack.sessionPresent).toBe(true);
  });

  test('v5 session expiry elapses while the broker runs: the session is gone', async () => {
    const a = await connectClient(mq.url, { protocolVersion: 5, clientId: 'exp1', clean: false, properties: { sessionExpiryInterval: 1 } });
    await a.client.subscribeAsync('exp1/x', { qos: 1 });
    await a.client.endAsync();
    const gone = Date.now() + 1000;
    await waitFor(() => Date.now() > gone, 5000, 'expiry interval');
    const vhost = mq.broker.broker.context().defaultVhost;
    await waitFor(() => {
      try {
        vhost.queue('mqtt-subscription-exp1qos1', 'test');
        return false;
      } catch {
        return true;
      }
    }, 5000, 'session queue deleted');
    const c = await connectClient(mq.url, { protocolVersion: 5, clientId: 'exp1', clean: false, properties: { sessionExpiryInterval: 1 } });
    expect(c.connack.sessionPresent).toBe(false);
  });

  test('MQTT 3.1 (MQIsdp) clients connect', async () => {
    const { connack } = await connectClient(mq.url, { protocolVersion: 3, protocolId: 'MQIsdp', clientId: 'v31' });
    expect(connack.returnCode).toBe(0);
  });

  test('[MQTT-3.1.2-24] keep-alive: silent client is closed after 1.5 × keep-alive (v5: DISCONNECT 0x8D)', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    const started = Date.now();
    await r.connect('ka', { keepalive: 1 });
    const d = (await r.next('disconnect', 5000)) as IDisconnectPacket;
    expect(d.reasonCode).toBe(0x8d);
    await r.waitClosed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  test('PINGREQ keeps the connection alive and gets PINGRESP [MQTT-3.12.4-1]', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('ping', { keepalive: 60 });
    r.send({ cmd: 'pingreq' });
    await r.next('pingresp');
  });

  test('will message published on an ungraceful close, not after DISCONNECT [MQTT-3.14.4-3]', async () => {
    const { client: watcher, col } = await connectClient(mq.url, { clientId: 'will-watch' });
    await watcher.subscribeAsync('will/#', { qos: 1 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('will-1', { will: { topic: 'will/1', payload: Buffer.from('gone'), qos: 1, retain: false } });
    r.socket.destroy();
    expect((await col.waitFor(1))[0].topic).toBe('will/1');

    const r2 = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r2.connect('will-2', { will: { topic: 'will/2', payload: Buffer.from('gone'), qos: 1, retain: false } });
    r2.send({ cmd: 'disconnect' });
    await r2.waitClosed();
    // A sentinel published afterwards arrives next only if no will/2 was published.
    await watcher.publishAsync('will/sentinel', 'x', { qos: 1 });
    expect((await col.waitFor(2))[1].topic).toBe('will/sentinel');
  });

  test('v5 DISCONNECT with reason 0x04 keeps the will', async () => {
    const { client: watcher, col } = await connectClient(mq.url, { clientId: 'dww-watch' });
    await watcher.subscribeAsync('dww/#', { qos: 1 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('dww-1', { will: { topic: 'dww/1', payload: Buffer.from('x'), qos: 1, retain: false } });
    r.send({ cmd: 'disconnect', reasonCode: 0x04 });
    await r.waitClosed();
    expect((await col.waitFor(1))[0].topic).toBe('dww/1');
  });

  test('SUBSCRIBE + PUBLISH + DISCONNECT + FIN in one write: the publish is routed, the will is not sent', async () => {
    const { client: watcher, col } = await connectClient(mq.url, { clientId: 'burst-watch' });
    await watcher.subscribeAsync('burst/#', { qos: 1 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 4);
    await r.connect('burst-1', { will: { topic: 'burst/will', payload: Buffer.from('x'), qos: 1, retain: false } });
    r.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'other/+', qos: 1 }] });
    r.send({ cmd: 'publish', topic: 'burst/data', payload: Buffer.from('d'), qos: 0, dup: false, retain: false });
    r.send({ cmd: 'disconnect' });
    r.socket.end();
    await r.closed;
    await watcher.publishAsync('burst/sentinel', 's', { qos: 1 });
    const got = await col.waitFor(2);
    expect(got.map((m) => m.topic)).toEqual(['burst/data', 'burst/sentinel']);
  });

  test('v5 will delay: a reconnect within the delay cancels the will [MQTT-3.1.3-9]', async () => {
    const { client: watcher, col } = await connectClient(mq.url, { clientId: 'wd-watch' });
    await watcher.subscribeAsync('wd/#', { qos: 1 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('wd-1', {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
      will: { topic: 'wd/1', payload: Buffer.from('x'), qos: 1, retain: false, properties: { willDelayInterval: 30 } },
    });
    r.socket.destroy();
    await r.closed;
    await connectClient(mq.url, { protocolVersion: 5, clientId: 'wd-1', clean: false, properties: { sessionExpiryInterval: 60 } });
    await watcher.publishAsync('wd/sentinel', 'x', { qos: 1 });
    expect((await col.waitFor(1)).map((m) => m.topic)).toEqual(['wd/sentinel']);
  });

  test('v5 will delay 0 with expiry: will published at once after an ungraceful close', async () => {
    const { client: watcher, col } = await connectClient(mq.url, { clientId: 'wd0-watch' });
    await watcher.subscribeAsync('wd0/#', { qos: 1 });
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    await r.connect('wd0-1', { will: { topic: 'wd0/1', payload: Buffer.from('x'), qos: 0, retain: false } });
    r.socket.destroy();
    expect((await col.waitFor(1))[0].topic).toBe('wd0/1');
  });

  test('v5 will declared UTF-8 but not UTF-8 → CONNACK 0x99', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    const c = (await r.connect('will-fmt', {
      will: { topic: 'w/f', payload: Buffer.from([0xff, 0xfe]), qos: 0, retain: false, properties: { payloadFormatIndicator: true } },
    })) as IConnackPacket;
    expect(c.reasonCode).toBe(0x99);
    await r.waitClosed();
  });

  test('v5 AUTH: an authentication method is refused with CONNACK 0x8C', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    const c = (await r.connect('auth-m', { properties: { authenticationMethod: 'SCRAM-SHA-1' } })) as IConnackPacket;
    expect(c.reasonCode).toBe(0x8c);
    await r.waitClosed();
  });

  test('v5 server keep-alive and response information', async () => {
    const r = await RawClient.open(mq.broker.ports.mqtt, 5);
    const c = (await r.connect('rri', { keepalive: 30, properties: { requestResponseInformation: true } })) as IConnackPacket;
    expect(c.properties?.responseInformation).toBe('polymq/response/rri');
    expect(c.properties?.serverKeepAlive).toBeUndefined();
  });
});
