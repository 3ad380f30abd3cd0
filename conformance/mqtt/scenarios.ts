/**
 * MQTT conformance scenarios, runnable against any broker URL (polymq, Mosquitto, ...). Each scenario cites the
 * normative statements it checks and returns a short observable trace, so runs against two brokers can be
 * compared line by line (differential testing).
 */
import type { IClientOptions } from 'mqtt';
import type { Conn } from './client';

export interface ScenarioContext {
  url: string;
  /** Unique per run: topics and client ids start with it, so runs never see each other. */
  prefix: string;
  timeoutMs: number;
  connect(clientId: string, opts?: IClientOptions): Promise<Conn>;
}

export interface Scenario {
  name: string;
  spec: string[];
  run(ctx: ScenarioContext): Promise<string[]>;
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(what);
}

export const scenarios: Scenario[] = [
  {
    name: 'connect v3.1.1 and v5',
    spec: ['MQTT-3.2.2-1', 'MQTT-3.2.0-1'],
    async run(ctx) {
      const a = await ctx.connect('c4', { protocolVersion: 4 });
      const b = await ctx.connect('c5', { protocolVersion: 5 });
      check(a.connack.returnCode === 0 && b.connack.reasonCode === 0, 'CONNACK not success');
      return [`v4 rc=${a.connack.returnCode}`, `v5 rc=${b.connack.reasonCode}`];
    },
  },
  {
    name: 'QoS 0, 1, 2 round trip',
    spec: ['MQTT-4.3.1-1', 'MQTT-4.3.2-1', 'MQTT-4.3.3-1'],
    async run(ctx) {
      const sub = await ctx.connect('rt-sub');
      const pub = await ctx.connect('rt-pub');
      await sub.client.subscribeAsync(`${ctx.prefix}/rt/+`, { qos: 2 });
      for (const qos of [0, 1, 2] as const) await pub.client.publishAsync(`${ctx.prefix}/rt/q${qos}`, `m${qos}`, { qos });
      const got = await sub.waitFor(3, ctx.timeoutMs);
      const trace = got.map((g) => `${g.topic.slice(ctx.prefix.length)} ${g.payload} qos=${g.qos}`).sort();
      check(trace.length === 3, 'missing messages');
      return trace;
    },
  },
  {
    name: 'QoS downgraded to the subscription maximum',
    spec: ['MQTT-3.8.4-6'],
    async run(ctx) {
      const sub = await ctx.connect('dg-sub');
      const pub = await ctx.connect('dg-pub');
      await sub.client.subscribeAsync(`${ctx.prefix}/dg`, { qos: 0 });
      await pub.client.publishAsync(`${ctx.prefix}/dg`, 'x', { qos: 2 });
      const [g] = await sub.waitFor(1, ctx.timeoutMs);
      check(g.qos === 0, `delivered at qos ${g.qos}`);
      return [`qos=${g.qos}`];
    },
  },
  {
    name: 'wildcards + and #, $ topics not matched by a leading wildcard',
    spec: ['MQTT-4.7.1-2', 'MQTT-4.7.1-3', 'MQTT-4.7.2-1'],
    async run(ctx) {
      const sub = await ctx.connect('wc-sub');
      const pub = await ctx.connect('wc-pub');
      await sub.client.subscribeAsync([`${ctx.prefix}/wc/+/c`, `${ctx.prefix}/wc/h/#`, '+/wc-dollar'], { qos: 1 });
      await pub.client.publishAsync(`${ctx.prefix}/wc/b/c`, 'plus', { qos: 1 });
      await pub.client.publishAsync(`${ctx.prefix}/wc/h`, 'hash-parent', { qos: 1 });
      await pub.client.publishAsync(`${ctx.prefix}/wc/h/x/y`, 'hash-deep', { qos: 1 });
      await pub.client.publishAsync(`${ctx.prefix}/wc/b/c/d`, 'no', { qos: 1 });
      await pub.client.publishAsync('$x/wc-dollar', 'no-dollar', { qos: 1 });
      const got = await sub.drainUntilSentinel(pub.client, `${ctx.prefix}/wc/h/s`, ctx.timeoutMs);
      const trace = got.map((g) => g.payload).sort();
      check(JSON.stringify(trace) === JSON.stringify(['hash-deep', 'hash-parent', 'plus']), `got ${trace.join(',')}`);
      return trace;
    },
  },
  {
    name: 'retained message delivered on subscribe, cleared by an empty payload',
    spec: ['MQTT-3.3.1-6', 'MQTT-3.3.1-10', 'MQTT-3.3.1-11'],
    async run(ctx) {
      const pub = await ctx.connect('ret-pub');
      const topic = `${ctx.prefix}/ret`;
      await pub.client.publishAsync(topic, 'kept', { qos: 1, retain: true });
      const s1 = await ctx.connect('ret-s1');
      await s1.client.subscribeAsync(topic, { qos: 1 });
      const [g] = await s1.waitFor(1, ctx.timeoutMs);
      check(g.payload === 'kept' && g.retain, 'retained not delivered with retain flag');
      await pub.client.publishAsync(topic, '', { qos: 1, retain: true });
      const s2 = await ctx.connect('ret-s2');
      await s2.client.subscribeAsync(topic, { qos: 1 });
      const after = await s2.drainUntilSentinel(pub.client, topic, ctx.timeoutMs);
      check(after.length === 0, 'cleared retained message still delivered');
      return [`first=${g.payload} retain=${g.retain}`, `after-clear=${after.length}`];
    },
  },
  {
    name: 'persistent session: session present and offline QoS 1 messages',
    spec: ['MQTT-3.1.2-4', 'MQTT-3.2.2-2', 'MQTT-3.1.2-5'],
    async run(ctx) {
      const a = await ctx.connect('ps', { clean: false });
      await a.client.subscribeAsync(`${ctx.prefix}/ps`, { qos: 1 });
      await a.end();
      const pub = await ctx.connect('ps-pub');
      await pub.client.publishAsync(`${ctx.prefix}/ps`, 'offline', { qos: 1 });
      const b = await ctx.connect('ps', { clean: false });
      const [g] = await b.waitFor(1, ctx.timeoutMs);
      check(b.connack.sessionPresent, 'session not present');
      await b.end();
      const c = await ctx.connect('ps', { clean: true });
      check(!c.connack.sessionPresent, 'clean session reported a session');
      return [`present=${b.connack.sessionPresent}`, `got=${g.payload}`, `after-clean=${c.connack.sessionPresent}`];
    },
  },
  {
    name: 'will message on an ungraceful close; takeover closes the old connection',
    spec: ['MQTT-3.1.2-8', 'MQTT-3.1.4-2'],
    async run(ctx) {
      const watch = await ctx.connect('will-w');
      await watch.client.subscribeAsync(`${ctx.prefix}/will`, { qos: 1 });
      const victim = await ctx.connect('will-v', { will: { topic: `${ctx.prefix}/will`, payload: Buffer.from('bye'), qos: 1, retain: false } });
      const closed = new Promise<void>((resolve) => victim.client.once('close', () => resolve()));
      // A second connection with the same client id takes over; the first one is closed by the broker.
      await ctx.connect('will-v');
      await closed;
      const [g] = await watch.waitFor(1, ctx.timeoutMs);
      return ['old closed', `will=${g.payload}`];
    },
  },
  {
    name: 'ordered delivery of QoS 1 messages on one topic',
    spec: ['MQTT-4.6.0-5', 'MQTT-4.6.0-6'],
    async run(ctx) {
      const sub = await ctx.connect('ord-sub');
      const pub = await ctx.connect('ord-pub');
      await sub.client.subscribeAsync(`${ctx.prefix}/ord`, { qos: 1 });
      const sent = Array.from({ length: 25 }, (_, i) => `m${i}`);
      await Promise.all(sent.map((m) => pub.client.publishAsync(`${ctx.prefix}/ord`, m, { qos: 1 })));
      const got = (await sub.waitFor(sent.length, ctx.timeoutMs)).map((g) => g.payload);
      check(JSON.stringify(got) === JSON.stringify(sent), `out of order: ${got.join(',')}`);
      return [`${got.length} in order`];
    },
  },
  {
    name: 'unsubscribe stops delivery; clean session discards the stored session',
    spec: ['MQTT-3.10.4-1', 'MQTT-3.1.2-6'],
    async run(ctx) {
      const pub = await ctx.connect('un-pub');
      const sub = await ctx.connect('un-sub');
      await sub.client.subscribeAsync(`${ctx.prefix}/un/+`, { qos: 1 });
      await sub.client.subscribeAsync(`${ctx.prefix}/un/keep`, { qos: 1 });
      await sub.client.unsubscribeAsync(`${ctx.prefix}/un/+`);
      await pub.client.publishAsync(`${ctx.prefix}/un/gone`, 'gone', { qos: 1 });
      const seen = await sub.drainUntilSentinel(pub.client, `${ctx.prefix}/un/keep`, ctx.timeoutMs);
      check(seen.length === 0, 'delivered after unsubscribe');
      const a = await ctx.connect('cs', { clean: false });
      await a.client.subscribeAsync(`${ctx.prefix}/cs`, { qos: 1 });
      await a.end();
      const b = await ctx.connect('cs', { clean: true });
      await b.end();
      await pub.client.publishAsync(`${ctx.prefix}/cs`, 'lost', { qos: 1 });
      const c = await ctx.connect('cs', { clean: false });
      check(!c.connack.sessionPresent, 'session survived a clean session');
      await c.client.subscribeAsync(`${ctx.prefix}/cs`, { qos: 1 });
      const after = await c.drainUntilSentinel(pub.client, `${ctx.prefix}/cs`, ctx.timeoutMs);
      check(after.length === 0, 'message queued for a discarded session');
      return ['after-unsubscribe=0', `present=${c.connack.sessionPresent}`, 'after-clean=0'];
    },
  },
  {
    name: 'retained message QoS is capped by the subscription',
    spec: ['MQTT-3.3.1-6', 'MQTT-3.8.4-6'],
    async run(ctx) {
      const pub = await ctx.connect('rq-pub');
      await pub.client.publishAsync(`${ctx.prefix}/rq`, 'r', { qos: 1, retain: true });
      const s0 = await ctx.connect('rq-s0');
      await s0.client.subscribeAsync(`${ctx.prefix}/rq`, { qos: 0 });
      const [g] = await s0.waitFor(1, ctx.timeoutMs);
      await pub.client.publishAsync(`${ctx.prefix}/rq`, '', { qos: 1, retain: true });
      check(g.qos === 0 && g.retain, `qos=${g.qos} retain=${g.retain}`);
      return [`qos=${g.qos}`, `retain=${g.retain}`];
    },
  },
  {
    name: 'v5: no-local, subscription identifier, shared subscription',
    spec: ['MQTT-3.8.3-3', 'MQTT-3.3.4-3', 'MQTT-4.8.2-1'],
    async run(ctx) {
      const v5 = { protocolVersion: 5 as const };
      const me = await ctx.connect('nl', v5);
      await me.client.subscribeAsync(`${ctx.prefix}/nl`, { qos: 1, nl: true, properties: { subscriptionIdentifier: 42 } });
      const other = await ctx.connect('nl-o', v5);
      await me.client.publishAsync(`${ctx.prefix}/nl`, 'mine', { qos: 1 });
      await other.client.publishAsync(`${ctx.prefix}/nl`, 'theirs', { qos: 1 });
      const [g] = await me.waitFor(1, ctx.timeoutMs);
      check(g.payload === 'theirs', 'no-local violated');
      const subId = g.packet.properties?.subscriptionIdentifier;
      check(subId === 42 || (Array.isArray(subId) && subId.includes(42)), 'subscription identifier missing');
      const m1 = await ctx.connect('sh1', v5);
      const m2 = await ctx.connect('sh2', v5);
      for (const m of [m1, m2]) await m.client.subscribeAsync(`$share/${ctx.prefix.replace(/\//g, '_')}/${ctx.prefix}/sh`, { qos: 1 });
      for (let i = 0; i < 10; i++) await other.client.publishAsync(`${ctx.prefix}/sh`, `s${i}`, { qos: 1 });
      const deadline = Date.now() + ctx.timeoutMs;
      while (m1.messages.length + m2.messages.length < 10 && Date.now() < deadline) {
        await Promise.race([m1.waitFor(m1.messages.length + 1, 200), m2.waitFor(m2.messages.length + 1, 200)]).catch(() => undefined);
      }
      check(m1.messages.length + m2.messages.length === 10, 'shared subscription lost or duplicated messages');
      return [`nl=${g.payload}`, `subId=42`, `shared total=${m1.messages.length + m2.messages.length}`];
    },
  },
];
