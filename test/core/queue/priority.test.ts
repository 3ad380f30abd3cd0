import { consumer, makeQueue, msg } from './helpers';

describe('classic queue: x-max-priority', () => {
  test('higher priority messages are delivered first, FIFO within a priority', async () => {
    const t = makeQueue({ args: { 'x-max-priority': 5 } });
    const input: Array<[string, number | undefined]> = [
      ['p0-a', undefined], ['p3-a', 3], ['p9-a', 9], ['p1-a', 1], ['p3-b', 3], ['p0-b', 0], ['p5-a', 5],
    ];
    for (const [body, priority] of input) await t.q.enqueue(msg(body, priority === undefined ? {} : { priority }));
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    // priority above x-max-priority counts as x-max-priority (RabbitMQ), so p9 ranks with p5, in arrival order
    expect(c.bodies()).toEqual(['p9-a', 'p5-a', 'p3-a', 'p3-b', 'p1-a', 'p0-a', 'p0-b']);
  });

  test('requeued messages return to their place within their priority', async () => {
    const t = makeQueue({ args: { 'x-max-priority': 2 } });
    for (const [b, p] of [['l1', 0], ['h1', 2], ['h2', 2], ['l2', 0]] as const) await t.q.enqueue(msg(b, { priority: p }));
    const h1 = t.q.get(false, 'o')!;
    const h2 = t.q.get(false, 'o')!;
    const l1 = t.q.get(false, 'o')!;
    expect([h1, h2, l1].map((d) => d.message.body.toString())).toEqual(['h1', 'h2', 'l1']);
    t.q.nack([l1.id, h2.id], true);
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['h2', 'l1', 'l2']);
    expect(c.deliveries.map((d) => d.redelivered)).toEqual([true, true, false]);
  });

  test('without x-max-priority, message priority is ignored', async () => {
    const t = makeQueue();
    await t.q.enqueue(msg('a', { priority: 0 }));
    await t.q.enqueue(msg('b', { priority: 9 }));
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual(['a', 'b']);
  });

  test('priority queue reads bodies back from the log when the cache is small', async () => {
    const t = makeQueue({ args: { 'x-max-priority': 3 }, queueLimits: { readyCacheMessagesMax: 2 } });
    const expected: string[][] = [[], [], [], []];
    for (let i = 0; i < 40; i++) {
      const p = (i * 7) % 4;
      expected[p].push(`m${i}`);
      await t.q.enqueue(msg(`m${i}`, { priority: p }));
    }
    const c = consumer('c', { noAck: true });
    t.q.consume(c.spec);
    expect(c.bodies()).toEqual([...expected[3], ...expected[2], ...expected[1], ...expected[0]]);
  });
});
