import { codeOf, memoryVhost, qspec, xspec } from './helpers';

const OWNER = 'conn-1';
const OTHER = 'conn-2';

describe('vhost exchange declare/delete', () => {
  test('pre-declared exchanges exist; amq.* and the default exchange are protected', async () => {
    const { vhost } = await memoryVhost();
    for (const n of ['amq.direct', 'amq.fanout', 'amq.topic', 'amq.headers', 'amq.match']) {
      expect(await codeOf(() => vhost.declareExchange(xspec(n, 'direct'), true))).toBe('ok');
    }
    expect(await codeOf(() => vhost.declareExchange(xspec('amq.custom', 'direct'), false))).toBe('ACCESS_REFUSED');
    // Redeclaring an existing amq.* exchange with its own properties is fine (RabbitMQ looks it up first).
    expect(await codeOf(() => vhost.declareExchange(xspec('amq.direct', 'direct', { durable: true }), false))).toBe('ok');
    expect(await codeOf(() => vhost.declareExchange(xspec('amq.direct', 'fanout', { durable: true }), false))).toBe(
      'PRECONDITION_FAILED',
    );
    expect(await codeOf(() => vhost.declareExchange(xspec('', 'direct'), false))).toBe('ACCESS_REFUSED');
    expect(await codeOf(() => vhost.deleteExchange('', false))).toBe('ACCESS_REFUSED');
    expect(await codeOf(() => vhost.deleteExchange('amq.topic', false))).toBe('ACCESS_REFUSED');
  });

  test('unknown type, passive missing, inequivalent redeclare', async () => {
    const { vhost } = await memoryVhost();
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'x-delayed-message'), false))).toBe('COMMAND_INVALID');
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct'), true))).toBe('NOT_FOUND');
    await vhost.declareExchange(xspec('x', 'direct'), false);
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct'), false))).toBe('ok');
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'topic'), false))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct', { durable: true }), false))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct', { autoDelete: true }), false))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct', { internal: true }), false))).toBe('PRECONDITION_FAILED');
    expect(
      await codeOf(() => vhost.declareExchange(xspec('x', 'direct', { arguments: { 'alternate-exchange': 'ae' } }), false)),
    ).toBe('PRECONDITION_FAILED');
    // Other arguments are not compared (RabbitMQ compares alternate-exchange only).
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct', { arguments: { foo: 1 } }), false))).toBe('ok');
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'direct'), true))).toBe('ok');
  });

  test('delete: idempotent, if-unused, removes bindings to and from it', async () => {
    const { vhost } = await memoryVhost();
    expect(await codeOf(() => vhost.deleteExchange('nope', false))).toBe('ok');
    await vhost.declareExchange(xspec('x', 'fanout'), false);
    await vhost.declareQueue(qspec('q'), false, OWNER);
    await vhost.bindQueue('q', 'x', '', {}, OWNER);
    await vhost.bindExchange('x', 'amq.fanout', '', {});
    expect(await codeOf(() => vhost.deleteExchange('x', true))).toBe('PRECONDITION_FAILED');
    await vhost.deleteExchange('x', false);
    expect(vhost.listBindings()).toEqual([]);
    expect(await codeOf(() => vhost.declareExchange(xspec('x', 'fanout'), true))).toBe('NOT_FOUND');
  });

  test('an auto-delete exchange goes when its last binding goes (unbind or queue deletion), cascading', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareExchange(xspec('ad', 'direct', { autoDelete: true }), false);
    await vhost.declareQueue(qspec('q1'), false, OWNER);
    await vhost.declareQueue(qspec('q2'), false, OWNER);
    await vhost.bindQueue('q1', 'ad', 'a', {}, OWNER);
    await vhost.bindQueue('q2', 'ad', 'b', {}, OWNER);
    await vhost.unbindQueue('q1', 'ad', 'a', {}, OWNER);
    expect(await codeOf(() => vhost.declareExchange(xspec('ad', 'direct'), true))).toBe('ok');
    await vhost.deleteQueue('q2', { ifUnused: false, ifEmpty: false }, OWNER);
    expect(await codeOf(() => vhost.declareExchange(xspec('ad', 'direct'), true))).toBe('NOT_FOUND');

    // Cascade: ad1 → ad2 → q (both auto-delete); deleting q removes ad2, whose removal empties ad1.
    await vhost.declareExchange(xspec('ad1', 'fanout', { autoDelete: true }), false);
    await vhost.declareExchange(xspec('ad2', 'fanout', { autoDelete: true }), false);
    await vhost.declareQueue(qspec('q'), false, OWNER);
    await vhost.bindExchange('ad2', 'ad1', '', {});
    await vhost.bindQueue('q', 'ad2', '', {}, OWNER);
    await vhost.deleteQueue('q', { ifUnused: false, ifEmpty: false }, OWNER);
    expect(await codeOf(() => vhost.declareExchange(xspec('ad2', 'fanout'), true))).toBe('NOT_FOUND');
    expect(await codeOf(() => vhost.declareExchange(xspec('ad1', 'fanout'), true))).toBe('NOT_FOUND');
  });
});

