/**
 * AMQP 0-9-1 conformance scenarios (RabbitMQ is the reference). Each is a function (url) → Observation; see
 * observation.ts. Names carry the spec section or RabbitMQ doc they check.
 */
import amqp, { type Channel, type ChannelModel, type ConsumeMessage } from 'amqplib';
import { replyCode, uniqueName, type Observation, type Scenario } from './observation';

async function withChannel<T>(url: string, fn: (ch: Channel, conn: ChannelModel) => Promise<T>): Promise<T> {
  const conn = await amqp.connect(url);
  conn.on('error', () => undefined);
  try {
    const ch = await conn.createChannel();
    ch.on('error', () => undefined);
    return await fn(ch, conn);
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function failure(p: Promise<unknown>): Promise<number | string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return replyCode(err);
  }
}

function firstDeliveries(ch: Channel, queue: string, n: number, opts: amqp.Options.Consume = {}): Promise<ConsumeMessage[]> {
  return new Promise((resolve, reject) => {
    const got: ConsumeMessage[] = [];
    const timer = setTimeout(() => reject(new Error(`only ${got.length} of ${n} deliveries`)), 10_000);
    void ch.consume(queue, (m) => {
      if (m === null) return;
      got.push(m);
      if (got.length === n) {
        clearTimeout(timer);
        resolve(got.slice());
      }
    }, opts);
  });
}

