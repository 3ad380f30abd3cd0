/**
 * MQTT differential scenarios common to 3.1.1 and 5.0: QoS, retained messages, `$` topics, overlapping
 * subscriptions, persistent sessions, wills, protocol errors, session takeover, the QoS 2 handshake.
 * Mosquitto 2.0 is the reference; names carry the normative statement ids they exercise.
 */
import type { IConnectPacket, Packet } from 'mqtt-packet';
import { brief, mqttScenario, sentinelSub, type MClient, type MqttCtx } from './mqtt-client';
import { RawMqtt, type Version } from './mqtt-raw';
import { toJson } from './names';
import type { Json, Scenario } from './types';

/** A publisher plus a subscriber holding `filters` (and the sentinel topic); returns both. */
async function pubSub(ctx: MqttCtx, filters: Record<string, 0 | 1 | 2>, opts: { version?: Version } = {}): Promise<{ pub: MClient; sub: MClient; granted: Json }> {
  const protocolVersion = opts.version ?? 4;
  const pub = await ctx.client('pub', { protocolVersion });
  const sub = await ctx.client('sub', { protocolVersion });
  const grants = await sub.client.subscribeAsync(Object.fromEntries(Object.entries(filters).map(([f, qos]) => [f, { qos }])));
  await sub.client.subscribeAsync(sentinelSub(ctx.t('sentinel')));
  return { pub, sub, granted: grants.map((g) => g.qos) };
}

/**
 * What the broker did with one raw packet sent after a successful CONNECT: its answer (when one is expected),
 * or how it closed the connection.
 */
async function reaction(ctx: MqttCtx, version: Version, packet: Packet, expectAnswer: boolean): Promise<Json> {
  const { raw } = await ctx.raw(version, { clientId: ctx.id(`r${version}-${Math.random().toString(36).slice(2, 8)}`) });
  raw.send(packet);
  const closes = (): Promise<Json> => raw.untilClosed().then(() => 'closed', () => 'still-open');
  if (expectAnswer) {
    const p = await raw.next().catch(() => 'timeout' as const);
    if (p === 'closed' || p === 'timeout') return p;
    if (p.cmd === 'suback') return { suback: p.granted.map((g) => (typeof g === 'number' ? g : toJson((g as { qos?: unknown }).qos))) };
    if (p.cmd === 'disconnect') return { disconnect: p.reasonCode ?? 0, then: await closes() };
    return p.cmd;
  }
  const closedWith = await raw.untilClosed().catch(() => 'still-open' as const);
  return closedWith === 'none' ? 'closed' : closedWith === 'still-open' ? closedWith : { disconnect: closedWith };
}