test('a long chain of auto-delete exchanges routes end to end and cascades away iteratively', async () => {
  const { vhost } = await memoryVhost();
  const n = 3000;
  for (let i = 0; i < n; i++) await vhost.declareExchange(xspec(`c${i}`, 'fanout', { autoDelete: true }), false);
  for (let i = 0; i < n - 1; i++) await vhost.bindExchange(`c${i + 1}`, `c${i}`, '', {});
  await vhost.declareQueue(qspec('end'), false, OWNER);
  await vhost.bindQueue('end', `c${n - 1}`, '', {}, OWNER);
  expect(vhost.publish({ exchange: 'c0', routingKey: 'k', properties: {}, body: Buffer.from('x') }, { mandatory: true }).routed).toBe(1);
  expect(vhost.stats()).toEqual({ exchanges: 6 + n, queues: 1, bindings: n });
  await vhost.deleteQueue('end', { ifUnused: false, ifEmpty: false }, OWNER);
  expect(vhost.stats()).toEqual({ exchanges: 6, queues: 0, bindings: 0 });
});

describe('vhost queue declare/delete', () => {
  test('server-named queues, reserved names, passive', async () => {
    const { vhost } = await memoryVhost();
    const info = await vhost.declareQueue(qspec(''), false, OWNER);
    expect(info.name).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    expect(info).toEqual({ name: info.name, messageCount: 0, consumerCount: 0 });
    expect(await codeOf(() => vhost.declareQueue(qspec('amq.mine'), false, OWNER))).toBe('ACCESS_REFUSED');
    expect(await codeOf(() => vhost.declareQueue(qspec('missing'), true, OWNER))).toBe('NOT_FOUND');
    expect((await vhost.declareQueue(qspec(info.name), true, OWNER)).name).toBe(info.name);
  });

  test('inequivalent redeclare is PRECONDITION_FAILED; equivalent forms are accepted', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareQueue(qspec('q', { durable: true, arguments: { 'x-message-ttl': 1000 } }), false, OWNER);
    const again = (extra: Parameters<typeof qspec>[1]) => codeOf(() => vhost.declareQueue(qspec('q', extra), false, OWNER));
    expect(await again({ durable: true, arguments: { 'x-message-ttl': 1000 } })).toBe('ok');
    // Same number with another AMQP integer type; x-queue-type classic equals absent; unknown args ignored.
    expect(await again({ durable: true, arguments: { 'x-message-ttl': { amqpType: 'I', value: 1000 }, 'x-queue-type': 'classic', foo: 'bar' } })).toBe('ok');
    expect(await again({ durable: false, arguments: { 'x-message-ttl': 1000 } })).toBe('PRECONDITION_FAILED');
    expect(await again({ durable: true, autoDelete: true, arguments: { 'x-message-ttl': 1000 } })).toBe('PRECONDITION_FAILED');
    expect(await again({ durable: true, arguments: { 'x-message-ttl': 2000 } })).toBe('PRECONDITION_FAILED');
    expect(await again({ durable: true, arguments: {} })).toBe('PRECONDITION_FAILED');
    expect(await again({ durable: true, arguments: { 'x-message-ttl': 1000, 'x-max-length': 5 } })).toBe('PRECONDITION_FAILED');
    expect(await again({ durable: true, arguments: { 'x-message-ttl': 1000, 'x-queue-type': 'quorum' } })).toBe('PRECONDITION_FAILED');
    // Exclusivity mismatch is RESOURCE_LOCKED, as rabbit_amqqueue:check_exclusive_access/3 (strict) answers.
    expect(await again({ durable: true, exclusive: true, arguments: { 'x-message-ttl': 1000 } })).toBe('RESOURCE_LOCKED');
  });

  test('bad queue arguments are PRECONDITION_FAILED; quorum/stream need durable, shared, non-auto-delete', async () => {
    const { vhost } = await memoryVhost();
    expect(await codeOf(() => vhost.declareQueue(qspec('q', { arguments: { 'x-max-length': -1 } }), false, OWNER))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.declareQueue(qspec('q', { arguments: { 'x-queue-type': 'weird' } }), false, OWNER))).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.declareQueue(qspec('qq', { arguments: { 'x-queue-type': 'quorum' } }), false, OWNER))).toBe('PRECONDITION_FAILED');
    expect(
      await codeOf(() => vhost.declareQueue(qspec('qq', { durable: true, autoDelete: true, arguments: { 'x-queue-type': 'quorum' } }), false, OWNER)),
    ).toBe('PRECONDITION_FAILED');
    expect(await codeOf(() => vhost.declareQueue(qspec('qq', { durable: true, arguments: { 'x-queue-type': 'quorum' } }), false, OWNER))).toBe('ok');
  });

  test('exclusive queues: locked for other connections, never durable, deleted when the owner closes', async () => {
    const { vhost } = await memoryVhost();
    await vhost.declareQueue(qspec('ex', { exclusive: true, durable: true }), false, OWNER);
    expect(vhost.queueSpec('ex')?.durable).toBe(false);
    expect(await codeOf(() => vhost.declareQueue(qspec('ex', { exclusive: true }), false, OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.declareQueue(qspec('ex'), true, OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.queue('ex', OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.purgeQueue('ex', OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.bindQueue('ex', 'amq.direct', 'k', {}, OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.deleteQueue('ex', { ifUnused: false, ifEmpty: false }, OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.declareQueue(qspec('ex', { exclusive: true }), false, OWNER))).toBe('ok');
    expect(await codeOf(() => vhost.declareQueue(qspec('ex'), false, OWNER))).toBe('RESOURCE_LOCKED');
    await vhost.bindQueue('ex', 'amq.direct', 'k', {}, OWNER);
    expect(await codeOf(() => vhost.unbindQueue('ex', 'amq.direct', 'k', {}, OTHER))).toBe('RESOURCE_LOCKED');
    expect(await codeOf(() => vhost.unbindQueue('ex', 'amq.direct', 'unbound', {}, OTHER))).toBe('ok');
    await vhost.declareQueue(qspec('shared'), false, OWNER);
    vhost.ownerClosed(OTHER);
    expect(vhost.listQueues().map((q) => q.name).sort()).toEqual(['ex', 'shared']);
    vhost.ownerClosed(OWNER);
    expect(vhost.listQueues().map((q) => q.name)).toEqual(['shared']);
    expect(vhost.listBindings()).toEqual([]);
    await vhost.close();
  });

  test('delete: idempotent, if-empty, if-unused, returns the message count, removes bindings', async () => {
    const { vhost } = await memoryVhost();
    expect(await vhost.deleteQueue('none', { ifUnused: false, ifEmpty: false }, OWNER)).toBe(0);
    await vhost.declareQueue(qspec('q'), false, OWNER);
    await vhost.bindQueue('q', 'amq.direct', 'k', {}, OWNER);
    await vhost.publish({ exchange: 'amq.direct', routingKey: 'k', properties: {}, body: Buffer.from('1') }, { mandatory: false }).settled;
    await vhost.publish({ exchange: '', routingKey: 'q', properties: {}, body: Buffer.from('2') }, { mandatory: false }).settled;
    expect(await codeOf(() => vhost.deleteQueue('q', { ifUnused: false, ifEmpty: true }, OWNER))).toBe('PRECONDITION_FAILED');
    const handle = vhost.queue('q', OWNER);
    handle.consume({
      tag: 'c1', noAck: false, exclusive: false, prefetch: 1, priority: 0, arguments: {}, owner: OWNER,
      canDeliver: () => true, deliver: () => {}, cancelled: () => {},
    });
    expect(await codeOf(() => vhost.deleteQueue('q', { ifUnused: true, ifEmpty: false }, OWNER))).toBe('PRECONDITION_FAILED');
    expect(await vhost.deleteQueue('q', { ifUnused: false, ifEmpty: false }, OWNER)).toBe(1); // one ready, one in flight
    expect(vhost.listBindings()).toEqual([]);
    expect(vhost.publish({ exchange: 'amq.direct', routingKey: 'k', properties: {}, body: Buffer.from('3') }, { mandatory: true }).routed).toBe(0);
  });

  test('a declare racing a delete of the same name gets a fresh queue whose log survives', async () => {
    const { vhost, store } = await memoryVhost();
    await vhost.declareQueue(qspec('q', { durable: true }), false, OWNER);
    await vhost.publish({ exchange: '', routingKey: 'q', properties: { deliveryMode: 2 }, body: Buffer.from('old') }, { mandatory: false }).settled;
    const del = vhost.deleteQueue('q', { ifUnused: false, ifEmpty: false }, OWNER);
    const decl = vhost.declareQueue(qspec('q', { durable: true }), false, OWNER);
    expect(await del).toBe(1);
    expect((await decl).messageCount).toBe(0);
    await vhost.publish({ exchange: '', routingKey: 'q', properties: { deliveryMode: 2 }, body: Buffer.from('new') }, { mandatory: false }).settled;
    expect(vhost.queue('q', OWNER).info().messageCount).toBe(1);
    expect(store.hasLog('q/%2F/q')).toBe(true);
  });

  test('limits are enforced (LIMIT_EXCEEDED)', async () => {
    const { vhost } = await memoryVhost('/', { vhostLimits: { queuesMax: 2, exchangesMax: 7, bindingsMax: 1 } });
    await vhost.declareQueue(qspec('a'), false, OWNER);
    await vhost.declareQueue(qspec('b'), false, OWNER);
    expect(await codeOf(() => vhost.declareQueue(qspec('c'), false, OWNER))).toBe('LIMIT_EXCEEDED');
    await vhost.declareExchange(xspec('x', 'direct'), false); // 6 pre-declared + 1
    expect(await codeOf(() => vhost.declareExchange(xspec('y', 'direct'), false))).toBe('LIMIT_EXCEEDED');
    await vhost.bindQueue('a', 'x', 'k', {}, OWNER);
    expect(await codeOf(() => vhost.bindQueue('b', 'x', 'k', {}, OWNER))).toBe('LIMIT_EXCEEDED');
    expect(await codeOf(() => vhost.declareQueue(qspec('n'.repeat(256)), false, OWNER))).toBe('PRECONDITION_FAILED');
  });

  test('x-expires deletes an unused queue through the injected timer', async () => {
    const { vhost, clock } = await memoryVhost();
    await vhost.declareQueue(qspec('exp', { arguments: { 'x-expires': 1000 } }), false, OWNER);
    await vhost.bindQueue('exp', 'amq.fanout', '', {}, OWNER);
    clock.advance(500);
    await vhost.declareQueue(qspec('exp', { arguments: { 'x-expires': 1000 } }), false, OWNER); // redeclare = use
    clock.advance(700);
    expect(vhost.queueSpec('exp')).toBeDefined();
    clock.advance(400);
    expect(vhost.queueSpec('exp')).toBeUndefined();
    expect(vhost.listBindings()).toEqual([]);
    await vhost.close();
  });
});
