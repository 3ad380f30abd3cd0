/**
 * MQTT 5.0 differential scenarios: subscription options (no-local, retain-as-published, retain handling),
 * subscription identifiers, topic aliases, message expiry, shared subscriptions, PUBACK/UNSUBACK reason codes,
 * CONNACK capabilities. Mosquitto 2.0 is the reference.
 */
import { elapse } from './deadline';
import { brief, mqttScenario, sentinelSub, type Got, type MqttCtx } from './mqtt-client';
import type { Json, Scenario } from './types';

const V5 = { protocolVersion: 5 } as const;

export const v5Scenarios: Scenario[] = [
  mqttScenario('v5 no-local: own publications not delivered back [MQTT-3.8.3-3]', 'MQTT 5 §3.8.3.1 No Local', async (ctx) => {
    const self = await ctx.client('self', V5);
    const other = await ctx.client('other', V5);
    await self.client.subscribeAsync({ [ctx.t('nl/on')]: { qos: 1, nl: true }, [ctx.t('nl/off')]: { qos: 1, nl: false }, ...sentinelSub(ctx.t('sentinel')) });
    for (const t of ['nl/on', 'nl/off']) {
      await self.client.publishAsync(ctx.t(t), `self-${t}`, { qos: 1 });
      await other.client.publishAsync(ctx.t(t), `other-${t}`, { qos: 1 });
    }
    const got = [...(await self.settle(self, ctx.t('sentinel'))), ...(await self.settle(other, ctx.t('sentinel')))];
    return { got: got.map((g) => g.payload).sort() };
  }),

  mqttScenario('v5 retain-as-published keeps the RETAIN flag on live delivery [MQTT-3.3.1-12, MQTT-3.3.1-13]', 'MQTT 5 §3.8.3.1 Retain As Published', async (ctx) => {
    const sub = await ctx.client('sub', V5);
    const pub = await ctx.client('pub', V5);
    await sub.client.subscribeAsync({ [ctx.t('rap/on')]: { qos: 1, rap: true }, [ctx.t('rap/off')]: { qos: 1, rap: false }, ...sentinelSub(ctx.t('sentinel')) });
    for (const t of ['rap/on', 'rap/off']) for (const retain of [true, false]) await pub.client.publishAsync(ctx.t(t), `${t}-${retain}`, { qos: 1, retain });
    const got = await sub.settle(pub, ctx.t('sentinel'));
    for (const t of ['rap/on', 'rap/off']) await pub.client.publishAsync(ctx.t(t), '', { qos: 1, retain: true });
    return { got: brief(got, ['payload', 'retain']) };
  }),

  mqttScenario('v5 retain handling 0 / 1 / 2 [MQTT-3.3.1-9, MQTT-3.3.1-10, MQTT-3.3.1-11]', 'MQTT 5 §3.8.3.1 Retain Handling', async (ctx) => {
    const pub = await ctx.client('pub', V5);
    const t = ctx.t('rh');
    await pub.client.publishAsync(t, 'kept', { qos: 1, retain: true });
    const steps: { [k: string]: Json } = {};
    const sub = await ctx.client('sub', V5);
    await sub.client.subscribeAsync(sentinelSub(ctx.t('sentinel')));
    for (const [name, rh] of [['rh0-first', 0], ['rh0-again', 0], ['rh1-again', 1], ['rh2-again', 2]] as const) {
      await sub.client.subscribeAsync({ [t]: { qos: 1, rh } });
      steps[name] = brief(await sub.settle(pub, ctx.t('sentinel')), ['payload', 'retain']);
    }
    for (const [name, rh] of [['rh1-new', 1], ['rh2-new', 2]] as const) {
      const fresh = await ctx.client(name, V5);
      await fresh.client.subscribeAsync({ [t]: { qos: 1, rh }, ...sentinelSub(ctx.t('sentinel')) });
      steps[name] = brief(await fresh.settle(pub, ctx.t('sentinel')), ['payload', 'retain']);
    }
    await pub.client.publishAsync(t, '', { qos: 1, retain: true });
    return steps;
  }),

  mqttScenario('v5 subscription identifiers on deliveries [MQTT-3.3.4-3, MQTT-3.3.4-4]', 'MQTT 5 §3.8.2.1.2, §3.3.2.3.8', async (ctx) => {
    const sub = await ctx.client('sub', V5);
    const pub = await ctx.client('pub', V5);
    await sub.client.subscribeAsync({ [ctx.t('sid/+')]: { qos: 1 } }, { qos: 1, properties: { subscriptionIdentifier: 7 } });
    await sub.client.subscribeAsync({ [ctx.t('sid/#')]: { qos: 1 } }, { qos: 1, properties: { subscriptionIdentifier: 9 } });
    await sub.client.subscribeAsync({ [ctx.t('sid/x')]: { qos: 1 } });
    await sub.client.subscribeAsync(sentinelSub(ctx.t('sentinel')));
    await pub.client.publishAsync(ctx.t('sid/x'), 'x', { qos: 1 });
    await pub.client.publishAsync(ctx.t('sid/y/z'), 'yz', { qos: 1 });
    const got = await sub.settle(pub, ctx.t('sentinel'));
    const ids = (g: Got): Json => {
      const p = g.properties;
      const v = p !== null && typeof p === 'object' && !Array.isArray(p) ? p.subscriptionIdentifier : undefined;
      return v === undefined ? [] : Array.isArray(v) ? [...v].sort() : [v];
    };
    return { copies: got.map((g) => ({ payload: g.payload, ids: ids(g) })).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  }),

  mqttScenario('v5 topic alias from the client; alias above the maximum → 0x94 [MQTT-3.3.2-7, MQTT-3.3.2-8]', 'MQTT 5 §3.3.2.3.4 Topic Alias', async (ctx) => {
    const sub = await ctx.client('sub', V5);
    await sub.client.subscribeAsync({ [ctx.t('alias/#')]: { qos: 1 } });
    const { raw, connack } = await ctx.raw(5, { clientId: ctx.id('aliaser') });
    const max = await aliasMaximum(ctx);
    const pub = (topic: string, alias: number, body: string): void =>
      raw.send({ cmd: 'publish', topic, payload: Buffer.from(body), qos: 0, retain: false, dup: false, properties: { topicAlias: alias } });
    pub(ctx.t('alias/a'), 1, 'set');
    pub('', 1, 'use');
    pub(ctx.t('alias/b'), 1, 'remap');
    pub('', 1, 'use-remapped');
    await sub.until((g) => g.length >= 4, 'aliased publications');
    pub('', max + 1, 'too-big');
    return {
      connack,
      aliasMaximumPositive: max > 0,
      got: brief(sub.got, ['topic', 'payload']),
      tooBig: await raw.untilClosed(),
    };
  }),

  mqttScenario('v5 message expiry: expired messages not delivered, interval counted down [MQTT-3.3.2-5, MQTT-3.3.2-6]', 'MQTT 5 §3.3.2.3.3 Message Expiry Interval', async (ctx) => {
    const t = ctx.t('expiry');
    const persistent = { ...V5, clean: false, properties: { sessionExpiryInterval: 300 } };
    const first = await ctx.client('offline', persistent);
    await first.client.subscribeAsync({ [t]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    await first.client.endAsync();
    const pub = await ctx.client('pub', V5);
    await pub.client.publishAsync(t, 'short', { qos: 1, properties: { messageExpiryInterval: 1 } });
    await pub.client.publishAsync(t, 'long', { qos: 1, properties: { messageExpiryInterval: 60 } });
    await pub.client.publishAsync(t, 'none', { qos: 1 });
    await pub.client.publishAsync(ctx.t('expiry-retained'), 'retained-short', { qos: 1, retain: true, properties: { messageExpiryInterval: 1 } });
    await elapse(2_200);
    const resumed = await ctx.client('offline', persistent);
    const got = await resumed.settle(pub, ctx.t('sentinel'));
    const late = await ctx.client('late', V5);
    await late.client.subscribeAsync({ [ctx.t('expiry-retained')]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    const retained = await late.settle(pub, ctx.t('sentinel'));
    const expiryOf = (g: Got): Json => {
      const p = g.properties;
      const v = p !== null && typeof p === 'object' && !Array.isArray(p) ? p.messageExpiryInterval : undefined;
      return typeof v === 'number' ? (v < 60 && v >= 50 ? 'counted-down' : v) : 'absent';
    };
    return { sessionPresent: resumed.connack.sessionPresent, got: got.map((g) => ({ payload: g.payload, expiry: expiryOf(g) })), retained: brief(retained, ['payload']) };
  }),

  mqttScenario('v5 shared subscription: each message to exactly one member [MQTT-4.8.2-*]', 'MQTT 5 §4.8.2 Shared Subscriptions', async (ctx) => {
    const filter = `$share/g/${ctx.t('shared')}`;
    const a = await ctx.client('a', V5);
    const b = await ctx.client('b', V5);
    for (const m of [a, b]) await m.client.subscribeAsync({ [filter]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    const pub = await ctx.client('pub', V5);
    const total = 20;
    for (let i = 0; i < total; i++) await pub.client.publishAsync(ctx.t('shared'), `m${i}`, { qos: 1 });
    const [ga, gb] = [await a.settle(pub, ctx.t('sentinel')), await b.settle(pub, ctx.t('sentinel'))];
    const all = [...ga, ...gb].map((g) => g.payload);
    return { delivered: all.length, distinct: new Set(all).size, published: total, bothMembersUsed: ga.length > 0 && gb.length > 0 };
  }),

  mqttScenario('v5 PUBACK 0x10 no matching subscribers; UNSUBACK 0x11 no subscription existed', 'MQTT 5 §3.4.2.1, §3.11.2.1', async (ctx) => {
    const { raw } = await ctx.raw(5, { clientId: ctx.id('codes') });
    raw.send({ cmd: 'publish', topic: ctx.t('nobody'), payload: Buffer.from('x'), qos: 1, messageId: 3, retain: false, dup: false });
    const puback = await raw.next('puback');
    raw.send({ cmd: 'subscribe', messageId: 4, subscriptions: [{ topic: ctx.t('somebody'), qos: 1 }] });
    await raw.next('suback');
    raw.send({ cmd: 'publish', topic: ctx.t('somebody'), payload: Buffer.from('y'), qos: 1, messageId: 5, retain: false, dup: false });
    const puback2 = await raw.next('puback');
    raw.send({ cmd: 'unsubscribe', messageId: 6, unsubscriptions: [ctx.t('somebody'), ctx.t('never')] });
    const unsuback = await raw.next('unsuback');
    const code = (p: typeof puback): Json => (p === 'closed' ? 'closed' : p.cmd === 'puback' ? (p.reasonCode ?? 0) : p.cmd);
    return {
      noSubscribers: code(puback),
      withSubscriber: code(puback2),
      unsuback: unsuback === 'closed' ? 'closed' : unsuback.cmd === 'unsuback' ? toCodes(unsuback.granted) : unsuback.cmd,
    };
  }),

  mqttScenario('v5 CONNACK capabilities (absent property = available); no id assigned when one was given [MQTT-3.2.2-16]', 'MQTT 5 §3.2.2.3', async (ctx) => {
    const c = await ctx.client('caps', V5);
    const p = c.connack.properties ?? {};
    // Absent properties mean "available" / QoS 2 (MQTT 5 §3.2.2.3.4-§3.2.2.3.13).
    return {
      reasonCode: c.connack.reasonCode ?? null,
      maximumQoS: p.maximumQoS ?? 2,
      retainAvailable: p.retainAvailable ?? true,
      wildcardSubscriptionAvailable: p.wildcardSubscriptionAvailable ?? true,
      subscriptionIdentifiersAvailable: p.subscriptionIdentifiersAvailable ?? true,
      sharedSubscriptionAvailable: p.sharedSubscriptionAvailable ?? true,
      assignedClientIdentifier: p.assignedClientIdentifier !== undefined,
    };
  }),

  mqttScenario('v5 DISCONNECT 0x04 (with will) publishes the will; 0x00 does not [MQTT-3.14.4-3]', 'MQTT 5 §3.14.2.1 Disconnect Reason Code', async (ctx) => {
    const watcher = await ctx.client('watcher', V5);
    await watcher.client.subscribeAsync({ [ctx.t('will/#')]: { qos: 2 } });
    for (const [name, reasonCode] of [['normal', 0], ['with-will', 4]] as const) {
      const { raw } = await ctx.raw(5, { clientId: ctx.id(name), will: { topic: ctx.t(`will/${name}`), payload: Buffer.from(`bye-${name}`), qos: 1, retain: false } });
      raw.send({ cmd: 'disconnect', reasonCode });
      await raw.untilClosed();
    }
    const pub = await ctx.client('pub', V5);
    await pub.client.publishAsync(ctx.t('will/sentinel'), '__sentinel__', { qos: 2 });
    await watcher.until((g) => g.some((m) => m.payload === '__sentinel__'), 'the sentinel');
    return { got: brief(watcher.got.filter((g) => g.payload !== '__sentinel__'), ['topic', 'payload', 'qos']) };
  }),

  mqttScenario('retained message delivered at min(stored QoS, granted QoS) [MQTT-3.3.1-9, MQTT-3.8.4-6]', 'MQTT 3.1.1 §3.3.1.3, §3.8.4', async (ctx) => {
    const pub = await ctx.client('pub');
    for (const qos of [0, 1, 2] as const) await pub.client.publishAsync(ctx.t(`rq/${qos}`), `stored${qos}`, { qos, retain: true });
    const out: { [k: string]: Json } = {};
    for (const sq of [0, 1, 2] as const) {
      const sub = await ctx.client(`sub${sq}`);
      await sub.client.subscribeAsync({ [ctx.t('rq/+')]: { qos: sq }, ...sentinelSub(ctx.t('sentinel')) });
      out[`granted${sq}`] = brief(await sub.settle(pub, ctx.t('sentinel')), ['payload', 'qos', 'retain']).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
    }
    for (const qos of [0, 1, 2]) await pub.client.publishAsync(ctx.t(`rq/${qos}`), '', { qos: 1, retain: true });
    return out;
  }),

  mqttScenario('v5 client Maximum Packet Size: larger messages are not sent to it [MQTT-3.1.2-24, MQTT-3.1.2-25]', 'MQTT 5 §3.1.2.11.4 Maximum Packet Size', async (ctx) => {
    const small = await ctx.client('small', { ...V5, properties: { maximumPacketSize: 128 } });
    await small.client.subscribeAsync({ [ctx.t('mps')]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    const pub = await ctx.client('pub', V5);
    await pub.client.publishAsync(ctx.t('mps'), 'fits', { qos: 1 });
    await pub.client.publishAsync(ctx.t('mps'), 'x'.repeat(400), { qos: 1 });
    await pub.client.publishAsync(ctx.t('mps'), 'fits-too', { qos: 1 });
    return { got: (await small.settle(pub, ctx.t('sentinel'))).map((g) => (g.payload.length > 20 ? `${g.payload.length} bytes` : g.payload)), stillConnected: small.client.connected };
  }),

  mqttScenario('v5 publish properties forwarded unchanged (response topic, correlation data, user properties…) [MQTT-3.3.2-15..-20]', 'MQTT 5 §3.3.2.3', async (ctx) => {
    const sub = await ctx.client('sub', V5);
    await sub.client.subscribeAsync({ [ctx.t('props')]: { qos: 1 } });
    const pub = await ctx.client('pub', V5);
    await pub.client.publishAsync(ctx.t('props'), '{"a":1}', {
      qos: 1,
      properties: {
        payloadFormatIndicator: true, contentType: 'application/json', responseTopic: ctx.t('reply'),
        correlationData: Buffer.from('corr-1'), userProperties: { z: 'last', a: ['one', 'two'] },
      },
    });
    await sub.until((g) => g.length >= 1, 'the message');
    const p = sub.got[0].properties;
    return { payload: sub.got[0].payload, properties: p };
  }),

  mqttScenario('v5 session expiry: 0 ends the session at disconnect, > 0 keeps it; clean start discards [MQTT-3.1.2-4..-6, MQTT-3.1.2-23]', 'MQTT 5 §3.1.2.4 Clean Start, §3.1.2.11.2 Session Expiry Interval', async (ctx) => {
    const present: { [k: string]: Json } = {};
    for (const [name, expiry] of [['expiry0', 0], ['expiry300', 300]] as const) {
      const opts = { ...V5, clean: false, properties: { sessionExpiryInterval: expiry } };
      const first = await ctx.client(name, opts);
      await first.client.subscribeAsync({ [ctx.t(name)]: { qos: 1 } });
      await first.client.endAsync();
      const again = await ctx.client(name, opts);
      present[name] = again.connack.sessionPresent;
      await again.client.endAsync();
    }
    const cleanStart = await ctx.client('expiry300', { ...V5, clean: true, properties: { sessionExpiryInterval: 300 } });
    present.cleanStartOnKeptSession = cleanStart.connack.sessionPresent;
    return present;
  }),
];

function toCodes(granted: unknown): Json {
  return Array.isArray(granted) ? granted.map((g) => (typeof g === 'number' ? g : String(g))) : String(granted);
}

/** The Topic Alias Maximum the broker announces in CONNACK (0 when absent, MQTT 5 §3.2.2.3.8). */
async function aliasMaximum(ctx: MqttCtx): Promise<number> {
  const c = await ctx.client('alias-probe', V5);
  return c.connack.properties?.topicAliasMaximum ?? 0;
}