export const scenarios: Record<string, Scenario> = {
  async 'spec-1.4.2-handshake-server-properties'(url): Promise<Observation> {
    const conn = await amqp.connect(url);
    const props = conn.connection.serverProperties as unknown as Record<string, unknown>;
    const caps = (props.capabilities ?? {}) as Record<string, unknown>;
    await conn.close();
    return {
      scenario: 'spec-1.4.2-handshake-server-properties', ref: 'AMQP 0-9-1 §1.4.2.1; rabbitmq.com/docs/connections#capabilities',
      facts: {
        capabilities: ['publisher_confirms', 'exchange_exchange_bindings', 'basic.nack', 'consumer_cancel_notify',
          'connection.blocked', 'authentication_failure_close', 'per_consumer_qos', 'direct_reply_to'].filter((c) => caps[c] === true),
      },
    };
  },

  async 'spec-1.7.2.1-queue-declare-passive-missing'(url) {
    const code = await withChannel(url, (ch) => failure(ch.checkQueue(uniqueName('missing'))));
    return { scenario: 'spec-1.7.2.1-queue-declare-passive-missing', ref: 'AMQP 0-9-1 §1.7.2.1 passive', facts: { code } };
  },

  async 'rabbit-reserved-amq-prefix'(url) {
    const queue = await withChannel(url, (ch) => failure(ch.assertQueue('amq.conformance')));
    const exchange = await withChannel(url, (ch) => failure(ch.assertExchange('amq.conformance', 'direct')));
    return { scenario: 'rabbit-reserved-amq-prefix', ref: 'rabbit_channel check_name', facts: { queue, exchange } };
  },

  async 'spec-1.8.3.9-publish-mandatory-no-route'(url) {
    return withChannel(url, async (ch) => {
      const returned = new Promise<{ replyCode: number; body: string }>((resolve) => ch.once('return', (m: ConsumeMessage & { fields: { replyCode: number } }) =>
        resolve({ replyCode: m.fields.replyCode, body: m.content.toString() })));
      ch.publish('amq.direct', uniqueName('nokey'), Buffer.from('returned'), { mandatory: true });
      return { scenario: 'spec-1.8.3.9-publish-mandatory-no-route', ref: 'AMQP 0-9-1 §1.8.3.9 basic.return', facts: await returned };
    });
  },

  async 'spec-1.8.3.13-ack-unknown-delivery-tag'(url) {
    return withChannel(url, async (ch) => {
      const closed = new Promise<number | string>((resolve) => ch.once('error', (e: unknown) => resolve(replyCode(e))));
      ch.ack({ fields: { deliveryTag: 42 } } as never);
      return { scenario: 'spec-1.8.3.13-ack-unknown-delivery-tag', ref: 'rabbitmq.com/docs/confirms#consumer-acks-double-acking', facts: { code: await closed } };
    });
  },

  async 'rabbit-publish-missing-exchange'(url) {
    return withChannel(url, async (ch) => {
      const closed = new Promise<number | string>((resolve) => ch.once('error', (e: unknown) => resolve(replyCode(e))));
      ch.publish(uniqueName('noexchange'), 'k', Buffer.from('x'));
      return { scenario: 'rabbit-publish-missing-exchange', ref: 'rabbit_channel basic.publish', facts: { code: await closed } };
    });
  },

  async 'spec-1.8.3.3-consume-deliver-order-and-redelivery'(url) {
    return withChannel(url, async (ch) => {
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      for (let i = 0; i < 3; i++) ch.sendToQueue(q, Buffer.from(`m${i}`));
      const first = await firstDeliveries(ch, q, 3);
      const order = first.map((m) => m.content.toString());
      ch.nack(first[0], false, true);
      await new Promise((r) => setTimeout(r, 50));
      const got = await ch.checkQueue(q);
      return {
        scenario: 'spec-1.8.3.3-consume-deliver-order-and-redelivery', ref: 'AMQP 0-9-1 §1.8.3.3, §1.8.3.14',
        facts: { order, tags: first.map((m) => m.fields.deliveryTag), queued: got.messageCount },
      };
    });
  },

  async 'rabbit-qos-prefetch-per-consumer'(url) {
    return withChannel(url, async (ch) => {
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      for (let i = 0; i < 5; i++) ch.sendToQueue(q, Buffer.from(`p${i}`));
      await ch.prefetch(2);
      await firstDeliveries(ch, q, 2);
      await new Promise((r) => setTimeout(r, 100));
      const ready = (await ch.checkQueue(q)).messageCount;
      return { scenario: 'rabbit-qos-prefetch-per-consumer', ref: 'rabbitmq.com/docs/consumer-prefetch', facts: { ready } };
    });
  },

  async 'rabbit-confirms-ack-all'(url) {
    const conn = await amqp.connect(url);
    try {
      const ch = await conn.createConfirmChannel();
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      let acked = 0;
      await Promise.all(Array.from({ length: 20 }, (_, i) => new Promise<void>((resolve, reject) =>
        ch.sendToQueue(q, Buffer.from(`c${i}`), {}, (err) => {
          if (err) reject(err instanceof Error ? err : new Error('nack'));
          else {
            acked++;
            resolve();
          }
        }))));
      return { scenario: 'rabbit-confirms-ack-all', ref: 'rabbitmq.com/docs/confirms#publisher-confirms', facts: { acked, queued: (await ch.checkQueue(q)).messageCount } };
    } finally {
      await conn.close();
    }
  },

  async 'rabbit-direct-reply-to'(url) {
    return withChannel(url, async (ch) => {
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      await ch.consume(q, (m) => {
        if (m !== null) ch.sendToQueue(m.properties.replyTo as string, Buffer.from(`re:${m.content.toString()}`));
      }, { noAck: true });
      const reply = new Promise<string>((resolve) => {
        void ch.consume('amq.rabbitmq.reply-to', (m) => m && resolve(m.content.toString()), { noAck: true }).then(() =>
          ch.sendToQueue(q, Buffer.from('ping'), { replyTo: 'amq.rabbitmq.reply-to' }));
      });
      return { scenario: 'rabbit-direct-reply-to', ref: 'rabbitmq.com/docs/direct-reply-to', facts: { reply: await reply } };
    });
  },

  async 'rabbit-dead-letter-on-reject'(url) {
    return withChannel(url, async (ch) => {
      const dlx = uniqueName('dlx');
      await ch.assertExchange(dlx, 'fanout', { autoDelete: true });
      const dead = (await ch.assertQueue('', { exclusive: true })).queue;
      await ch.bindQueue(dead, dlx, '');
      const src = (await ch.assertQueue('', { exclusive: true, arguments: { 'x-dead-letter-exchange': dlx } })).queue;
      ch.sendToQueue(src, Buffer.from('dl'));
      const [m] = await firstDeliveries(ch, src, 1);
      ch.reject(m, false);
      const [d] = await firstDeliveries(ch, dead, 1, { noAck: true });
      const death = (d.properties.headers?.['x-death'] as { reason?: string; count?: number }[] | undefined)?.[0];
      await ch.deleteExchange(dlx);
      return { scenario: 'rabbit-dead-letter-on-reject', ref: 'rabbitmq.com/docs/dlx', facts: { body: d.content.toString(), reason: death?.reason, count: Number(death?.count) } };
    });
  },

  async 'rabbit-exclusive-queue-other-connection'(url) {
    return withChannel(url, async (ch) => {
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      const code = await withChannel(url, (other) => failure(other.consume(q, () => undefined)));
      return { scenario: 'rabbit-exclusive-queue-other-connection', ref: 'AMQP 0-9-1 §1.7.2.1 exclusive', facts: { code } };
    });
  },

  async 'spec-1.8.3.10-get-ok-message-count'(url) {
    return withChannel(url, async (ch) => {
      const q = (await ch.assertQueue('', { exclusive: true })).queue;
      for (let i = 0; i < 3; i++) ch.sendToQueue(q, Buffer.from(`g${i}`));
      await ch.checkQueue(q);
      const m = await ch.get(q, { noAck: true });
      const empty = await ch.get(q + '', { noAck: true }).then(() => ch.get(q, { noAck: true })).then(() => ch.get(q, { noAck: true }));
      return {
        scenario: 'spec-1.8.3.10-get-ok-message-count', ref: 'AMQP 0-9-1 §1.8.3.10 basic.get-ok message-count',
        facts: { body: m === false ? null : m.content.toString(), remaining: m === false ? null : m.fields.messageCount, empty },
      };
    });
  },

  async 'rabbit-requeue-on-channel-close'(url) {
    const conn = await amqp.connect(url);
    try {
      const q = uniqueName('requeue');
      const ch1 = await conn.createChannel();
      await ch1.assertQueue(q, { autoDelete: false });
      ch1.sendToQueue(q, Buffer.from('r'));
      const [first] = await firstDeliveries(ch1, q, 1);
      await ch1.close();
      const ch2 = await conn.createChannel();
      const [again] = await firstDeliveries(ch2, q, 1, { noAck: true });
      const deleted = await ch2.deleteQueue(q);
      return {
        scenario: 'rabbit-requeue-on-channel-close', ref: 'rabbitmq.com/docs/confirms#automatic-requeueing',
        facts: { first: first.fields.redelivered, again: again.fields.redelivered, body: again.content.toString(), left: deleted.messageCount },
      };
    } finally {
      await conn.close();
    }
  },

  async 'spec-1.7.2.9-queue-delete-message-count'(url) {
    return withChannel(url, async (ch) => {
      const q = uniqueName('delcount');
      await ch.assertQueue(q);
      for (let i = 0; i < 4; i++) ch.sendToQueue(q, Buffer.from(`d${i}`));
      await ch.checkQueue(q);
      const ifEmpty = await withChannel(url, (other) => failure(other.deleteQueue(q, { ifEmpty: true })));
      const deleted = await ch.deleteQueue(q);
      return { scenario: 'spec-1.7.2.9-queue-delete-message-count', ref: 'AMQP 0-9-1 §1.7.2.9 queue.delete', facts: { ifEmpty, count: deleted.messageCount } };
    });
  },
};