export const coreScenarios: Scenario[] = [
  mqttScenario('QoS downgraded to the granted maximum [MQTT-3.8.4-6, MQTT-3.3.5-1]', 'MQTT 3.1.1 §3.8.4, §4.3', async (ctx) => {
    const { pub, sub, granted } = await pubSub(ctx, { [ctx.t('q0')]: 0, [ctx.t('q1')]: 1, [ctx.t('q2')]: 2 });
    for (const t of ['q0', 'q1', 'q2']) for (const qos of [0, 1, 2] as const) await pub.client.publishAsync(ctx.t(t), `${t}-pub${qos}`, { qos });
    const got = await sub.settle(pub, ctx.t('sentinel'));
    return { granted, got: brief(got, ['payload', 'qos']).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))) };
  }),

  mqttScenario('retained: set, replace, live copy retain=0, clear with empty payload [MQTT-3.3.1-5..-11]', 'MQTT 3.1.1 §3.3.1.3', async (ctx) => {
    const t = ctx.t('retained');
    const pub = await ctx.client('pub');
    await pub.client.publishAsync(t, 'r1', { qos: 1, retain: true });
    await pub.client.publishAsync(t, 'r2', { qos: 1, retain: true });
    const a = await ctx.client('a');
    await a.client.subscribeAsync({ [t]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    const onSubscribe = await a.settle(pub, ctx.t('sentinel'));
    await pub.client.publishAsync(t, 'r3', { qos: 1, retain: true });
    await pub.client.publishAsync(t, '', { qos: 1, retain: true });
    const live = await a.settle(pub, ctx.t('sentinel'));
    const b = await ctx.client('b');
    await b.client.subscribeAsync({ [t]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    const afterClear = await b.settle(pub, ctx.t('sentinel'));
    return { onSubscribe: brief(onSubscribe), live: brief(live), afterClear: brief(afterClear) };
  }),

  mqttScenario('$-topics are not matched by # or + [MQTT-4.7.2-1]', 'MQTT 3.1.1 §4.7.2', async (ctx) => {
    const pub = await ctx.client('pub');
    const hash = await ctx.client('hash');
    const plus = await ctx.client('plus');
    const dollar = await ctx.client('dollar');
    await hash.client.subscribeAsync({ '#': { qos: 1 } });
    await plus.client.subscribeAsync({ '+/x': { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    await dollar.client.subscribeAsync({ [`$${ctx.p}/#`]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    await pub.client.publishAsync(`$${ctx.p}/x`, 'dollar', { qos: 1 });
    await pub.client.publishAsync(ctx.t('x'), 'plain', { qos: 1 });
    const mine = (got: ReturnType<typeof brief>): Json[] => got.filter((g) => typeof g === 'object' && g !== null && !Array.isArray(g) && String(g.topic).includes(ctx.p));
    const viaPlus = await plus.settle(pub, ctx.t('sentinel'));
    const viaDollar = await dollar.settle(pub, ctx.t('sentinel'));
    const viaHash = await hash.settle(pub, ctx.t('sentinel'));
    return { hash: mine(brief(viaHash, ['topic', 'payload'])), plus: brief(viaPlus, ['topic', 'payload']), dollarFilter: brief(viaDollar, ['topic', 'payload']) };
  }),

  mqttScenario('overlapping subscriptions: copies and QoS per client [MQTT-3.3.5-1]', 'MQTT 3.1.1 §3.3.5 (one or more copies); MQTT 5 §3.3.4', async (ctx) => {
    const out: { [v: string]: Json } = {};
    for (const version of [4, 5] as const) {
      const { pub, sub } = await pubSub(ctx, { [ctx.t(`o${version}/+`)]: 0, [ctx.t(`o${version}/#`)]: 1 }, { version });
      await pub.client.publishAsync(ctx.t(`o${version}/a`), `v${version}`, { qos: 1 });
      out[`v${version}`] = brief(await sub.settle(pub, ctx.t('sentinel')), ['payload', 'qos']);
      await Promise.all([pub.client.endAsync(), sub.client.endAsync()]);
    }
    return out;
  }),

  mqttScenario('clean session 0 resumes with queued QoS 1; clean session 1 discards [MQTT-3.1.2-4, MQTT-3.2.2-2]', 'MQTT 3.1.1 §3.1.2.4, §4.1', async (ctx) => {
    const t = ctx.t('session');
    const first = await ctx.client('persistent', { clean: false });
    await first.client.subscribeAsync({ [t]: { qos: 1 }, ...sentinelSub(ctx.t('sentinel')) });
    await first.client.endAsync();
    const pub = await ctx.client('pub');
    for (const [i, qos] of [1, 1, 0, 1].entries()) await pub.client.publishAsync(t, `s${i}-q${qos}`, { qos: qos as 0 | 1 });
    const resumed = await ctx.client('persistent', { clean: false });
    const queued = await resumed.settle(pub, ctx.t('sentinel'));
    await resumed.client.endAsync();
    const cleaned = await ctx.client('persistent', { clean: true });
    await cleaned.client.endAsync();
    const again = await ctx.client('persistent', { clean: false });
    return {
      first: first.connack.sessionPresent,
      resumed: resumed.connack.sessionPresent,
      queued: brief(queued, ['payload', 'qos']),
      cleanedSessionPresent: cleaned.connack.sessionPresent,
      afterClean: again.connack.sessionPresent,
    };
  }),

  mqttScenario('will published on abnormal close, not after DISCONNECT [MQTT-3.1.2-8, MQTT-3.1.2-10]', 'MQTT 3.1.1 §3.1.2.5', async (ctx) => {
    const watcher = await ctx.client('watcher');
    await watcher.client.subscribeAsync({ [ctx.t('will/#')]: { qos: 2 } });
    const will = (name: string): Partial<IConnectPacket> => ({
      clientId: ctx.id(name), keepalive: 60, will: { topic: ctx.t(`will/${name}`), payload: Buffer.from(`bye-${name}`), qos: 1, retain: false },
    });
    const { raw: graceful } = await ctx.raw(4, will('graceful'));
    await graceful.disconnect();
    const { raw: abrupt } = await ctx.raw(4, will('abrupt'));
    abrupt.destroy();
    await watcher.until((g) => g.some((m) => m.payload === 'bye-abrupt'), 'the will');
    const pub = await ctx.client('pub');
    await pub.client.publishAsync(ctx.t('will/sentinel'), '__sentinel__', { qos: 2 });
    await watcher.until((g) => g.some((m) => m.payload === '__sentinel__'), 'the sentinel');
    return { got: brief(watcher.got.filter((g) => g.payload !== '__sentinel__')) };
  }),

  mqttScenario('SUBSCRIBE with invalid filters: SUBACK 0x80/0x8F or disconnect [MQTT-4.7.1-2, MQTT-4.7.1-3]', 'MQTT 3.1.1 §4.7.1; MQTT 5 §3.9.3', async (ctx) => {
    const out: { [k: string]: Json } = {};
    for (const version of [4, 5] as const) {
      for (const filter of ['a/#/b', 'a/b#', 'a+/b', '#/a', 'ok/+/#']) {
        out[`v${version} ${filter}`] = await reaction(ctx, version, { cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: filter, qos: 1 }] }, true);
      }
    }
    return out;
  }),

  mqttScenario('PUBLISH to a wildcard topic closes the connection [MQTT-3.3.2-2]', 'MQTT 3.1.1 §3.3.2.1; MQTT 5 §3.3.2.1 (0x90)', async (ctx) => {
    const out: { [k: string]: Json } = {};
    for (const version of [4, 5] as const) {
      for (const topic of ['a/+', 'a/#']) {
        out[`v${version} ${topic}`] = await reaction(ctx, version, { cmd: 'publish', topic, payload: Buffer.from('x'), qos: 1, messageId: 1, retain: false, dup: false }, false);
      }
    }
    return out;
  }),

  mqttScenario('empty client id: clean=0 refused (CONNACK 2) in 3.1.1, assigned in 5 [MQTT-3.1.3-8, MQTT-3.2.2-4]', 'MQTT 3.1.1 §3.1.3.1; MQTT 5 §3.2.2.3.7', async (ctx) => {
    const v4persistent = await ctx.raw(4, { clientId: '', clean: true }, clearCleanFlag);
    const v4clean = await ctx.raw(4, { clientId: '', clean: true });
    const v5 = await emptyIdV5(ctx);
    return { v4persistent: v4persistent.connack, v4persistentThen: v4persistent.raw.closed ? 'closed' : await v4persistent.raw.untilClosed().then(() => 'closed', () => 'open'), v4clean: v4clean.connack, v5 };
  }),

  mqttScenario('session takeover: the older connection is closed [MQTT-3.1.4-2]', 'MQTT 3.1.1 §3.1.4; MQTT 5 §3.14.2.1 (0x8E)', async (ctx) => {
    const out: { [k: string]: Json } = {};
    for (const version of [4, 5] as const) {
      const id = ctx.id(`dup${version}`);
      const { raw: old } = await ctx.raw(version, { clientId: id });
      const { raw: next, connack } = await ctx.raw(version, { clientId: id });
      out[`v${version}`] = { old: await old.untilClosed(), newConnack: connack, newStillOpen: !next.closed };
    }
    return out;
  }),

  mqttScenario('QoS 2 end to end: PUBREC/PUBREL/PUBCOMP and no duplicate on re-sent PUBLISH [MQTT-4.3.3-1, MQTT-4.3.3-2]', 'MQTT 3.1.1 §4.3.3', async (ctx) => {
    const { raw: sub } = await ctx.raw(4, { clientId: ctx.id('sub') });
    sub.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: ctx.t('q2'), qos: 2 }] });
    const suback = await sub.next('suback');
    const { raw: pub } = await ctx.raw(4, { clientId: ctx.id('pub') });
    const publish = { cmd: 'publish', topic: ctx.t('q2'), payload: Buffer.from('exactly-once'), qos: 2, messageId: 7, retain: false, dup: false } as const;
    pub.send(publish);
    const pubrec1 = await pub.next();
    pub.send({ ...publish, dup: true });
    const pubrec2 = await pub.next();
    pub.send({ cmd: 'pubrel', messageId: 7 });
    const pubcomp = await pub.next();
    const delivered = await sub.next('publish');
    const subSide: Json[] = [delivered === 'closed' ? 'closed' : { cmd: delivered.cmd, qos: delivered.cmd === 'publish' ? delivered.qos : null, payload: delivered.cmd === 'publish' ? delivered.payload.toString() : null }];
    if (delivered !== 'closed' && delivered.cmd === 'publish') {
      sub.send({ cmd: 'pubrec', messageId: delivered.messageId });
      const pubrel = await sub.next();
      subSide.push(pubrel === 'closed' ? 'closed' : pubrel.cmd);
      sub.send({ cmd: 'pubcomp', messageId: delivered.messageId });
    }
    // A QoS 0 marker from the same publisher proves whether a second copy was queued before it.
    pub.send({ cmd: 'publish', topic: ctx.t('q2'), payload: Buffer.from('marker'), qos: 0, retain: false, dup: false });
    const after = await sub.next('publish');
    const id = (p: Packet | 'closed'): Json => (p === 'closed' ? 'closed' : { cmd: p.cmd, sameId: p.messageId === 7 });
    return {
      suback: suback === 'closed' ? 'closed' : suback.cmd,
      publisher: [id(pubrec1), id(pubrec2), id(pubcomp)],
      subscriber: subSide,
      nextAfterHandshake: after === 'closed' ? 'closed' : after.cmd === 'publish' ? after.payload.toString() : after.cmd,
    };
  }),

  mqttScenario('unacknowledged QoS 1 redelivered with DUP on session resume [MQTT-4.4.0-1, MQTT-3.3.1-1]', 'MQTT 3.1.1 §4.4', async (ctx) => {
    const id = ctx.id('redeliver');
    const { raw: first } = await ctx.raw(4, { clientId: id, clean: false });
    first.send({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: ctx.t('dup'), qos: 1 }] });
    await first.next('suback');
    const pub = await ctx.client('pub');
    await pub.client.publishAsync(ctx.t('dup'), 'unacked', { qos: 1 });
    const d1 = await first.next('publish');
    first.destroy();
    const { raw: second, connack } = await ctx.raw(4, { clientId: id, clean: false });
    const d2 = await second.next('publish');
    const view = (p: Packet | 'closed'): Json => (p === 'closed' || p.cmd !== 'publish' ? 'none' : { payload: p.payload.toString(), qos: p.qos, dup: p.dup });
    if (d2 !== 'closed' && d2.cmd === 'publish') second.send({ cmd: 'puback', messageId: d2.messageId });
    return { first: view(d1), connack, second: view(d2) };
  }),
];

/** v5 CONNACK for an empty client id: reason code and whether an id was assigned (its value is generated). */
async function emptyIdV5(ctx: MqttCtx): Promise<Json> {
  const { raw, connack } = await RawMqtt.open(ctx.url, 5, { clientId: '', clean: true });
  raw.destroy();
  if (connack === 'closed') return 'closed';
  return { code: connack.reasonCode ?? null, sessionPresent: connack.sessionPresent, assignedClientIdentifier: typeof connack.properties?.assignedClientIdentifier === 'string' };
}

/**
 * mqtt-packet refuses to generate CONNECT with an empty client id and clean=0, which is exactly the packet under
 * test; so generate it with clean=1 and clear the flag (bit 1 of the connect-flags byte, MQTT 3.1.1 §3.1.2.4).
 */
function clearCleanFlag(bytes: Buffer): Buffer {
  let i = 1;
  while ((bytes[i] & 0x80) !== 0) i++;
  const flagsAt = i + 1 + 2 + 4 + 1; // fixed header, protocol name length + "MQTT", level
  const out = Buffer.from(bytes);
  out[flagsAt] &= ~0x02;
  return out;
}
