/**
 * Random operation sequences against the real queue (small body cache, so bodies are read back from the log),
 * checking invariants after every step: each message is in exactly one place (ready, in flight, settled), counts
 * agree, no message is delivered twice while in flight, redelivered is set exactly for messages seen before,
 * and at the end every message was settled exactly once.
 */
import type { Delivery } from '../../../src/core/types';
import { consumer, makeQueue, msg, type TestConsumer } from './helpers';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

async function runModel(seed: number, args: Record<string, number | boolean>): Promise<void> {
  const rand = rng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
  const t = makeQueue({ args, queueLimits: { readyCacheMessagesMax: 4, logReadBatchRecordsMax: 3 } });
  const q = t.q;
  let published = 0;
  const inFlight = new Map<number, Delivery>(); // delivery id → delivery
  const seen = new Set<string>(); // bodies delivered at least once
  const settled = new Map<string, number>(); // body → times settled
  const consumers: TestConsumer[] = [];
  let tagSeq = 0;
  const pending: Promise<void>[] = [];

  const problems: string[] = []; // the queue swallows exceptions thrown by deliver callbacks: collect instead
  const onDeliver = (d: Delivery, noAck: boolean): void => {
    const body = d.message.body.toString();
    for (const x of inFlight.values()) if (x.message.body.toString() === body) problems.push(`${body} delivered twice`);
    if (d.redelivered !== seen.has(body)) problems.push(`${body}: redelivered=${d.redelivered}`);
    seen.add(body);
    if (noAck) settled.set(body, (settled.get(body) ?? 0) + 1);
    else inFlight.set(d.id, d);
  };
  const settle = (ids: number[]): void => {
    for (const id of ids) {
      const body = inFlight.get(id)!.message.body.toString();
      settled.set(body, (settled.get(body) ?? 0) + 1);
      inFlight.delete(id);
    }
  };

  for (let step = 0; step < 400; step++) {
    const r = rand();
    if (r < 0.3) {
      const priority = Math.floor(rand() * 4);
      pending.push(q.enqueue(msg(`m${published++}`, { priority })));
    } else if (r < 0.4) {
      const noAck = rand() < 0.3;
      const owner = `owner-${Math.floor(rand() * 2)}`;
      const d = q.get(noAck, owner);
      if (d !== null) {
        if (!noAck) owners.set(d.id, owner);
        onDeliver(d, noAck);
      }
    } else if (r < 0.55 && inFlight.size > 0) {
      const ids = [...inFlight.keys()].filter(() => rand() < 0.5);
      settle(ids);
      q.ack(ids);
    } else if (r < 0.65 && inFlight.size > 0) {
      const ids = [...inFlight.keys()].filter(() => rand() < 0.5);
      const requeue = rand() < 0.7;
      if (requeue) for (const id of ids) inFlight.delete(id);
      else settle(ids); // no DLX: dropped = settled
      q.nack(ids, requeue);
    } else if (r < 0.75 && consumers.length < 3) {
      const noAck = rand() < 0.2;
      const c = consumer(`c${tagSeq++}`, { noAck, prefetch: Math.floor(rand() * 3), owner: `owner-${Math.floor(rand() * 2)}` });
      const base = c.spec.deliver;
      c.spec.deliver = (d) => {
        base(d);
        if (!noAck) owners.set(d.id, c.spec.owner);
        onDeliver(d, noAck);
      };
      consumers.push(c);
      q.consume(c.spec);
    } else if (r < 0.82 && consumers.length > 0) {
      const c = pick(consumers);
      consumers.splice(consumers.indexOf(c), 1);
      q.cancel(c.spec.tag);
    } else if (r < 0.86) {
      const owner = `owner-${Math.floor(rand() * 2)}`;
      for (let i = consumers.length - 1; i >= 0; i--) if (consumers[i].spec.owner === owner) consumers.splice(i, 1);
      for (const [id, d] of [...inFlight]) if (ownerOf(d) === owner) inFlight.delete(id);
      q.ownerClosed(owner);
    } else if (r < 0.9) {
      for (const c of consumers) c.open = rand() < 0.7;
      q.resume();
    } else if (r < 0.93) {
      await Promise.all(pending.splice(0)); // let group commits happen: reads now come from the log
    }
    expect(problems).toEqual([]);
    expect(q.unackedCount()).toBe(inFlight.size);
    const twice = [...settled].filter(([, n]) => n !== 1); // plain checks: expect() per message is slow
    expect(twice).toEqual([]);
    expect(q.messageCount() + q.unackedCount() + settled.size).toBe(published);
  }
  await Promise.all(pending);
  // Drain: everything not settled is delivered to one noAck consumer and settles exactly once.
  for (const c of consumers) q.cancel(c.spec.tag);
  q.ownerClosed('owner-0');
  q.ownerClosed('owner-1');
  inFlight.clear();
  const drain = consumer('drain', { noAck: true, owner: 'drainer' });
  drain.spec.deliver = (d) => onDeliver(d, true);
  q.consume(drain.spec);
  expect(problems).toEqual([]);
  expect(q.messageCount()).toBe(0);
  expect(settled.size).toBe(published);
  for (const n of settled.values()) expect(n).toBe(1);
}

/** Owner of each delivery id, as the test recorded it. */
const owners = new Map<number, string>();
function ownerOf(d: Delivery): string | undefined {
  return owners.get(d.id);
}

describe('classic queue: random operation sequences keep every message in exactly one place', () => {
  test.each([1, 2, 3, 4, 5, 6])('seed %i, plain queue', async (seed) => {
    await runModel(seed, {});
  });
  test.each([7, 8, 9])('seed %i, priority queue', async (seed) => {
    await runModel(seed, { 'x-max-priority': 3 });
  });
  test.each([10, 11])('seed %i, single active consumer', async (seed) => {
    await runModel(seed, { 'x-single-active-consumer': true });
  });
});
