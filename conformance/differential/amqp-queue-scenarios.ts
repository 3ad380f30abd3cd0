/**
 * AMQP 0-9-1 differential scenarios about queues: declaration equivalence, exclusivity, delete/purge/get counts,
 * acknowledgement errors, requeue order, dead-lettering, TTL, max-length, priorities, prefetch.
 * RabbitMQ 3.10 is the reference; each scenario names the spec section or RabbitMQ doc it exercises.
 */
import type { Channel, ConfirmChannel, GetMessage, Message, Options } from 'amqplib';
import {
  amqpScenario, channelClosed, collect, delivery, drainGet, outcome, publishConfirmed,
} from './amqp-client';
import { pollUntil, withDeadline } from './deadline';
import { omit, toJson } from './names';
import type { Json, Scenario } from './types';

async function fill(ch: ConfirmChannel, queue: string, bodies: string[]): Promise<Json[]> {
  const acks: Json[] = [];
  for (const b of bodies) acks.push(await publishConfirmed(ch, '', queue, b));
  return acks;
}

/** Polls basic.get on `ch` until a message is there (dead-lettering is asynchronous). */
function mustGet(ch: Channel, queue: string): Promise<GetMessage> {
  return pollUntil(async () => {
    const m = await ch.get(queue, { noAck: false });
    return m === false ? undefined : m;
  }, `a message in ${queue}`);
}

/** The dead-lettering headers, without x-death's timestamp (the only non-deterministic field). */
function deathHeaders(m: Message): { [key: string]: Json } {
  const h = (m.properties.headers ?? {}) as Record<string, unknown>;
  const deaths = Array.isArray(h['x-death']) ? (h['x-death'] as unknown[]) : [];
  return {
    xDeath: deaths.map((d) => omit(toJson(d), ['time'])),
    firstReason: toJson(h['x-first-death-reason']),
    firstQueue: toJson(h['x-first-death-queue']),
    firstExchange: toJson(h['x-first-death-exchange']),
    app: toJson(h.app),
  };
}

