import type { Delivery } from '../../../src/core/types';
import { codeOf, memoryVhost, msg, qspec, withHeaders, xspec } from './helpers';

const OWNER = 'conn-1';

async function counts(vhost: Awaited<ReturnType<typeof memoryVhost>>['vhost']): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const q of vhost.listQueues()) out[q.name] = q.messageCount;
  return out;
}

describe('vhost publish routing', () => {
  test('default, direct, fanout, topic and headers exchanges route into queues', async () => {
    const { vhost } = await memoryVhost();
    for (const q of ['d', 'f1', 'f2', 't', 'h']) await vhost.declareQueue(qspec(q), false, OWNER);
    await vhost.declareExchange(xspec('fan', 'fanout'), false);
    await vhost.bindQueue('d', 'amq.direct', 'key', {}, OWNER);
    await vhost.bindQueue('f1', 'fan', '', {}, OWNER);
    await vhost.bindQueue('f2', 'fan', 'whatever', {}, OWNER);
    await vhost.bindQueue('t', 'amq.topic', 'sensors.*.temp', {}, OWNER);
    await vhost.bindQueue('t', 'amq.topic', 'sensors.#', {}, OWNER); // second path to the same queue
    await vhost.bindQueue('h', 'amq.headers', '', { 'x-match': 'any', a: 1, b: 2 }, OWNER);

    const publish = (m: ReturnType<typeof msg>) => vhost.publish(m, { mandatory: true });
    const results = [
      publish(msg('', 'd')),
      publish(msg('amq.direct', 'key')),
      publish(msg('fan', 'ignored')),
      publish(msg('amq.topic', 'sensors.kitchen.temp')),
      publish(withHeaders('amq.headers', { b: 2 })),
      publish(withHeaders('amq.headers', { b: 3 })),
      publish(msg('amq.direct', 'other')),
      publish(msg('', 'no-such-queue')),
    ];
    expect(results.map((r) => r.routed)).toEqual([1, 1, 2, 1, 1, 0, 0, 0]);
    await Promise.all(results.map((r) => r.settled));
    expect(await counts(vhost)).toEqual({ d: 2, f1: 1, f2: 1, t: 1, h: 1 });
  });

  test('publish errors: missing exchange NOT_FOUND, internal exchange ACCESS_REFUSED', async () => {
    const { vhost } = await memoryVhost();
    expect(await codeOf(() => vhost.publish(msg('nope', 'k'), { mandatory: false }))).toBe('NOT_FOUND');
    await vhost.declareExchange(xspec('int', 'fanout', { internal: true }), false);
    expect(await codeOf(() => vhost.publish(msg('int', 'k'), { mandatory: false }))).toBe('ACCESS_REFUSED');
  });

  test('bind errors: default exchange ACCESS_REFUSED, missing ends NOT_FOUND, bad x-match PRECONDITION_FAILED', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareQueue(qspec('q'), false, OWNER);
    expect(await codeOf(() => vhost.bindQueue('q', '', 'q', {}, OWNER))).toBe('ACCESS_REFUSED');
    expect(await codeOf(() => vhost.unbindQueue('q', '', 'q', {}, OWNER))).toBe('ACCESS_REFUSED');
    expect(await codeOf(() => vhost.bindExchange('', 'amq.direct', 'k', {}))).toBe('ACCESS_REFUSED');
    expect(await codeOf(() => vhost.bindQueue('q', 'nope', 'k', {}, OWNER))).toBe('NOT_FOUND');
    expect(await codeOf(() => vhost.bindQueue('nope', 'amq.direct', 'k', {}, OWNER))).toBe('NOT_FOUND');
    expect(await codeOf(() => vhost.bindExchange('nope', 'amq.direct', 'k', {}))).toBe('NOT_FOUND');
    expect(await codeOf(() => vhost.bindQueue('q', 'amq.match', '', { 'x-match': 'most' }, OWNER))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.unbindQueue('q', 'amq.direct', 'never-bound', {}, OWNER))).toBe('ok');
    // Unbinding is idempotent even when an end is missing (RabbitMQ 3.10 answers unbind-ok).
    expect(await codeOf(() => vhost.unbindQueue('nope', 'amq.direct', 'k', {}, OWNER))).toBe('ok');
    expect(await codeOf(() => vhost.unbindQueue('q', 'nope', 'k', {}, OWNER))).toBe('ok');
    expect(await codeOf(() => vhost.unbindExchange('nope', 'amq.direct', 'k', {}))).toBe('ok');
  });

  test('exchange-to-exchange bindings with a cycle: each queue gets one copy', async () => {
    const { vhost } = await memoryVhost();
    for (const x of ['a', 'b', 'c']) await vhost.declareExchange(xspec(x, 'topic'), false);
    await vhost.declareQueue(qspec('q1'), false, OWNER);
    await vhost.declareQueue(qspec('q2'), false, OWNER);
    await vhost.bindExchange('b', 'a', '#', {});
    await vhost.bindExchange('c', 'b', 'x.*', {});
    await vhost.bindExchange('a', 'c', '#', {}); // cycle a → b → c → a
    await vhost.bindQueue('q1', 'a', 'x.#', {}, OWNER);
    await vhost.bindQueue('q1', 'c', '#', {}, OWNER);
    await vhost.bindQueue('q2', 'c', 'x.y', {}, OWNER);
    const r = vhost.publish(msg('a', 'x.y'), { mandatory: false });
    expect(r.routed).toBe(2);
    await r.settled;
    const r2 = vhost.publish(msg('b', 'x.y.z'), { mandatory: false }); // b → (c does not match) ; nothing else
    expect(r2.routed).toBe(0);
    await vhost.unbindExchange('b', 'a', '#', {});
    expect(vhost.publish(msg('a', 'x.y'), { mandatory: false }).routed).toBe(1); // only q1 via a
    expect(await counts(vhost)).toEqual({ q1: 2, q2: 1 });
  });

  test('alternate exchange takes unroutable messages', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareExchange(xspec('ae', 'fanout'), false);
    await vhost.declareExchange(xspec('main', 'direct', { arguments: { 'alternate-exchange': 'ae' } }), false);
    await vhost.declareQueue(qspec('routed'), false, OWNER);
    await vhost.declareQueue(qspec('unroutable'), false, OWNER);
    await vhost.bindQueue('routed', 'main', 'ok', {}, OWNER);
    await vhost.bindQueue('unroutable', 'ae', '', {}, OWNER);
    expect(vhost.publish(msg('main', 'ok'), { mandatory: true }).routed).toBe(1);
    expect(vhost.publish(msg('main', 'bad'), { mandatory: true }).routed).toBe(1);
    await vhost.deleteExchange('ae', false);
    expect(vhost.publish(msg('main', 'bad'), { mandatory: true }).routed).toBe(0);
    expect(await counts(vhost)).toEqual({ routed: 1, unroutable: 1 });
  });

  test('dead-lettered messages are routed through the DLX (internal allowed) and cycles are dropped', async () => {
    const { vhost, clock } = await memoryVhost();
    await vhost.declareExchange(xspec('dlx', 'fanout', { internal: true }), false);
    await vhost.declareQueue(qspec('work', { arguments: { 'x-dead-letter-exchange': 'dlx' } }), false, OWNER);
    await vhost.declareQueue(qspec('dead'), false, OWNER);
    await vhost.bindQueue('dead', 'dlx', '', {}, OWNER);
    await vhost.publish(msg('', 'work', 'payload'), { mandatory: false }).settled;
    const q = vhost.queue('work', OWNER);
    const d = q.get(false, OWNER) as Delivery;
    q.nack([d.id], false);
    const got = vhost.queue('dead', OWNER).get(true, OWNER) as Delivery;
    expect(got.message.body.toString()).toBe('payload');
    expect(Array.isArray(got.message.properties.headers?.['x-death'])).toBe(true);

    // A TTL cycle (q1 → dlx2 → q1 with no rejection) is cut: the message is dropped, not looped.
    await vhost.declareExchange(xspec('dlx2', 'fanout'), false);
    await vhost.declareQueue(qspec('loop', { arguments: { 'x-dead-letter-exchange': 'dlx2', 'x-message-ttl': 10 } }), false, OWNER);
    await vhost.bindQueue('loop', 'dlx2', '', {}, OWNER);
    await vhost.publish(msg('', 'loop', 'cyc'), { mandatory: false }).settled;
    expect(vhost.queue('loop', OWNER).info().messageCount).toBe(1);
    clock.advance(20);
    expect(vhost.queue('loop', OWNER).info().messageCount).toBe(0);
    // The same cycle with a rejection in it is allowed (RabbitMQ only cuts fully automatic cycles).
    await vhost.declareQueue(qspec('rej', { arguments: { 'x-dead-letter-exchange': 'dlx3' } }), false, OWNER);
    await vhost.declareExchange(xspec('dlx3', 'fanout'), false);
    await vhost.bindQueue('rej', 'dlx3', '', {}, OWNER);
    await vhost.publish(msg('', 'rej', 'again'), { mandatory: false }).settled;
    const rq = vhost.queue('rej', OWNER);
    rq.nack([(rq.get(false, OWNER) as Delivery).id], false);
    expect(rq.info().messageCount).toBe(1);
  });

  test('a queue refusing a message (x-overflow reject-publish) rejects settled without an unhandled rejection', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareQueue(qspec('full', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish' } }), false, OWNER);
    await vhost.declareQueue(qspec('other'), false, OWNER);
    await vhost.bindQueue('full', 'amq.fanout', '', {}, OWNER);
    await vhost.bindQueue('other', 'amq.fanout', '', {}, OWNER);
    await vhost.publish(msg('amq.fanout', ''), { mandatory: false }).settled;
    const r = vhost.publish(msg('amq.fanout', ''), { mandatory: false });
    expect(r.routed).toBe(2);
    expect(await codeOf(() => r.settled)).toBe('LIMIT_EXCEEDED');
    vhost.publish(msg('amq.fanout', ''), { mandatory: false }); // settled ignored on purpose
    expect(await counts(vhost)).toEqual({ full: 1, other: 3 });
  });
});

