import { xDeathEntries } from '../../../src/core/queue/dead-letter';
import { consumer, makeQueue, msg, publish, range } from './helpers';

describe('classic queue: x-max-length / x-max-length-bytes with x-overflow', () => {
  test('drop-head (default) drops the oldest ready messages, dead-lettered with reason maxlen', async () => {
    const t = makeQueue({ args: { 'x-max-length': 3, 'x-dead-letter-exchange': 'dlx' } });
    await publish(t.q, range(5));
    expect(t.q.messageCount()).toBe(3);
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['m0', 'm1']);
    expect(xDeathEntries(t.deadLettered[0])[0].reason).toBe('maxlen');
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['m2', 'm3', 'm4']);
  });

  test('only ready messages count: unacked do not', async () => {
    const t = makeQueue({ args: { 'x-max-length': 1 } });
    const c = consumer('c', { prefetch: 2 });
    t.q.consume(c.spec);
    await publish(t.q, range(4));
    expect(c.bodies()).toEqual(['m0', 'm1']);
    expect(t.q.messageCount()).toBe(1);
    t.q.ack(c.deliveries.map((d) => d.id));
    expect(c.bodies()).toEqual(['m0', 'm1', 'm3']);
  });

  test('x-max-length-bytes counts body bytes', async () => {
    const t = makeQueue({ args: { 'x-max-length-bytes': 10 } });
    await publish(t.q, ['aaaa', 'bbbb', 'cccc']); // 12 bytes: drop the head
    expect(t.q.messageCount()).toBe(2);
    expect(t.q.messageBytes()).toBe(8);
    await publish(t.q, ['dddddddddddd']); // larger than the limit on its own: everything goes
    expect(t.q.messageCount()).toBe(0);
  });

  test('x-max-length 0 keeps nothing ready but still delivers to a waiting consumer', async () => {
    const t = makeQueue({ args: { 'x-max-length': 0 } });
    await publish(t.q, ['lost']);
    expect(t.q.messageCount()).toBe(0);
    const c = consumer('c');
    t.q.consume(c.spec);
    await publish(t.q, ['kept']);
    expect(c.bodies()).toEqual(['kept']);
  });

  test('reject-publish refuses new messages with LIMIT_EXCEEDED and keeps the old ones', async () => {
    const t = makeQueue({ args: { 'x-max-length': 2, 'x-overflow': 'reject-publish', 'x-dead-letter-exchange': 'dlx' } });
    await publish(t.q, ['a', 'b']);
    await expect(t.q.enqueue(msg('c'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(t.q.messageCount()).toBe(2);
    expect(t.deadLettered).toHaveLength(0);
    t.q.get(true, 'o');
    await t.q.enqueue(msg('d'));
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['b', 'd']);
  });

  test('reject-publish-dlx also dead-letters the refused message', async () => {
    const t = makeQueue({ args: { 'x-max-length-bytes': 3, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'over' } });
    await publish(t.q, ['abc']);
    await expect(t.q.enqueue(msg('x'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(t.deadLettered).toHaveLength(1);
    expect(t.deadLettered[0].body.toString()).toBe('x');
    expect(t.deadLettered[0].routingKey).toBe('over');
    expect(xDeathEntries(t.deadLettered[0])[0].reason).toBe('maxlen');
  });
});
