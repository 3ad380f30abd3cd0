import { xDeathEntries } from '../../../src/core/queue/dead-letter';
import { consumer, makeQueue, msg, publish } from './helpers';

describe('classic queue: TTL and x-expires (fake clock)', () => {
  test('x-message-ttl expires ready messages at the head; dead-lettered with reason expired', async () => {
    const t = makeQueue({ args: { 'x-message-ttl': 1000, 'x-dead-letter-exchange': 'dlx' } });
    await publish(t.q, ['a', 'b']);
    t.clock.advance(500);
    await publish(t.q, ['c']);
    t.clock.advance(499);
    expect(t.q.messageCount()).toBe(3);
    t.clock.advance(1); // a and b are 1000 ms old
    expect(t.q.messageCount()).toBe(1);
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['a', 'b']);
    expect(t.deadLettered[0].exchange).toBe('dlx');
    const death = xDeathEntries(t.deadLettered[0])[0];
    expect(death.reason).toBe('expired');
    expect(death.queue).toBe('q');
    t.clock.advance(500);
    expect(t.q.messageCount()).toBe(0);
    expect(t.deadLettered).toHaveLength(3);
    expect(t.clock.activeTimers()).toBe(0);
  });

  test('without a DLX expired messages are dropped', async () => {
    const t = makeQueue({ args: { 'x-message-ttl': 10 } });
    await publish(t.q, ['a']);
    t.clock.advance(10);
    expect(t.q.messageCount()).toBe(0);
    expect(t.deadLettered).toHaveLength(0);
  });

  test('per-message expiration; the smaller of queue TTL and expiration wins', async () => {
    const t = makeQueue({ args: { 'x-message-ttl': 1000 } });
    await t.q.enqueue(msg('short', { expiration: '100' }));
    await t.q.enqueue(msg('long', { expiration: '5000' }));
    t.clock.advance(100);
    expect(t.q.messageCount()).toBe(1);
    t.clock.advance(899);
    expect(t.q.messageCount()).toBe(1);
    t.clock.advance(1);
    expect(t.q.messageCount()).toBe(0);
  });

  test('RabbitMQ expires from the head only: a shorter TTL behind a longer one waits, but is never delivered', async () => {
    const t = makeQueue({ args: { 'x-dead-letter-exchange': '' } });
    await t.q.enqueue(msg('long', { expiration: '1000' }));
    await t.q.enqueue(msg('short', { expiration: '10' }));
    t.clock.advance(20);
    expect(t.q.messageCount()).toBe(2); // short is stuck behind long
    const c = consumer('c');
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['long']); // on delivery, the expired one is dead-lettered instead
    expect(t.deadLettered.map((m) => m.body.toString())).toEqual(['short']);
    expect(t.deadLettered[0].properties.expiration).toBeUndefined();
    expect(xDeathEntries(t.deadLettered[0])[0]['original-expiration']).toBe('10');
  });

  test('TTL 0: delivered when a consumer can take it at once, otherwise expired', async () => {
    const t = makeQueue({ args: { 'x-message-ttl': 0 } });
    await publish(t.q, ['nobody']);
    expect(t.q.messageCount()).toBe(0);
    const c = consumer('c');
    t.q.consume(c.spec);
    await publish(t.q, ['taken']);
    expect(c.bodies()).toEqual(['taken']);
  });

  test('requeued messages keep their original expiry', async () => {
    const t = makeQueue({ args: { 'x-message-ttl': 100 } });
    await publish(t.q, ['a']);
    const d = t.q.get(false, 'o');
    t.clock.advance(150);
    t.q.nack([d!.id], true);
    expect(t.q.messageCount()).toBe(0); // expired at the head as soon as it came back
  });

  test('x-expires deletes the queue after it was unused that long; consumers and get reset it', async () => {
    const t = makeQueue({ args: { 'x-expires': 1000 } });
    t.clock.advance(900);
    t.q.get(false, 'o'); // use
    t.clock.advance(900);
    expect(t.deleteRequests).toEqual([]);
    t.q.consume(consumer('c').spec);
    t.clock.advance(5000);
    expect(t.deleteRequests).toEqual([]);
    t.q.cancel('c');
    t.clock.advance(999);
    expect(t.deleteRequests).toEqual([]);
    await publish(t.q, ['x']); // publishing is not use
    t.clock.advance(1);
    expect(t.deleteRequests).toEqual(['expired']);
  });

  test('x-expires longer than one Node.js timer is chained', () => {
    const t = makeQueue({ args: { 'x-expires': 3_000_000_000 } });
    t.clock.advance(2_999_999_999);
    expect(t.deleteRequests).toEqual([]);
    t.clock.advance(1);
    expect(t.deleteRequests).toEqual(['expired']);
  });
});
