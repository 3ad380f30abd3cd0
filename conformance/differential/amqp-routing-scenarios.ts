/**
 * AMQP 0-9-1 differential scenarios about exchanges and publishing: returns, missing exchanges, reserved names,
 * alternate exchanges, exchange-to-exchange bindings, headers and topic matching, transactions, confirms and
 * server-initiated consumer cancellation. RabbitMQ 3.10 is the reference.
 */
import type { Channel, ConfirmChannel, Message } from 'amqplib';
import {
  amqpScenario, channelClosed, drainGet, outcome, publishConfirmed, type AmqpCtx,
} from './amqp-client';
import { withDeadline } from './deadline';
import { toJson } from './names';
import type { Json, Scenario } from './types';

/**
 * amqplib has no tx API; its channel's generic rpc sends raw methods. Method ids are class << 16 | method
 * (AMQP 0-9-1 §4.2.5.3): tx is class 90, select/commit/rollback are 10/20/30 and their -ok is +1.
 */
interface RpcChannel {
  rpc(method: number, fields: Record<string, never>, expect: number): Promise<unknown>;
}
const TX_CLASS_ID = 90;
const TX_METHOD_IDS = { select: 10, commit: 20, rollback: 30 } as const;

function tx(ch: Channel, op: keyof typeof TX_METHOD_IDS): Promise<unknown> {
  const id = (TX_CLASS_ID << 16) | TX_METHOD_IDS[op];
  return (ch as unknown as RpcChannel).rpc(id, {}, id + 1);
}

/** Declares one transient queue per name and returns them. */
async function queues(ctx: AmqpCtx, ch: Channel, names: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) {
    const q = ctx.q(n);
    await ch.assertQueue(q, { durable: false });
    out.push(q);
  }
  return out;
}

async function bodies(ch: Channel, q: string): Promise<string[]> {
  return (await drainGet(ch, q)).map((d) => d.body);
}

function returned(ch: ConfirmChannel, log: Json[]): void {
  ch.on('return', (m: Message) => {
    const f = m.fields as unknown as Record<string, unknown>;
    log.push({ event: 'return', replyCode: toJson(f.replyCode), replyText: toJson(f.replyText), exchange: m.fields.exchange, routingKey: m.fields.routingKey, body: m.content.toString() });
  });
}

