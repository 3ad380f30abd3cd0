/**
 * In-memory mode (QueueDeps.inMemory, what the vhost uses for non-durable queues): messages stay objects from
 * enqueue to settlement and nothing is appended to the log, with the same queue semantics as the log-backed mode.
 */
import { xDeathEntries } from '../../../src/core/queue/dead-letter';
import { consumer, makeQueue, msg, publish, range } from './helpers';

/** Small body cache limits: in-memory mode must not depend on them (there is no log to read back from). */
const SMALL_CACHE = { readyCacheMessagesMax: 2, readyCacheBytesMax: 16, logReadBatchRecordsMax: 2 };

describe('classic queue, in-memory mode', () => {
  test('enqueue resolves at once; nothing is appended to the log; bodies beyond the cache limits are delivered', async () => {
    const t = makeQueue({ inMemory: true, queueLimits: SMALL_CACHE });
    const bodies = range(20);
    await publish(t.q, bodies, { deliveryMode: 1 });
    expect(t.store.log('queue:/:q').nextOffset()).toBe(0);
    expect(t.q.messageCount()).toBe(20);
    expect(t.q.messageBytes()).toBe(bodies.join('').length);
    const c = consumer('c');
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(bodies);
    expect(c.deliveries.map((d) => d.offset)).toEqual(bodies.map((_, i) => i));
    t.q.ack(c.deliveries.map((d) => d.id));
    expect(t.q.unackedCount()).toBe(0);
    expect(t.q.messageCount()).toBe(0);
  });

  test('a durable queue ignores inMemory (its messages must reach the log)', async () => {
    const t = makeQueue({ inMemory: true, durable: true });
    await publish(t.q, ['a', 'b']);
    expect(t.store.log('queue:/:q').nextOffset()).toBe(2);
  });

  test('nack with requeue and a closed owner bring the message back, body and all, redelivered, in order', async () => {
    const t = makeQueue({ inMemory: true, queueLimits: SMALL_CACHE });
    await publish(t.q, range(6));
    const a = consumer('a', { prefetch: 3, owner: 'conn-a' });
    t.q.consume(a.spec);
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2']);
    t.q.nack([a.deliveries[1].id], true);
    t.q.cancel('a');
    t.q.ownerClosed('conn-a'); // m0, m2 back to their places
    const b = consumer('b');
    t.q.consume(b.spec);
    expect(b.bodies()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    expect(b.deliveries.map((d) => d.redelivered)).toEqual([true, true, true, false, false, false]);
  });

  test('nack without requeue dead-letters the body; basic.get with and without ack', async () => {
    const t = makeQueue({ inMemory: true, args: { 'x-dead-letter-exchange': 'dlx' } });
    await publish(t.q, ['x', 'y', 'z']);
    const d = t.q.get(false, 'o');
    expect(d?.message.body.toString()).toBe('x');
    t.q.nack([d?.id ?? -1], false);
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['x']);
    expect(xDeathEntries(t.deadLettered[0])[0].reason).toBe('rejected');
    expect(t.q.get(true, 'o')?.message.body.toString()).toBe('y');
    expect(t.q.unackedCount()).toBe(0);
    expect(t.q.messageCount()).toBe(1);
  });

  test('TTL expiry and max-length drop-head dead-letter with bodies', async () => {
    const t = makeQueue({
      inMemory: true,
      args: { 'x-message-ttl': 1000, 'x-max-length': 2, 'x-overflow': 'drop-head', 'x-dead-letter-exchange': 'dlx' },
    });
    await publish(t.q, ['a', 'b', 'c']);
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['a']);
    expect(xDeathEntries(t.deadLettered[0])[0].reason).toBe('maxlen');
    await t.q.enqueue(msg('short', { expiration: '10' }));
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['a', 'b']);
    t.clock.advance(1000);
    expect(t.q.messageCount()).toBe(0);
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['a', 'b', 'c', 'short']);
    expect(xDeathEntries(t.deadLettered[2])[0].reason).toBe('expired');
  });

  test('priorities, purge and delete', async () => {
    const t = makeQueue({ inMemory: true, args: { 'x-max-priority': 5 } });
    await t.q.enqueue(msg('low', { priority: 1 }));
    await t.q.enqueue(msg('high', { priority: 5 }));
    await t.q.enqueue(msg('mid', { priority: 3 }));
    expect(t.q.get(true, 'o')?.message.body.toString()).toBe('high');
    expect(t.q.purge()).toBe(2);
    expect(t.q.messageCount()).toBe(0);
    await publish(t.q, ['again']);
    const c = consumer('c');
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['again']);
    expect(t.q.delete()).toBe(0);
    expect(c.cancelledReasons).toEqual(['queue-deleted']);
  });

  test('x-overflow reject-publish refuses when full', async () => {
    const t = makeQueue({ inMemory: true, args: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } });
    await publish(t.q, ['a']);
    await expect(t.q.enqueue(msg('b'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
    expect(t.q.messageCount()).toBe(1);
  });
});