export const queueScenarios: Scenario[] = [
  amqpScenario('queue.declare redeclare with different properties → 406', 'AMQP 0-9-1 §1.7.2.1 queue.declare; rabbitmq.com/docs/queues#property-equivalence', async (ctx) => {
    const q = ctx.q('redeclare');
    const conn = await ctx.connect();
    const args = { 'x-max-length': 5 };
    await (await ctx.channel(conn)).assertQueue(q, { durable: false, arguments: args });
    const attempt = async (opts: Options.AssertQueue): Promise<Json> =>
      outcome((await ctx.channel(conn)).assertQueue(q, opts));
    return {
      identical: await attempt({ durable: false, arguments: args }),
      otherArgValue: await attempt({ durable: false, arguments: { 'x-max-length': 6 } }),
      argOmitted: await attempt({ durable: false }),
      argAdded: await attempt({ durable: false, arguments: { ...args, 'x-message-ttl': 1000 } }),
      otherDurable: await attempt({ durable: true, arguments: args }),
      otherAutoDelete: await attempt({ durable: false, autoDelete: true, arguments: args }),
      passive: await outcome((await ctx.channel(conn)).checkQueue(q)),
    };
  }),

  amqpScenario('queue.declare / exchange.declare passive on a missing name → 404', 'AMQP 0-9-1 §1.7.2.1 passive, §1.7.1.1', async (ctx) => {
    const conn = await ctx.connect();
    return {
      queue: await outcome((await ctx.channel(conn)).checkQueue(ctx.q('missing'))),
      exchange: await outcome((await ctx.channel(conn)).checkExchange(ctx.x('missing'))),
      connectionStillOpen: await outcome((await ctx.channel(conn)).checkExchange('amq.direct')),
    };
  }),

  amqpScenario('exclusive queue used from another connection → 405', 'AMQP 0-9-1 §1.7.2.1 exclusive; RESOURCE_LOCKED', async (ctx) => {
    const q = ctx.q('exclusive');
    const owner = await ctx.channel();
    await owner.assertQueue(q, { exclusive: true, durable: false });
    const other = await ctx.connect();
    const publisher = await ctx.confirmChannel(other);
    return {
      passiveDeclare: await outcome((await ctx.channel(other)).checkQueue(q)),
      declare: await outcome((await ctx.channel(other)).assertQueue(q, { exclusive: true, durable: false })),
      consume: await outcome((await ctx.channel(other)).consume(q, () => undefined)),
      get: await outcome((await ctx.channel(other)).get(q)),
      purge: await outcome((await ctx.channel(other)).purgeQueue(q)),
      bind: await outcome((await ctx.channel(other)).bindQueue(q, 'amq.fanout', '')),
      delete: await outcome((await ctx.channel(other)).deleteQueue(q)),
      publishFromOther: await publishConfirmed(publisher, '', q, 'x'),
      ownerSees: (await owner.checkQueue(q)).messageCount,
    };
  }),

  amqpScenario('queue.delete if-unused / if-empty → 406; delete-ok message-count', 'AMQP 0-9-1 §1.7.2.9 queue.delete', async (ctx) => {
    const conn = await ctx.connect();
    const used = ctx.q('used');
    const full = ctx.q('full');
    const setup = await ctx.confirmChannel(conn);
    await setup.assertQueue(used, { durable: false });
    await setup.assertQueue(full, { durable: false });
    await setup.consume(used, () => undefined);
    await fill(setup, full, ['a', 'b']);
    const ifUnused = await outcome((await ctx.channel(conn)).deleteQueue(used, { ifUnused: true }));
    const ifEmpty = await outcome((await ctx.channel(conn)).deleteQueue(full, { ifEmpty: true }));
    const ch = await ctx.channel(conn);
    const deleted = await ch.deleteQueue(full);
    const missing = await outcome(ch.deleteQueue(ctx.q('never-declared')));
    return { ifUnused, ifEmpty, deleteOkMessageCount: deleted.messageCount, deleteMissing: missing };
  }),

  amqpScenario('queue.purge counts ready messages only; unacked survive', 'AMQP 0-9-1 §1.7.2.7 queue.purge', async (ctx) => {
    const q = ctx.q('purge');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    await fill(ch, q, ['p0', 'p1', 'p2', 'p3']);
    const held = await ch.get(q, { noAck: false });
    const first = (await ch.purgeQueue(q)).messageCount;
    const second = (await ch.purgeQueue(q)).messageCount;
    if (held !== false) ch.nack(held, false, true);
    const after = drainGet(ch, q);
    return { first, second, afterRequeue: await after };
  }),

  amqpScenario('basic.get message-count and get-empty', 'AMQP 0-9-1 §1.8.3.10 basic.get-ok message-count', async (ctx) => {
    const q = ctx.q('get');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    await fill(ch, q, ['g0', 'g1', 'g2']);
    return { gets: await drainGet(ch, q), missing: await outcome((await ctx.channel()).get(ctx.q('nope'))) };
  }),

  amqpScenario('basic.nack/reject requeue: position and redelivered flag', 'AMQP 0-9-1 §1.8.3.14 redelivered; rabbitmq.com/docs/confirms#consumer-nacks-requeue', async (ctx) => {
    const q = ctx.q('requeue');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    await fill(ch, q, ['m0', 'm1', 'm2', 'm3', 'm4']);
    const got: GetMessage[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await ch.get(q, { noAck: false });
      if (m !== false) got.push(m);
    }
    ch.nack(got[1], false, true);
    ch.reject(got[0], true);
    const partial = await drainGet(ch, q);
    ch.ack(got[2]);
    await fill(ch, q, ['n0', 'n1', 'n2']);
    const again: GetMessage[] = [];
    for (let i = 0; i < 3; i++) {
      const m = await ch.get(q, { noAck: false });
      if (m !== false) again.push(m);
    }
    ch.nack(again[2], true, true);
    return { partial, multiple: await drainGet(ch, q) };
  }),

  amqpScenario('basic.reject to a DLX: x-death count, reason, queue across a cycle', 'rabbitmq.com/docs/dlx#effects', async (ctx) => {
    const src = ctx.q('src');
    const dead = ctx.q('dead');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(src, { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
    await ch.assertQueue(dead, { durable: false, arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': src } });
    await publishConfirmed(ch, '', src, 'dl', { headers: { app: 'h1' } });
    const hops: Json[] = [];
    for (const from of [src, dead, src]) {
      const m = await mustGet(ch, from);
      hops.push({ redelivered: m.fields.redelivered, routingKey: m.fields.routingKey, exchange: m.fields.exchange, ...deathHeaders(m) });
      ch.reject(m, false);
    }
    const last = await mustGet(ch, dead);
    hops.push({ redelivered: last.fields.redelivered, routingKey: last.fields.routingKey, ...deathHeaders(last) });
    ch.ack(last);
    return { hops };
  }),

  amqpScenario('x-message-ttl and per-message expiration dead-letter with reason expired', 'rabbitmq.com/docs/ttl; rabbitmq.com/docs/dlx', async (ctx) => {
    const dead = ctx.q('dead');
    const queueTtl = ctx.q('queue-ttl');
    const msgTtl = ctx.q('msg-ttl');
    const ch = await ctx.confirmChannel();
    const dlx = { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead };
    await ch.assertQueue(dead, { durable: false });
    await ch.assertQueue(queueTtl, { durable: false, arguments: { ...dlx, 'x-message-ttl': 30 } });
    await ch.assertQueue(msgTtl, { durable: false, arguments: dlx });
    const dlq = await ctx.channel();
    const both = collect(dlq, dead, 2, { noAck: true });
    await publishConfirmed(ch, '', queueTtl, 'by-queue');
    await publishConfirmed(ch, '', msgTtl, 'by-message', { expiration: '30' });
    const got = (await both).sort((a, b) => a.content.toString().localeCompare(b.content.toString()));
    return {
      dead: got.map((m) => ({ ...delivery(m), expiration: toJson(m.properties.expiration), ...deathHeaders(m) })),
      leftInSources: [(await ch.checkQueue(queueTtl)).messageCount, (await ch.checkQueue(msgTtl)).messageCount],
    };
  }),

  amqpScenario('x-max-length overflow drop-head dead-letters the oldest (reason maxlen)', 'rabbitmq.com/docs/maxlength#overflow-behaviour', async (ctx) => {
    const dead = ctx.q('dead');
    const q = ctx.q('bounded');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(dead, { durable: false });
    await ch.assertQueue(q, { durable: false, arguments: { 'x-max-length': 2, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': dead } });
    const acks = await fill(ch, q, ['m0', 'm1', 'm2', 'm3']);
    const dropped = await collect(await ctx.channel(), dead, 2, { noAck: true });
    return {
      acks,
      kept: await drainGet(ch, q),
      dropped: dropped.map((m) => ({ body: m.content.toString(), reason: toJson(m.properties.headers?.['x-first-death-reason']) })),
    };
  }),

  amqpScenario('x-overflow reject-publish nacks publishes beyond x-max-length', 'rabbitmq.com/docs/maxlength#overflow-behaviour', async (ctx) => {
    const q = ctx.q('reject-publish');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-max-length': 2, 'x-overflow': 'reject-publish' } });
    const confirms = await fill(ch, q, ['r0', 'r1', 'r2', 'r3']);
    const kept = await drainGet(ch, q);
    const afterRoom = await fill(ch, q, ['r4']);
    return { confirms, kept, afterRoom, count: (await ch.checkQueue(q)).messageCount };
  }),

  amqpScenario('basic.ack of an unknown delivery tag → 406', 'AMQP 0-9-1 §1.8.3.13 basic.ack; PRECONDITION_FAILED', async (ctx) => {
    const ch = await ctx.channel();
    const closed = channelClosed(ch);
    ch.ack({ fields: { deliveryTag: 42 } } as Message);
    return { code: await closed };
  }),

  amqpScenario('basic.ack twice (double ack) → 406, first ack kept', 'rabbitmq.com/docs/confirms#consumer-acks-double-acking', async (ctx) => {
    const q = ctx.q('double');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    await fill(ch, q, ['d0', 'd1']);
    const m = await ch.get(q, { noAck: false });
    const closed = channelClosed(ch);
    if (m !== false) {
      ch.ack(m);
      ch.ack(m);
    }
    const code = await closed;
    const other = await ctx.channel();
    return { code, remaining: await drainGet(other, q) };
  }),

  amqpScenario('basic.qos prefetch-count bounds unacked deliveries', 'AMQP 0-9-1 §1.8.3.1 basic.qos; rabbitmq.com/docs/consumer-prefetch', async (ctx) => {
    const q = ctx.q('prefetch');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    await fill(ch, q, ['q0', 'q1', 'q2', 'q3', 'q4']);
    const consumer = await ctx.channel();
    await consumer.prefetch(2);
    const got: Message[] = [];
    let wake: () => void = () => undefined;
    await consumer.consume(q, (m) => {
      if (m === null) return;
      got.push(m);
      wake();
    });
    const until = (n: number): Promise<void> => withDeadline(new Promise<void>((resolve) => {
      wake = () => got.length >= n && resolve();
      wake();
    }), `${n} deliveries`);
    await until(2);
    const readyAtTwo = (await ch.checkQueue(q)).messageCount;
    consumer.ack(got[0]);
    await until(3);
    const readyAfterAck = (await ch.checkQueue(q)).messageCount;
    consumer.ack(got[2], true);
    await until(5);
    return { order: got.map((m) => m.content.toString()), readyAtTwo, readyAfterAck };
  }),

  amqpScenario('x-max-priority orders ready messages by priority, FIFO within one', 'rabbitmq.com/docs/priority', async (ctx) => {
    const q = ctx.q('priority');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-max-priority': 5 } });
    const prios: Array<number | undefined> = [1, 5, undefined, 3, 5, 0, 9, 3];
    for (const [i, p] of prios.entries()) await publishConfirmed(ch, '', q, `p${p ?? 'none'}-${i}`, p === undefined ? {} : { priority: p });
    return { order: (await drainGet(ch, q)).map((d) => d.body) };
  }),

  amqpScenario('basic.consume exclusive → 403 for other consumers', 'AMQP 0-9-1 §1.8.3.3 exclusive; ACCESS_REFUSED', async (ctx) => {
    const q = ctx.q('exclusive-consumer');
    const conn = await ctx.connect();
    const a = await ctx.channel(conn);
    await a.assertQueue(q, { durable: false });
    await a.consume(q, () => undefined, { exclusive: true });
    const b = await ctx.channel();
    const c = await ctx.channel();
    await c.assertQueue(ctx.q('shared'), { durable: false });
    await c.consume(ctx.q('shared'), () => undefined);
    return {
      secondConsumer: await outcome(b.consume(q, () => undefined)),
      exclusiveOnBusyQueue: await outcome((await ctx.channel()).consume(ctx.q('shared'), () => undefined, { exclusive: true })),
    };
  }),

  amqpScenario('one consumer tag on two channels and two connections of one queue; reused on one channel → 530', 'AMQP 0-9-1 §1.8.3.3 consumer-tag is channel-scoped; NOT_ALLOWED', async (ctx) => {
    const q = ctx.q('same-tag');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    const conn = await ctx.connect();
    const channels = [await ctx.channel(conn), await ctx.channel(conn), await ctx.channel()];
    const seen: string[] = [];
    let notify: () => void = () => undefined;
    const consumes: Json[] = [];
    for (const [i, c] of channels.entries()) {
      consumes.push(await outcome(c.consume(q, (m) => m && (seen.push(`${i}`), notify()), { consumerTag: 'worker', noAck: true })));
    }
    await fill(ch, q, ['t0', 't1', 't2']);
    await withDeadline(new Promise<void>((resolve) => {
      notify = () => seen.length >= 3 && resolve();
      notify();
    }), '3 deliveries');
    // Cancelling 'worker' on one channel leaves the others consuming.
    await channels[0].cancel('worker');
    await fill(ch, q, ['t3', 't4']);
    await withDeadline(new Promise<void>((resolve) => {
      notify = () => seen.length >= 5 && resolve();
      notify();
    }), '5 deliveries');
    const reuse = await ctx.alone(async (c) => {
      await c.consume(q, () => undefined, { consumerTag: 'twice' });
      await c.consume(q, () => undefined, { consumerTag: 'twice' });
    });
    return { consumes, eachChannelServed: [...new Set(seen.slice(0, 3))].sort(), afterCancel: seen.slice(3).includes('0'), reuse };
  }),

  amqpScenario('x-single-active-consumer: one consumer gets everything until it cancels', 'rabbitmq.com/docs/consumers#single-active-consumer', async (ctx) => {
    const q = ctx.q('sac');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false, arguments: { 'x-single-active-consumer': true } });
    const seen: Json[] = [];
    const a = await ctx.channel();
    const b = await ctx.channel();
    let notify: () => void = () => undefined;
    const tagA = (await a.consume(q, (m) => m && (seen.push(`A:${m.content.toString()}`), notify()), { noAck: true })).consumerTag;
    await b.consume(q, (m) => m && (seen.push(`B:${m.content.toString()}`), notify()), { noAck: true });
    const until = (n: number): Promise<void> => withDeadline(new Promise<void>((resolve) => {
      notify = () => seen.length >= n && resolve();
      notify();
    }), `${n} deliveries`);
    await fill(ch, q, ['s0', 's1']);
    await until(2);
    await a.cancel(tagA);
    await fill(ch, q, ['s2']);
    await until(3);
    return { seen };
  }),

  amqpScenario('basic.recover requeue redelivers unacked with redelivered=true', 'AMQP 0-9-1 §1.8.3.16 basic.recover', async (ctx) => {
    const q = ctx.q('recover');
    const ch = await ctx.confirmChannel();
    await ch.assertQueue(q, { durable: false });
    await fill(ch, q, ['v0', 'v1']);
    const consumer = await ctx.channel();
    const first = await collect(consumer, q, 2);
    const again: Message[] = [];
    const redelivered = withDeadline(new Promise<void>((resolve) => consumer.on('delivery', (m: Message) => {
      again.push(m);
      if (again.length === 2) resolve();
    })), 'redeliveries');
    await consumer.recover();
    await redelivered;
    return { first: first.map(delivery), again: again.map(delivery) };
  }),

  amqpScenario('x-queue-type stream: x-stream-offset first / next, ack mode required', 'rabbitmq.com/docs/streams#consuming', async (ctx) => {
    const q = ctx.q('stream');
    const ch = await ctx.confirmChannel();
    const declare = { durable: true, arguments: { 'x-queue-type': 'stream' } };
    const nonDurable = await outcome((await ctx.channel()).assertQueue(ctx.q('stream-transient'), { durable: false, arguments: { 'x-queue-type': 'stream' } }));
    await ch.assertQueue(q, declare);
    await fill(ch, q, ['s0', 's1', 's2']);
    const firstCh = await ctx.channel();
    await firstCh.prefetch(10);
    const fromFirst = await collect(firstCh, q, 3, { arguments: { 'x-stream-offset': 'first' } });
    const nextCh = await ctx.channel();
    await nextCh.prefetch(10);
    const fromNext = collect(nextCh, q, 1, { arguments: { 'x-stream-offset': 'next' } });
    // A consume-ok round trip on the same connection does not prove the consumer is attached at "next" in
    // every broker, so publish after a further round trip on the consumer's channel.
    await nextCh.checkQueue(q);
    await fill(ch, q, ['s3']);
    return {
      nonDurable,
      first: fromFirst.map((m) => ({ body: m.content.toString(), offset: toJson(m.properties.headers?.['x-stream-offset']) })),
      next: (await fromNext).map((m) => ({ body: m.content.toString(), offset: toJson(m.properties.headers?.['x-stream-offset']) })),
      noAckConsume: await outcome((await ctx.channel()).consume(q, () => undefined, { noAck: true })),
      withoutPrefetch: await outcome((await ctx.channel()).consume(q, () => undefined)),
      get: await ctx.alone((c) => c.get(q)),
    };
  }),

  amqpScenario('queue.declare argument validation → 406 for bad types and values', 'rabbitmq.com/docs/queues#optional-arguments; rabbit_amqqueue argument checks', async (ctx) => {
    const conn = await ctx.connect();
    const cases: Array<[string, Record<string, unknown>]> = [
      ['ttlNegative', { 'x-message-ttl': -1 }], ['ttlString', { 'x-message-ttl': 'soon' }], ['maxLengthNegative', { 'x-max-length': -1 }],
      ['overflowUnknown', { 'x-overflow': 'explode' }], ['expiresZero', { 'x-expires': 0 }], ['priorityTooHigh', { 'x-max-priority': 256 }],
      ['queueTypeUnknown', { 'x-queue-type': 'teacup' }], ['dlxNotString', { 'x-dead-letter-exchange': 5 }], ['unknownArgIgnored', { 'x-polymq-nonsense': 1 }],
    ];
    const out: { [k: string]: Json } = {};
    for (const [name, args] of cases) out[name] = await outcome((await ctx.channel(conn)).assertQueue(ctx.q(name), { durable: false, arguments: args }));
    return out;
  }),

  amqpScenario('basic.consume with a consumer tag already in use → 530 connection close', 'AMQP 0-9-1 §1.8.3.3 consumer-tag; NOT_ALLOWED', async (ctx) => {
    const conn = await ctx.connect();
    const ch = await ctx.channel(conn);
    const q = ctx.q('tagged');
    await ch.assertQueue(q, { durable: false });
    await ch.consume(q, () => undefined, { consumerTag: 'same-tag' });
    const connClosed = new Promise<string>((resolve) => conn.once('error', (e: unknown) => resolve(`connection:${String((e as { code?: unknown }).code)}`)));
    const second = await outcome(ch.consume(q, () => undefined, { consumerTag: 'same-tag' }));
    const otherChannel = await outcome((await ctx.channel()).consume(q, () => undefined, { consumerTag: 'same-tag' }));
    return { sameChannel: second === 'no-code' ? await withDeadline(connClosed, 'connection close') : second, otherChannel };
  }),

  amqpScenario('auto-delete queue removed after its last consumer cancels', 'AMQP 0-9-1 §1.7.2.1 auto-delete; rabbitmq.com/docs/queues#properties', async (ctx) => {
    const q = ctx.q('auto');
    const ch = await ctx.channel();
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    const stillThereBeforeConsumers = await outcome((await ctx.channel()).checkQueue(q));
    const a = await ch.consume(q, () => undefined);
    const b = await ch.consume(q, () => undefined);
    await ch.cancel(a.consumerTag);
    const afterFirstCancel = await outcome((await ctx.channel()).checkQueue(q));
    await ch.cancel(b.consumerTag);
    const gone = await pollUntil(async () => {
      const code = await outcome((await ctx.channel()).checkQueue(q));
      return code === 'ok' ? undefined : code;
    }, 'the auto-delete queue to go');
    return { stillThereBeforeConsumers, afterFirstCancel, afterLastCancel: gone };
  }),

  amqpScenario('basic.qos global=true limits unacked deliveries across all consumers of the channel', 'rabbitmq.com/docs/consumer-prefetch (RabbitMQ reinterprets the global flag)', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const qs = [ctx.q('g1'), ctx.q('g2')];
    for (const q of qs) {
      await ch.assertQueue(q, { durable: false });
      await fill(ch, q, ['a', 'b', 'c']);
    }
    const ready = async (): Promise<number> => (await ch.checkQueue(qs[0])).messageCount + (await ch.checkQueue(qs[1])).messageCount;
    const consumer = await ctx.channel();
    const got: Message[] = [];
    let notify: () => void = () => undefined;
    const until = (n: number): Promise<void> => withDeadline(new Promise<void>((resolve) => {
      notify = () => got.length >= n && resolve();
      notify();
    }), `${n} deliveries`);
    await consumer.prefetch(2, true);
    for (const q of qs) await consumer.consume(q, (m) => m && (got.push(m), notify()));
    await until(2);
    const readyWithChannelLimit = await ready();
    consumer.ack(got[0]);
    await until(3);
    const readyAfterOneAck = await ready();
    return { readyWithChannelLimit, readyAfterOneAck };
  }),

  amqpScenario('server-named queue: amq.gen- prefix, declare-ok counts', 'AMQP 0-9-1 §1.7.2.1 queue name; rabbitmq.com/docs/queues#server-named-queues', async (ctx) => {
    const ch = await ctx.channel();
    const ok = await ch.assertQueue('', { exclusive: true });
    const again = await outcome(ch.checkQueue(ok.queue));
    return { queue: ok.queue.replace(/^amq\.gen-.*$/, 'amq.gen-*'), messageCount: ok.messageCount, consumerCount: ok.consumerCount, passive: again };
  }),

  amqpScenario('basic.publish with an invalid expiration → 406', 'rabbitmq.com/docs/ttl#per-message-ttl-in-publishers', async (ctx) => {
    const conn = await ctx.connect();
    const q = ctx.q('exp');
    await (await ctx.channel(conn)).assertQueue(q, { durable: false });
    const attempt = async (expiration: string): Promise<Json> => {
      const ch = await ctx.confirmChannel(conn);
      const closed = channelClosed(ch);
      closed.catch(() => undefined);
      // amqplib nacks pending confirms when the channel closes, so a nack here means "closed": wait for the code.
      const confirm = await publishConfirmed(ch, '', q, `e${expiration}`, { expiration });
      return { confirm, channel: confirm === 'nack' ? await closed : await outcome(ch.checkQueue(q)) };
    };
    return { word: await attempt('soon'), negative: await attempt('-1'), zero: await attempt('0'), count: (await (await ctx.channel(conn)).checkQueue(q)).messageCount };
  }),
];
