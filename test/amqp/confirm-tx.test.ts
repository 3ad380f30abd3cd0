/**
 * Publisher confirms, transactions, and queue features reached through amqplib (DLX, TTL, max-length reject),
 * against a real in-process broker.
 */
import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { startBroker, waitFor, type InProcessBroker } from '../helpers/broker';
import { amqpUrl, channelErrorCode, Collector, expectCode } from './amqp-helpers';

let b: InProcessBroker;
let conn: ChannelModel;

beforeAll(async () => {
  b = await startBroker();
  conn = await amqp.connect(amqpUrl(b.ports.amqp));
  conn.on('error', () => undefined);
});

afterAll(async () => {
  await conn.close().catch(() => undefined);
  await b.stop();
});

async function channel(): Promise<Channel> {
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  return ch;
}

async function confirmChannel(): Promise<ConfirmChannel> {
  const ch = await conn.createConfirmChannel();
  ch.on('error', () => undefined);
  return ch;
}

function publishConfirmed(ch: ConfirmChannel, exchange: string, key: string, body: string, opts: amqp.Options.Publish = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    ch.publish(exchange, key, Buffer.from(body), opts, (err) => (err ? reject(err instanceof Error ? err : new Error('nack')) : resolve()));
  });
}

describe('publisher confirms (rabbitmq.com/docs/confirms)', () => {
  test('every publish is confirmed, in order, acks coalesced with multiple', async () => {
    const ch = await confirmChannel();
    const q = await ch.assertQueue('', { exclusive: true });
    const acks: { deliveryTag: number; multiple: boolean }[] = [];
    ch.on('ack', (f: { deliveryTag: number; multiple: boolean }) => acks.push(f));
    const n = 200;
    const all: Promise<void>[] = [];
    for (let i = 0; i < n; i++) all.push(publishConfirmed(ch, '', q.queue, `c${i}`, { persistent: true }));
    await Promise.all(all);
    await ch.waitForConfirms();
    // Tags count every publish on the channel; the highest acked tag is n.
    expect(Math.max(...acks.map((a) => a.deliveryTag))).toBe(n);
    // Coalescing: fewer ack frames than publishes (group commit settles many at once).
    expect(acks.length).toBeLessThan(n);
    // In order: tags strictly increase.
    for (let i = 1; i < acks.length; i++) expect(acks[i].deliveryTag).toBeGreaterThan(acks[i - 1].deliveryTag);
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(n);
  });

  test('unroutable mandatory publish: basic.return then ack', async () => {
    const ch = await confirmChannel();
    const events: string[] = [];
    ch.on('return', () => events.push('return'));
    await publishConfirmed(ch, 'amq.direct', 'nobody', 'r', { mandatory: true });
    events.push('ack');
    expect(events).toEqual(['return', 'ack']);
  });

  test('x-overflow reject-publish makes the broker nack', async () => {
    const ch = await confirmChannel();
    const q = await ch.assertQueue('', { exclusive: true, arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    await publishConfirmed(ch, '', q.queue, 'fits');
    await expect(publishConfirmed(ch, '', q.queue, 'overflows')).rejects.toBeTruthy();
  });
});

describe('transactions (RabbitMQ semantics)', () => {
  type TxChannel = Channel & { sendImmediately(method: number, fields: object): void };
  const TX_SELECT = 5898250;
  const TX_COMMIT = 5898260;
  const TX_ROLLBACK = 5898270;

  /** amqplib has no tx API; drive tx.* through its RPC helper and wait for the -ok. */
  function txRpc(ch: Channel, method: number): Promise<void> {
    const raw = ch as unknown as { _rpc(method: number, fields: object, expect: number, cb: (err: unknown) => void): void };
    return new Promise((resolve, reject) => raw._rpc(method, {}, method + 1, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())));
  }

  test('publishes are invisible until commit, discarded by rollback', async () => {
    const ch = (await channel()) as TxChannel;
    const q = await ch.assertQueue('', { exclusive: true });
    await txRpc(ch, TX_SELECT);
    ch.sendToQueue(q.queue, Buffer.from('t1'));
    ch.sendToQueue(q.queue, Buffer.from('t2'));
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(0);
    await txRpc(ch, TX_COMMIT);
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(2);
    ch.sendToQueue(q.queue, Buffer.from('t3'));
    await txRpc(ch, TX_ROLLBACK);
    await txRpc(ch, TX_COMMIT);
    expect((await ch.checkQueue(q.queue)).messageCount).toBe(2);
  });

  test('acks are applied at commit; rollback keeps the deliveries unacked', async () => {
    const setup = await channel();
    const q = await setup.assertQueue('tx-acks-q');
    await setup.purgeQueue(q.queue);
    setup.sendToQueue(q.queue, Buffer.from('a1'));
    await waitFor(async () => (await setup.checkQueue(q.queue)).messageCount === 1, 5000, 'message');
    const ch = (await channel()) as TxChannel;
    await txRpc(ch, TX_SELECT);
    const m = await ch.get(q.queue);
    if (m === false) throw new Error('expected a message');
    ch.ack(m);
    await txRpc(ch, TX_ROLLBACK);
    // Rolled back: still unacked, so acking again is legal and commit applies it.
    ch.ack(m);
    await txRpc(ch, TX_COMMIT);
    await ch.close();
    expect((await setup.checkQueue(q.queue)).messageCount).toBe(0);
    await setup.deleteQueue(q.queue);
  });

  test('a publish to a missing exchange inside a transaction is 404 at once, as RabbitMQ', async () => {
    const ch = await channel();
    await txRpc(ch, TX_SELECT);
    const closed = new Promise<number>((resolve) => ch.once('error', (err: { code: number }) => resolve(err.code)));
    ch.publish('tx-no-such-exchange', 'k', Buffer.from('x'));
    // No tx.commit is sent: the channel must close on the publish itself.
    expect(await closed).toBe(404);
  });

  test('tx.commit on a non-transactional channel is 406', async () => {
    const ch = await channel();
    expect(await expectCode(txRpc(ch, TX_COMMIT))).toBe(406);
  });
});

describe('queue features through AMQP', () => {
  test('dead-lettering on reject and on per-queue TTL', async () => {
    const ch = await channel();
    await ch.assertExchange('dlx-x', 'fanout', { autoDelete: true });
    const dead = await ch.assertQueue('', { exclusive: true });
    await ch.bindQueue(dead.queue, 'dlx-x', '');
    const src = await ch.assertQueue('', { exclusive: true, arguments: { 'x-dead-letter-exchange': 'dlx-x' } });
    const ttl = await ch.assertQueue('', { exclusive: true, arguments: { 'x-dead-letter-exchange': 'dlx-x', 'x-message-ttl': 50 } });
    ch.sendToQueue(src.queue, Buffer.from('rejected'));
    ch.sendToQueue(ttl.queue, Buffer.from('expired'));
    let m: Awaited<ReturnType<Channel['get']>> = false;
    await waitFor(async () => (m = await ch.get(src.queue)) !== false, 5000, 'message in source');
    ch.reject(m as unknown as amqp.Message, false);
    const col = new Collector();
    await ch.consume(dead.queue, col.onMessage, { noAck: true });
    await col.waitFor(2);
    expect(col.bodies().sort()).toEqual(['expired', 'rejected']);
    const death = col.messages[0].properties.headers?.['x-death'] as unknown;
    expect(Array.isArray(death)).toBe(true);
  });

  test('per-message expiration drops a message nobody consumed in time', async () => {
    const ch = await channel();
    const q = await ch.assertQueue('', { exclusive: true });
    ch.sendToQueue(q.queue, Buffer.from('short'), { expiration: '20' });
    ch.sendToQueue(q.queue, Buffer.from('long'));
    await waitFor(async () => (await ch.checkQueue(q.queue)).messageCount >= 1, 5000, 'messages');
    await new Promise((r) => setTimeout(r, 60)); // lets the 20 ms TTL pass: time itself is what is tested
    const m = await ch.get(q.queue, { noAck: true });
    expect(m !== false && m.content.toString()).toBe('long');
  });

  test('consumer priority x-priority and exclusive consume', async () => {
    const ch = await channel();
    const q = await ch.assertQueue('', { exclusive: true });
    await ch.consume(q.queue, () => undefined, { exclusive: true });
    const ch2 = await channel();
    const code = await expectCode(ch2.consume(q.queue, () => undefined, { arguments: { 'x-priority': 5 } }));
    expect(code).toBe(403);
  });
});