export const routingScenarios: Scenario[] = [
  amqpScenario('basic.publish mandatory unroutable → basic.return 312 before the confirm', 'AMQP 0-9-1 §1.8.3.9 basic.return; rabbitmq.com/docs/confirms#when-publishes-are-confirmed', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const log: Json[] = [];
    returned(ch, log);
    for (const [ex, key, mandatory] of [['amq.direct', ctx.p, true], ['', ctx.q('nobody'), true], ['amq.direct', ctx.p, false]] as const) {
      log.push({ event: await publishConfirmed(ch, ex, key, `${ex || 'default'}-${mandatory}`, { mandatory }) });
    }
    return { log };
  }),

  amqpScenario('basic.publish to a missing exchange → 404 channel close', 'AMQP 0-9-1 §1.8.3.7 basic.publish; NOT_FOUND', async (ctx) => {
    const conn = await ctx.connect();
    const ch = await ctx.channel(conn);
    const closed = channelClosed(ch);
    ch.publish(ctx.x('missing'), 'k', Buffer.from('x'));
    return { code: await closed, connectionStillOpen: await outcome((await ctx.channel(conn)).checkExchange('amq.direct')) };
  }),

  amqpScenario('queue.bind / unbind on the default exchange → 403', 'rabbitmq.com/docs/exchanges#default-exchange; ACCESS_REFUSED', async (ctx) => {
    const conn = await ctx.connect();
    const [q] = await queues(ctx, await ctx.channel(conn), ['default-bind']);
    return {
      bind: await outcome((await ctx.channel(conn)).bindQueue(q, '', 'k')),
      unbind: await outcome((await ctx.channel(conn)).unbindQueue(q, '', q)),
      deleteDefault: await outcome((await ctx.channel(conn)).deleteExchange('')),
      publishDefault: await publishConfirmed(await ctx.confirmChannel(conn), '', q, 'ok'),
    };
  }),

  amqpScenario('amq.* names are reserved → 403; passive use allowed', 'AMQP 0-9-1 §1.7.1.1 exchange.declare reserved names; rabbitmq.com/docs/queues#names', async (ctx) => {
    const conn = await ctx.connect();
    const attempt = async (op: (ch: Channel) => Promise<unknown>): Promise<Json> => outcome(op(await ctx.channel(conn)));
    return {
      declareExchange: await attempt((ch) => ch.assertExchange(`amq.${ctx.p}`, 'direct', { durable: false })),
      declareQueue: await attempt((ch) => ch.assertQueue(`amq.${ctx.p}`, { durable: false })),
      redeclareAmqDirect: await attempt((ch) => ch.assertExchange('amq.direct', 'direct', { durable: true })),
      deleteAmqDirect: await attempt((ch) => ch.deleteExchange('amq.direct')),
      passiveAmqTopic: await attempt((ch) => ch.checkExchange('amq.topic')),
      passiveAmqHeaders: await attempt((ch) => ch.checkExchange('amq.headers')),
      passiveAmqMatch: await attempt((ch) => ch.checkExchange('amq.match')),
    };
  }),

  amqpScenario('exchange.declare with another type → 406; exchange.delete if-unused → 406', 'AMQP 0-9-1 §1.7.1.1, §1.7.1.3', async (ctx) => {
    const conn = await ctx.connect();
    const ch = await ctx.channel(conn);
    const x = ctx.x('typed');
    await ch.assertExchange(x, 'direct', { durable: false });
    const [q] = await queues(ctx, ch, ['bound']);
    await ch.bindQueue(q, x, 'k');
    return {
      otherType: await outcome((await ctx.channel(conn)).assertExchange(x, 'fanout', { durable: false })),
      otherDurable: await outcome((await ctx.channel(conn)).assertExchange(x, 'direct', { durable: true })),
      sameAgain: await outcome((await ctx.channel(conn)).assertExchange(x, 'direct', { durable: false })),
      deleteIfUnused: await outcome((await ctx.channel(conn)).deleteExchange(x, { ifUnused: true })),
      deleteMissing: await outcome((await ctx.channel(conn)).deleteExchange(ctx.x('never'))),
      // Last, on its own connection: RabbitMQ closes the whole connection for an unknown exchange type.
      unknownType: await ctx.alone((ch) => ch.assertExchange(ctx.x('odd'), 'x-no-such-type', { durable: false })),
    };
  }),

  amqpScenario('alternate-exchange receives what the exchange cannot route', 'rabbitmq.com/docs/ae', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const log: Json[] = [];
    returned(ch, log);
    const ae = ctx.x('ae');
    const main = ctx.x('main');
    await ch.assertExchange(ae, 'fanout', { durable: false });
    await ch.assertExchange(main, 'direct', { durable: false, alternateExchange: ae });
    const [routed, unrouted] = await queues(ctx, ch, ['routed', 'unrouted']);
    await ch.bindQueue(routed, main, 'k');
    await ch.bindQueue(unrouted, ae, '');
    for (const [key, mandatory] of [['k', false], ['other', false], ['other', true]] as const) log.push(await publishConfirmed(ch, main, key, `${key}-${mandatory}`, { mandatory }));
    return { log, routed: await bodies(ch, routed), unrouted: await bodies(ch, unrouted) };
  }),

  amqpScenario('exchange.bind: exchange-to-exchange routing and unbind', 'rabbitmq.com/docs/e2e', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const src = ctx.x('src');
    const dst = ctx.x('dst');
    await ch.assertExchange(src, 'topic', { durable: false });
    await ch.assertExchange(dst, 'direct', { durable: false });
    const [q] = await queues(ctx, ch, ['e2e']);
    await ch.bindQueue(q, dst, 'a.b');
    await ch.bindExchange(dst, src, 'a.*');
    for (const k of ['a.b', 'a.c', 'x.b']) await publishConfirmed(ch, src, k, `${k}-bound`);
    await ch.unbindExchange(dst, src, 'a.*');
    await publishConfirmed(ch, src, 'a.b', 'a.b-unbound');
    return { got: await bodies(ch, q), bindMissingSource: await outcome((await ctx.channel()).bindExchange(dst, ctx.x('nope'), '#')) };
  }),

  amqpScenario('headers exchange x-match all / any matrix', 'AMQP 0-9-1 §3.1.3.3 headers exchange; rabbitmq.com/docs/exchanges#headers', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const x = ctx.x('headers');
    await ch.assertExchange(x, 'headers', { durable: false });
    const [all, any, empty] = await queues(ctx, ch, ['all', 'any', 'empty']);
    await ch.bindQueue(all, x, '', { 'x-match': 'all', a: 1, b: 'two' });
    await ch.bindQueue(any, x, '', { 'x-match': 'any', a: 1, b: 'two' });
    await ch.bindQueue(empty, x, '', { 'x-match': 'all' });
    const cases: Array<[string, Record<string, unknown>]> = [
      ['both', { a: 1, b: 'two' }], ['both+extra', { a: 1, b: 'two', c: 3 }], ['only-a', { a: 1 }], ['only-b', { b: 'two' }],
      ['a-wrong', { a: 2, b: 'two' }], ['a-as-string', { a: '1', b: 'two' }], ['none', {}], ['x-prefixed', { 'x-a': 1 }],
    ];
    for (const [name, headers] of cases) await publishConfirmed(ch, x, '', name, { headers });
    return { all: await bodies(ch, all), any: await bodies(ch, any), empty: await bodies(ch, empty) };
  }),

  amqpScenario('topic exchange wildcard matrix (* and #)', 'AMQP 0-9-1 §3.1.3.2 topic exchange; rabbitmq.com/tutorials/tutorial-five', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const x = ctx.x('topic');
    await ch.assertExchange(x, 'topic', { durable: false });
    const patterns = ['#', '*', 'a', 'a.*', 'a.#', '*.b', 'a.*.c', '#.c', 'a.#.c', '*.*', '#.#', 'a.b.#'];
    const keys = ['', 'a', 'a.b', 'a.b.c', 'a.x.y.c', 'b', 'a..c', 'c', '.', 'a.b.c.d'];
    const qs = await queues(ctx, ch, patterns.map((_, i) => `t${i}`));
    for (const [i, p] of patterns.entries()) await ch.bindQueue(qs[i], x, p);
    for (const k of keys) await publishConfirmed(ch, x, k, k === '' ? '<empty>' : k);
    const matrix: { [p: string]: Json } = {};
    for (const [i, p] of patterns.entries()) matrix[p] = await bodies(ch, qs[i]);
    return matrix;
  }),

  amqpScenario('tx.select / commit / rollback: publishes visible only after commit', 'AMQP 0-9-1 §1.9 tx class', async (ctx) => {
    const conn = await ctx.connect();
    const ch = await ctx.channel(conn);
    const observer = await ctx.channel(conn);
    const [q] = await queues(ctx, observer, ['tx']);
    await tx(ch, 'select');
    ch.sendToQueue(q, Buffer.from('t0'));
    ch.sendToQueue(q, Buffer.from('t1'));
    const beforeCommit = (await observer.checkQueue(q)).messageCount;
    await tx(ch, 'commit');
    const afterCommit = (await observer.checkQueue(q)).messageCount;
    ch.sendToQueue(q, Buffer.from('t2'));
    await tx(ch, 'rollback');
    const afterRollback = (await observer.checkQueue(q)).messageCount;
    const commitWithoutSelect = await outcome(tx(await ctx.channel(conn), 'commit'));
    return { beforeCommit, afterCommit, afterRollback, bodies: await bodies(observer, q), commitWithoutSelect };
  }),

  amqpScenario('confirm.select: every publish confirmed exactly once, in order', 'rabbitmq.com/docs/confirms#publisher-confirms (multiple flag)', async (ctx) => {
    const ch = await ctx.confirmChannel();
    const [q] = await queues(ctx, ch, ['confirms']);
    const confirmed = new Map<number, number>();
    let highest = 0;
    let ordered = true;
    ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => {
      if (f.deliveryTag < highest) ordered = false;
      const from = f.multiple ? highest + 1 : f.deliveryTag;
      for (let t = from; t <= f.deliveryTag; t++) confirmed.set(t, (confirmed.get(t) ?? 0) + 1);
      highest = Math.max(highest, f.deliveryTag);
    });
    const total = 50;
    for (let i = 0; i < total; i++) ch.sendToQueue(q, Buffer.from(`c${i}`));
    await withDeadline(ch.waitForConfirms(), 'all confirms');
    const onceEach = [...confirmed.values()].every((n) => n === 1);
    return { confirmedTags: confirmed.size, highest, onceEach, ordered, queued: (await ch.checkQueue(q)).messageCount };
  }),

  amqpScenario('queue deleted under a consumer → server basic.cancel', 'rabbitmq.com/docs/consumer-cancel', async (ctx) => {
    const conn = await ctx.connect();
    const consumer = await ctx.channel(conn);
    const [q] = await queues(ctx, consumer, ['cancelled']);
    const cancelled = withDeadline(new Promise<boolean>((resolve) => {
      void consumer.consume(q, (m) => m === null && resolve(true));
    }), 'basic.cancel from the server');
    await consumer.checkQueue(q);
    const deleted = await (await ctx.channel()).deleteQueue(q);
    return {
      deleteOkMessageCount: deleted.messageCount,
      cancelled: await cancelled,
      channelStillOpen: await outcome(consumer.checkExchange('amq.direct')),
      queueGone: await outcome((await ctx.channel(conn)).checkQueue(q)),
    };
  }),

  amqpScenario('direct reply-to: amq.rabbitmq.reply-to round trip and its preconditions', 'rabbitmq.com/docs/direct-reply-to', async (ctx) => {
    const conn = await ctx.connect();
    const server = await ctx.channel(conn);
    const [q] = await queues(ctx, server, ['rpc']);
    await server.consume(q, (m) => {
      if (m !== null) server.sendToQueue(String(m.properties.replyTo), Buffer.from(`re:${m.content.toString()}`), { correlationId: m.properties.correlationId as string });
    }, { noAck: true });
    const client = await ctx.channel(conn);
    const reply = withDeadline(new Promise<Json>((resolve) => {
      void client.consume('amq.rabbitmq.reply-to', (m) => m && resolve({ body: m.content.toString(), correlationId: toJson(m.properties.correlationId), replyToPrefix: m.fields.routingKey.startsWith('amq.rabbitmq.reply-to') }), { noAck: true })
        .then(() => client.sendToQueue(q, Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' }));
    }), 'the direct reply');
    const publishWithoutConsumer = await (async () => {
      const ch = await ctx.channel(conn);
      const closed = channelClosed(ch);
      ch.sendToQueue(q, Buffer.from('orphan'), { replyTo: 'amq.rabbitmq.reply-to' });
      return closed;
    })();
    return {
      reply: await reply,
      consumeWithAck: await outcome((await ctx.channel(conn)).consume('amq.rabbitmq.reply-to', () => undefined, { noAck: false })),
      publishWithoutConsumer,
    };
  }),
];
