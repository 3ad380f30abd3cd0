import { isBrokerError } from '../../../src/core/errors';
import { consumer, makeQueue, msg, publish, range } from './helpers';

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return isBrokerError(err) ? err.code : 'not-a-broker-error';
  }
  return undefined;
}

describe('classic queue: delivery', () => {
  test('round-robin across consumers of equal priority', async () => {
    const { q } = makeQueue();
    const a = consumer('a');
    const b = consumer('b');
    const c = consumer('c');
    q.consume(a.spec);
    q.consume(b.spec);
    q.consume(c.spec);
    await publish(q, range(9));
    expect(a.bodies()).toEqual(['m0', 'm3', 'm6']);
    expect(b.bodies()).toEqual(['m1', 'm4', 'm7']);
    expect(c.bodies()).toEqual(['m2', 'm5', 'm8']);
    expect(q.messageCount()).toBe(0);
    expect(q.unackedCount()).toBe(9);
  });

  test('prefetch limits unacked deliveries; ack frees credit', async () => {
    const { q } = makeQueue();
    const a = consumer('a', { prefetch: 2 });
    q.consume(a.spec);
    await publish(q, range(5));
    expect(a.bodies()).toEqual(['m0', 'm1']);
    expect(q.messageCount()).toBe(3);
    q.ack([a.deliveries[0].id]);
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2']);
    q.ack([a.deliveries[1].id, a.deliveries[2].id]);
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(q.messageCount()).toBe(0);
  });

  test('canDeliver() false holds messages until resume()', async () => {
    const { q } = makeQueue();
    const a = consumer('a');
    a.open = false;
    q.consume(a.spec);
    await publish(q, range(3));
    expect(a.deliveries).toHaveLength(0);
    a.open = true;
    q.resume();
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2']);
  });

  test('higher priority consumers first; lower ones only while higher are blocked', async () => {
    const { q } = makeQueue();
    const low = consumer('low', { priority: 0 });
    const high = consumer('high', { priority: 5, prefetch: 2 });
    q.consume(low.spec);
    q.consume(high.spec);
    await publish(q, range(4));
    expect(high.bodies()).toEqual(['m0', 'm1']);
    expect(low.bodies()).toEqual(['m2', 'm3']);
  });

  test('noAck consumer: delivered = settled', async () => {
    const { q } = makeQueue();
    const a = consumer('a', { noAck: true, prefetch: 1 });
    q.consume(a.spec);
    await publish(q, range(3));
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2']); // prefetch does not apply to noAck
    expect(q.unackedCount()).toBe(0);
    expect(code(() => q.ack([a.deliveries[0].id]))).toBe('PRECONDITION_FAILED');
  });

  test('nack requeue puts messages back at their original position, flagged redelivered', async () => {
    const { q } = makeQueue();
    await publish(q, range(5));
    const a = consumer('a', { prefetch: 3 });
    q.consume(a.spec);
    expect(a.bodies()).toEqual(['m0', 'm1', 'm2']);
    q.cancel('a');
    // Return m2 then m0 (out of order): the queue restores offset order ahead of m3.
    q.nack([a.deliveries[2].id], true);
    q.nack([a.deliveries[0].id], true);
    const b = consumer('b');
    q.consume(b.spec);
    expect(b.bodies()).toEqual(['m0', 'm2', 'm3', 'm4']);
    expect(b.deliveries.map((d) => d.redelivered)).toEqual([true, true, false, false]);
    // m1 is still unacked by the cancelled consumer and can still be acked.
    q.ack([a.deliveries[1].id]);
    expect(q.unackedCount()).toBe(4);
  });

  test('unknown or already settled ids throw PRECONDITION_FAILED and change nothing', async () => {
    const { q } = makeQueue();
    await publish(q, range(2));
    const d0 = q.get(false, 'o');
    expect(d0).not.toBeNull();
    expect(code(() => q.ack([999]))).toBe('PRECONDITION_FAILED');
    expect(code(() => q.nack([d0!.id, 999], true))).toBe('PRECONDITION_FAILED');
    expect(q.unackedCount()).toBe(1); // the valid id in the failed call was not applied
    q.ack([d0!.id]);
    expect(code(() => q.ack([d0!.id]))).toBe('PRECONDITION_FAILED');
  });

  test('get with and without noAck; empty queue returns null', async () => {
    const { q } = makeQueue();
    expect(q.get(false, 'o')).toBeNull();
    await publish(q, ['x', 'y']);
    const x = q.get(true, 'o');
    expect(x?.message.body.toString()).toBe('x');
    expect(x?.redelivered).toBe(false);
    expect(q.unackedCount()).toBe(0);
    const y = q.get(false, 'o');
    expect(y?.message.body.toString()).toBe('y');
    expect(q.messageCount()).toBe(0);
    q.nack([y!.id], true);
    expect(q.messageCount()).toBe(1);
    const y2 = q.get(false, 'o');
    expect(y2?.redelivered).toBe(true);
    expect(y2?.offset).toBe(y!.offset);
  });

  test('ownerClosed cancels the owner consumers and requeues its unacked (incl. get)', async () => {
    const { q } = makeQueue();
    await publish(q, range(4));
    const a = consumer('a', { prefetch: 2, owner: 'conn-a' });
    q.consume(a.spec);
    const g = q.get(false, 'conn-a');
    expect(g?.message.body.toString()).toBe('m2');
    const other = q.get(false, 'conn-b');
    expect(other?.message.body.toString()).toBe('m3');
    q.ownerClosed('conn-a');
    expect(q.consumerCount()).toBe(0);
    expect(a.cancelledReasons).toEqual([]); // the connection is gone: nobody to tell
    expect(q.messageCount()).toBe(3);
    const b = consumer('b', { owner: 'conn-b' });
    q.consume(b.spec);
    expect(b.bodies()).toEqual(['m0', 'm1', 'm2']);
    expect(b.deliveries.every((d) => d.redelivered)).toBe(true);
  });

  test('purge removes ready messages only; delete cancels consumers with queue-deleted', async () => {
    const { q } = makeQueue();
    const a = consumer('a', { prefetch: 1 });
    q.consume(a.spec);
    await publish(q, range(4));
    expect(q.purge()).toBe(3);
    expect(q.messageCount()).toBe(0);
    expect(q.unackedCount()).toBe(1);
    await publish(q, ['late']);
    expect(q.delete()).toBe(1);
    expect(a.cancelledReasons).toEqual(['queue-deleted']);
    expect(code(() => q.get(false, 'o'))).toBe('NOT_FOUND');
    await expect(q.enqueue(msg('after'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  test('exclusive consumer refuses others, and cannot join a queue with consumers', () => {
    const { q } = makeQueue();
    q.consume(consumer('x', { exclusive: true }).spec);
    expect(code(() => q.consume(consumer('y').spec))).toBe('ACCESS_REFUSED');
    q.cancel('x');
    q.consume(consumer('y').spec);
    expect(code(() => q.consume(consumer('z', { exclusive: true }).spec))).toBe('ACCESS_REFUSED');
    expect(code(() => q.consume(consumer('y').spec))).toBe('NOT_ALLOWED');
  });

  test('single active consumer: only the first receives; the next takes over on cancel', async () => {
    const { q } = makeQueue({ args: { 'x-single-active-consumer': true } });
    const a = consumer('a', { prefetch: 1 });
    const b = consumer('b');
    q.consume(a.spec);
    q.consume(b.spec);
    await publish(q, range(3));
    expect(a.bodies()).toEqual(['m0']);
    expect(b.bodies()).toEqual([]);
    q.cancel('a');
    expect(b.bodies()).toEqual(['m1', 'm2']);
    // a's unacked delivery is still a's until its owner closes
    q.ownerClosed('owner-1');
    expect(q.consumerCount()).toBe(0);
    expect(q.messageCount()).toBe(3); // b had the same owner: all requeued
  });

  test('single active consumer with priorities: a higher priority consumer takes over once the active one settled', async () => {
    const { q } = makeQueue({ args: { 'x-single-active-consumer': true } });
    const low = consumer('low', { prefetch: 1, priority: 0 });
    q.consume(low.spec);
    await publish(q, range(4));
    expect(low.bodies()).toEqual(['m0']);
    const high = consumer('high', { priority: 10 });
    q.consume(high.spec);
    expect(high.bodies()).toEqual([]); // waits: low still has m0 outstanding
    q.ack([low.deliveries[0].id]);
    expect(low.bodies()).toEqual(['m0']);
    expect(high.bodies()).toEqual(['m1', 'm2', 'm3']);
    const mid = consumer('mid', { priority: 5 });
    q.consume(mid.spec);
    q.cancel('high');
    await publish(q, ['m4']);
    expect(mid.bodies()).toEqual(['m4']);
  });

  test('auto-delete: requested when the last consumer goes, not before any consumer', async () => {
    const t = makeQueue({ autoDelete: true });
    await publish(t.q, ['x']);
    expect(t.deleteRequests).toEqual([]);
    t.q.consume(consumer('a').spec);
    t.q.consume(consumer('b').spec);
    t.q.cancel('a');
    expect(t.deleteRequests).toEqual([]);
    t.q.cancel('b');
    expect(t.deleteRequests).toEqual(['auto-delete']);
  });

  test('bodies beyond the ready cache are read back from the log in batches', async () => {
    const { q } = makeQueue({ queueLimits: { readyCacheMessagesMax: 3, logReadBatchRecordsMax: 4 } });
    const bodies = range(50);
    await publish(q, bodies);
    const a = consumer('a', { noAck: true });
    q.consume(a.spec);
    expect(a.bodies()).toEqual(bodies);
    expect(a.deliveries.map((d) => d.offset)).toEqual(bodies.map((_, i) => i));
    expect(a.deliveries[7].message.properties.deliveryMode).toBe(2);
  });

  test('acked prefix is truncated from the log', async () => {
    const t = makeQueue();
    await publish(t.q, range(10));
    const log = t.store.log('queue:/:q');
    const a = consumer('a');
    t.q.consume(a.spec);
    t.q.ack(a.deliveries.slice(0, 6).map((d) => d.id));
    await t.q.flushState();
    expect(log.startOffset()).toBe(6);
    t.q.ack([a.deliveries[8].id]); // out of order: the low-water mark stays
    await t.q.flushState();
    expect(log.startOffset()).toBe(6);
  });

  test('a consumer that acks inside deliver() keeps receiving (re-entrant dispatch)', async () => {
    const { q } = makeQueue();
    const got: string[] = [];
    const spec = consumer('a', { prefetch: 1 }).spec;
    spec.deliver = (d) => {
      got.push(d.message.body.toString());
      q.ack([d.id]);
    };
    q.consume(spec);
    await publish(q, range(20));
    expect(got).toEqual(range(20));
    expect(q.unackedCount()).toBe(0);
  });

  test('the vhost may delete the queue synchronously from requestDelete', async () => {
    const counts: number[] = [];
    const t = makeQueue({ autoDelete: true, onRequestDelete: (q) => counts.push(q.delete()) });
    const c = consumer('a', { prefetch: 1 });
    t.q.consume(c.spec);
    await publish(t.q, range(3));
    t.q.ownerClosed('owner-1'); // cancels the last consumer and requeues its delivery, then auto-deletes
    expect(t.deleteRequests).toEqual(['auto-delete']);
    expect(counts).toEqual([3]);
    expect(t.q.delete()).toBe(0);
    t.q.ack([c.deliveries[0].id]); // settling after delete is ignored, as RabbitMQ does
  });
});