describe('sender-selected distribution (CC / BCC headers)', () => {
  test('CC and BCC add routing keys, each queue once; BCC is stripped; AE only when no key matched', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareExchange(xspec('ae', 'fanout'), false);
    await vhost.declareExchange(xspec('x', 'direct', { arguments: { 'alternate-exchange': 'ae' } }), false);
    for (const q of ['a', 'b', 'c', 'lost']) await vhost.declareQueue(qspec(q), false, OWNER);
    await vhost.bindQueue('a', 'x', 'ka', {}, OWNER);
    await vhost.bindQueue('b', 'x', 'kb', {}, OWNER);
    await vhost.bindQueue('c', 'x', 'kc', {}, OWNER);
    await vhost.bindQueue('lost', 'ae', '', {}, OWNER);
    const m = msg('x', 'ka', 'cc', { headers: { CC: ['kb', 'ka'], BCC: ['kc'], keep: 1 } });
    m.amqpRawProperties = Buffer.from([0]);
    const r = vhost.publish(m, { mandatory: true });
    expect(r.routed).toBe(3);
    await r.settled;
    const got = vhost.queue('c', OWNER).get(true, OWNER) as Delivery;
    expect(got.message.properties.headers).toEqual({ CC: ['kb', 'ka'], keep: 1 });
    expect(got.message.amqpRawProperties).toBeUndefined();
    // Unroutable key but a routable CC: the AE is not used.
    expect(vhost.publish(msg('x', 'nothing', 'x', { headers: { CC: ['kb'] } }), { mandatory: true }).routed).toBe(1);
    expect(vhost.publish(msg('x', 'nothing', 'x', { headers: { CC: ['none'] } }), { mandatory: true }).routed).toBe(1);
    // Default exchange with CC: each key names a queue; a non-array CC is ignored.
    expect(vhost.publish(msg('', 'a', 'x', { headers: { CC: ['b', 'nope'] } }), { mandatory: true }).routed).toBe(2);
    expect(vhost.publish(msg('', 'a', 'x', { headers: { CC: 'b' } }), { mandatory: true }).routed).toBe(1);
  });
});
