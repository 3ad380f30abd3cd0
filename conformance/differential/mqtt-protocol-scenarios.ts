/**
 * MQTT differential scenarios about protocol violations and connection lifecycle, sent as hand-made bytes
 * through RawMqtt: what may come first, a second CONNECT, unsupported protocol levels, malformed fixed headers,
 * and the keep-alive timeout. Observed: CONNACK codes, DISCONNECT reason codes, and whether the socket closed.
 */
import { brief, mqttScenario, type MqttCtx } from './mqtt-client';
import { RawMqtt, type Version } from './mqtt-raw';
import type { Json, Scenario } from './types';

/**
 * How the broker reacts to `bytes` written after a successful CONNECT (or on a bare socket). A PINGREQ follows
 * whenever the connection may legitimately stay open, so "still open" is proven by a PINGRESP, not by waiting.
 */
async function reactTo(ctx: MqttCtx, version: Version, bytes: Buffer, afterConnect: boolean): Promise<Json> {
  const raw = afterConnect ? (await ctx.raw(version, { clientId: ctx.id(`v${version}-${bytes.toString('hex').slice(0, 12)}`) })).raw : await RawMqtt.bare(ctx.url, version);
  const openOrClosed = async (): Promise<Json> => {
    raw.write(PINGREQ);
    const p = await raw.next();
    return p === 'closed' ? 'closed' : p.cmd === 'pingresp' ? 'open' : p.cmd;
  };
  try {
    raw.write(bytes);
    if (afterConnect) raw.write(PINGREQ);
    const first = await raw.next();
    if (first === 'closed') return first;
    if (first.cmd === 'pingresp') return 'ignored';
    const closes = (): Promise<Json> => raw.untilClosed().then(() => 'closed', () => 'still-open');
    if (first.cmd === 'disconnect') return { disconnect: first.reasonCode ?? 0, then: await closes() };
    if (first.cmd === 'connack') {
      const code = first.reasonCode ?? first.returnCode ?? null;
      return { connack: code, then: code === 0 ? await openOrClosed() : await closes() };
    }
    return first.cmd;
  } finally {
    raw.destroy();
  }
}

/** A CONNECT for protocol `level` with client id `id`, clean session, keep-alive 60 s (level 5 adds empty properties). */
function connectBytes(level: number, id: string): Buffer {
  const idBytes = Buffer.from(id);
  const properties = level === 5 ? Buffer.from([0]) : Buffer.alloc(0);
  const body = Buffer.concat([Buffer.from([0, 4]), Buffer.from('MQTT'), Buffer.from([level, 0x02, 0, 60]), properties, Buffer.from([0, idBytes.length]), idBytes]);
  return Buffer.concat([Buffer.from([0x10, body.length]), body]);
}

const PINGREQ = Buffer.from([0xc0, 0x00]);
/** Longest wait for a broker to drop a silent client with keep-alive 1 s. */
const KEEPALIVE_CLOSE_MS_MAX = 15_000;

/** Byte-exact malformed packets; in 5.0 each variable header also carries an empty property length. */
function malformed(version: Version): Record<'subscribeFlags' | 'subscribeEmpty' | 'publishQos3', Buffer> {
  const props = version === 5 ? [0x00] : [];
  const packet = (first: number, rest: number[]): Buffer => Buffer.from([first, rest.length, ...rest]);
  return {
    // SUBSCRIBE with reserved flags 0000 instead of 0010 [MQTT-3.8.1-1]: packet id 1, filter "a", QoS 1.
    subscribeFlags: packet(0x80, [0x00, 0x01, ...props, 0x00, 0x01, 0x61, 0x01]),
    // SUBSCRIBE without any topic filter [MQTT-3.8.3-3].
    subscribeEmpty: packet(0x82, [0x00, 0x01, ...props]),
    // PUBLISH with both QoS bits set (QoS 3) [MQTT-3.3.1-4]: topic "a", packet id 1, empty payload.
    publishQos3: packet(0x36, [0x00, 0x01, 0x61, 0x00, 0x01, ...props]),
  };
}

export const protocolScenarios: Scenario[] = [
  mqttScenario('first packet not CONNECT, or a second CONNECT → connection closed [MQTT-3.1.0-1, MQTT-3.1.0-2]', 'MQTT 3.1.1 §3.1; MQTT 5 §3.1', async (ctx) => ({
    pingFirst: await reactTo(ctx, 4, PINGREQ, false),
    secondConnectV4: await reactTo(ctx, 4, connectBytes(4, ctx.id('again4')), true),
    secondConnectV5: await reactTo(ctx, 5, connectBytes(5, ctx.id('again5')), true),
  })),

  mqttScenario('unsupported protocol level or name/level mismatch → CONNACK 0x01 and close [MQTT-3.1.2-2]', 'MQTT 3.1.1 §3.1.2.2; MQTT 5 §3.1.2.2', async (ctx) => ({
    level3WithMqttName: await reactTo(ctx, 4, connectBytes(3, ctx.id('l3')), false),
    level6: await reactTo(ctx, 4, connectBytes(6, ctx.id('l6')), false),
  })),

  mqttScenario('malformed fixed headers: SUBSCRIBE flags, empty SUBSCRIBE, QoS 3 PUBLISH → close [MQTT-3.8.1-1, MQTT-3.8.3-3, MQTT-3.3.1-4]', 'MQTT 3.1.1 §2.2.2, §3.8; MQTT 5 §4.13', async (ctx) => {
    const out: { [k: string]: Json } = {};
    for (const version of [4, 5] as const) {
      for (const [name, bytes] of Object.entries(malformed(version))) out[`v${version} ${name}`] = await reactTo(ctx, version, bytes, true);
    }
    return out;
  }),

  mqttScenario('keep-alive expiry: broker closes after 1.5 × keep-alive and publishes the will [MQTT-3.1.2-24]', 'MQTT 3.1.1 §3.1.2.10', async (ctx) => {
    const watcher = await ctx.client('watcher');
    await watcher.client.subscribeAsync({ [ctx.t('silent')]: { qos: 1 } });
    const { raw } = await ctx.raw(4, { clientId: ctx.id('silent'), keepalive: 1, will: { topic: ctx.t('silent'), payload: Buffer.from('timed-out'), qos: 1, retain: false } });
    // Timing is not compared: Mosquitto 2.0.11 checks keep-alives on a coarse timer and closes after ~6 s.
    const closedWith = await raw.untilClosed(KEEPALIVE_CLOSE_MS_MAX);
    await watcher.until((g) => g.length >= 1, 'the will');
    return { closedWith, will: brief(watcher.got, ['payload', 'qos']) };
  }),
];
