import type { HeaderTable, Message } from '../../../src/core/message';
import { isDeadLetterCycle, xDeathCount, xDeathEntries } from '../../../src/core/queue/dead-letter';
import type { ClassicQueue } from '../../../src/core/queue/classic-queue';
import { FakeClock, makeQueue, msg } from './helpers';

describe('classic queue: dead-lettering', () => {
  test('nack without requeue dead-letters with reason rejected and RabbitMQ x-death headers', async () => {
    const t = makeQueue({ args: { 'x-dead-letter-exchange': 'dlx', 'x-dead-letter-routing-key': 'dead' } });
    await t.q.enqueue(msg('a', { deliveryMode: 2, headers: { app: 'x' }, expiration: '60000' }, 'orig.key'));
    const d = t.q.get(false, 'o');
    t.q.nack([d!.id], false);
    expect(t.q.messageCount()).toBe(0);
    expect(t.q.unackedCount()).toBe(0);
    expect(t.deadLettered).toHaveLength(1);
    const m = t.deadLettered[0];
    expect(m.exchange).toBe('dlx');
    expect(m.routingKey).toBe('dead');
    const h = m.properties.headers as HeaderTable;
    expect(h.app).toBe('x');
    expect(h['x-first-death-reason']).toBe('rejected');
    expect(h['x-first-death-queue']).toBe('q');
    expect(h['x-first-death-exchange']).toBe('ex');
    expect(h['x-last-death-reason']).toBe('rejected');
    const [death] = xDeathEntries(m);
    expect(death).toMatchObject({
      count: 1,
      reason: 'rejected',
      queue: 'q',
      exchange: 'ex',
      'routing-keys': ['orig.key'],
      'original-expiration': '60000',
    });
    expect(death.time).toEqual({ amqpType: 'T', value: Math.floor(t.clock.nowMs / 1000) });
    expect(m.properties.expiration).toBeUndefined();
  });

  test('without x-dead-letter-routing-key the original routing key is kept', async () => {
    const t = makeQueue({ args: { 'x-dead-letter-exchange': '' } });
    await t.q.enqueue(msg('a', {}, 'k1'));
    t.q.nack([t.q.get(false, 'o')!.id], false);
    expect(t.deadLettered[0].exchange).toBe('');
    expect(t.deadLettered[0].routingKey).toBe('k1');
  });

  test('no DLX: rejected messages are dropped', async () => {
    const t = makeQueue();
    await t.q.enqueue(msg('a'));
    t.q.nack([t.q.get(false, 'o')!.id], false);
    expect(t.q.messageCount()).toBe(0);
    expect(t.deadLettered).toHaveLength(0);
  });

  test('a rejection cycle between two queues counts deaths per (queue, reason)', async () => {
    // work --reject--> retry (TTL 50, DLX back to work) --expired--> work: the classic retry loop.
    const clock = new FakeClock();
    const queues = new Map<string, ClassicQueue>();
    const route = (target: string) => (m: Message): void => {
      if (isDeadLetterCycle(m, target)) return;
      void queues.get(target)!.enqueue(m);
    };
    const work = makeQueue({ name: 'work', clock, args: { 'x-dead-letter-exchange': 'to-retry' }, deadLetter: route('retry') });
    const retry = makeQueue({ name: 'retry', clock, args: { 'x-message-ttl': 50, 'x-dead-letter-exchange': 'to-work' }, deadLetter: route('work') });
    queues.set('work', work.q);
    queues.set('retry', retry.q);

    await work.q.enqueue(msg('job', { deliveryMode: 2 }));
    for (let round = 1; round <= 3; round++) {
      const d = work.q.get(false, 'worker');
      expect(d).not.toBeNull();
      expect(xDeathCount(d!.message, 'work', 'rejected')).toBe(round - 1);
      expect(xDeathCount(d!.message, 'retry', 'expired')).toBe(round - 1);
      work.q.nack([d!.id], false);
      expect(retry.q.messageCount()).toBe(1);
      clock.advance(50);
      expect(retry.q.messageCount()).toBe(0);
    }
    const last = work.q.get(true, 'worker')!.message;
    const deaths = xDeathEntries(last);
    expect(deaths.map((d) => [d.queue, d.reason, d.count])).toEqual([
      ['retry', 'expired', 3],
      ['work', 'rejected', 3],
    ]);
    expect(last.properties.headers?.['x-first-death-reason']).toBe('rejected');
    expect(last.properties.headers?.['x-last-death-reason']).toBe('expired');
    expect(last.properties.headers?.['x-last-death-queue']).toBe('retry');
  });

  test('a fully automatic cycle (expiry only) is detected and dropped', async () => {
    const clock = new FakeClock();
    const queues = new Map<string, ClassicQueue>();
    let dropped = 0;
    const route = (target: string) => (m: Message): void => {
      if (isDeadLetterCycle(m, target)) {
        dropped++;
        return;
      }
      void queues.get(target)!.enqueue(m);
    };
    const a = makeQueue({ name: 'a', clock, args: { 'x-message-ttl': 10, 'x-dead-letter-exchange': 'x' }, deadLetter: route('b') });
    const b = makeQueue({ name: 'b', clock, args: { 'x-message-ttl': 10, 'x-dead-letter-exchange': 'x' }, deadLetter: route('a') });
    queues.set('a', a.q);
    queues.set('b', b.q);
    await a.q.enqueue(msg('m'));
    clock.advance(10); // a -> b
    expect(b.q.messageCount()).toBe(1);
    clock.advance(10); // b -> a would revisit a with no rejection in the cycle
    expect(a.q.messageCount()).toBe(0);
    expect(dropped).toBe(1);

    // A queue dead-lettering to itself on expiry is a cycle at once.
    const self = msg('s');
    const selfQ = makeQueue({ name: 's', clock, args: { 'x-message-ttl': 1, 'x-dead-letter-exchange': '' } });
    await selfQ.q.enqueue(self);
    clock.advance(1);
    expect(isDeadLetterCycle(selfQ.deadLettered[0], 's')).toBe(true);
    expect(isDeadLetterCycle(selfQ.deadLettered[0], 'other')).toBe(false);
  });

  test('a queue dead-lettering into itself: rejections go round, expiry and maxlen cycles are dropped', async () => {
    const clock = new FakeClock();
    let self: ClassicQueue | null = null;
    let dropped = 0;
    const route = (m: Message): void => {
      if (isDeadLetterCycle(m, 'loop')) dropped++;
      else void self!.enqueue(m);
    };
    const t = makeQueue({ name: 'loop', clock, args: { 'x-dead-letter-exchange': '', 'x-message-ttl': 100, 'x-max-length': 2 }, deadLetter: route });
    self = t.q;
    await t.q.enqueue(msg('a'));
    await t.q.enqueue(msg('b'));
    const a = t.q.get(false, 'o')!;
    t.q.nack([a.id], false); // rejected: back at the tail, x-death count 1
    expect(t.q.messageCount()).toBe(2);
    const b = t.q.get(true, 'o')!;
    expect(b.message.body.toString()).toBe('b');
    const a2 = t.q.get(true, 'o')!;
    expect(xDeathCount(a2.message, 'loop', 'rejected')).toBe(1);
    await t.q.enqueue(msg('c'));
    await t.q.enqueue(msg('d'));
    await t.q.enqueue(msg('e')); // drop-head c: maxlen to itself is a cycle
    expect(dropped).toBe(1);
    clock.advance(100); // d and e expire into themselves: cycles again
    expect(dropped).toBe(3);
    expect(t.q.messageCount()).toBe(0);
  });
});
