import type { Assignor, JoinRequest, JoinResult, TopicPartitions } from '../../../src/core/types';
import { expectCode, makeRegistry } from './helpers';
import type { Fixture } from './helpers';

const SESSION_MS = 10_000;
const REBALANCE_MS = 30_000;

function req(memberId: string, extra: Partial<JoinRequest> = {}): JoinRequest {
  return {
    groupId: 'g',
    memberId,
    clientId: 'c',
    topics: ['t'],
    assignor: 'range',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    ...extra,
  };
}

function flat(tps: readonly TopicPartitions[]): string[] {
  return tps.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
}

/** Joins and records whether the promise settled, so tests can assert "still waiting". */
function track(p: Promise<JoinResult>): { settled: () => boolean; result: Promise<JoinResult> } {
  let done = false;
  const result = p.finally(() => {
    done = true;
  });
  result.catch(() => undefined);
  return { settled: () => done, result };
}

async function setup(partitions = 6): Promise<Fixture> {
  const f = makeRegistry();
  await f.registry.createTopic({ name: 't', partitions, retention: {} });
  return f;
}

/** Drives members through rejoin until nobody is told to rebalance; returns the final results. */
async function settle(f: Fixture, assignor: Assignor, members: JoinResult[]): Promise<JoinResult[]> {
  const g = f.registry.groups;
  for (let round = 0; round < 4; round++) {
    const needs = members.some((m) => g.heartbeat('g', m.memberId, m.generation).rebalanceRequired);
    if (!needs) return members;
    members = await Promise.all(members.map((m) => g.join(req(m.memberId, { assignor }))));
  }
  throw new Error('group did not settle');
}

describe('GroupCoordinator', () => {
  test('one member: joins alone, gets every partition, Stable after its first heartbeat', async () => {
    const f = await setup();
    const g = f.registry.groups;
    const r = await g.join(req(''));
    expect(r.memberId).toMatch(/^c-/);
    expect(r.generation).toBe(1);
    expect(flat(r.assignment)).toHaveLength(6);
    expect(g.describe('g').state).toBe('CompletingRebalance');
    expect(g.heartbeat('g', r.memberId, 1)).toEqual({ rebalanceRequired: false });
    expect(g.describe('g').state).toBe('Stable');
    // Re-joining a Stable group unchanged is answered at once with the same generation.
    expect(await g.join(req(r.memberId))).toEqual(r);
  });

  test('two then three members: a join waits for every member to re-join, assignments partition the topic', async () => {
    const f = await setup();
    const g = f.registry.groups;
    const a1 = await g.join(req(''));
    const b = track(g.join(req('')));
    await Promise.resolve();
    expect(b.settled()).toBe(false);
    expect(g.describe('g').state).toBe('PreparingRebalance');
    expect(g.heartbeat('g', a1.memberId, a1.generation)).toEqual({ rebalanceRequired: true });
    const a2 = await g.join(req(a1.memberId));
    const b2 = await b.result;
    expect(a2.generation).toBe(2);
    expect(b2.generation).toBe(2);
    expect([...flat(a2.assignment), ...flat(b2.assignment)].sort()).toEqual(['t-0', 't-1', 't-2', 't-3', 't-4', 't-5']);
    expect(flat(a2.assignment)).toHaveLength(3);

    const c = track(g.join(req('')));
    const [a3, b3, c3] = await Promise.all([g.join(req(a2.memberId)), g.join(req(b2.memberId)), c.result]);
    expect([a3, b3, c3].map((r) => r.generation)).toEqual([3, 3, 3]);
    expect([a3, b3, c3].map((r) => flat(r.assignment).length)).toEqual([2, 2, 2]);
    await expectCode(() => g.heartbeat('g', a3.memberId, 2), 'ILLEGAL_GENERATION');
    await expectCode(() => g.heartbeat('g', 'nobody', 3), 'UNKNOWN_MEMBER');
    await expectCode(g.join(req('nobody')), 'UNKNOWN_MEMBER');
  });

  test('a member that does not re-join within the rebalance timeout is removed', async () => {
    const f = await setup();
    const g = f.registry.groups;
    const a = await g.join(req(''));
    const b = track(g.join(req('')));
    // a stays alive (heartbeats) but ignores rebalanceRequired.
    for (let t = 0; t < REBALANCE_MS - SESSION_MS / 2; t += SESSION_MS / 2) {
      f.clock.advance(SESSION_MS / 2);
      expect(g.heartbeat('g', a.memberId, a.generation).rebalanceRequired).toBe(true);
    }
    f.clock.advance(SESSION_MS / 2 - 1);
    await Promise.resolve();
    expect(b.settled()).toBe(false);
    f.clock.advance(1);
    const b1 = await b.result;
    expect(flat(b1.assignment)).toHaveLength(6);
    await expectCode(() => g.heartbeat('g', a.memberId, a.generation), 'UNKNOWN_MEMBER');
  });

  test('leave and session timeout remove members and rebalance the rest; heartbeats keep members alive', async () => {
    const f = await setup();
    const g = f.registry.groups;
    const a1 = await g.join(req(''));
    const bp = g.join(req(''));
    const [a, b] = await Promise.all([g.join(req(a1.memberId)), bp]);
    const c = track(g.join(req('')));
    const [a2, b2, c2] = await Promise.all([g.join(req(a.memberId)), g.join(req(b.memberId)), c.result]);

    // c leaves → a and b are told to rebalance and split the topic again.
    g.leave('g', c2.memberId);
    expect(g.heartbeat('g', a2.memberId, a2.generation).rebalanceRequired).toBe(true);
    const [a3, b3] = await Promise.all([g.join(req(a2.memberId)), g.join(req(b2.memberId))]);
    expect(flat(a3.assignment).length + flat(b3.assignment).length).toBe(6);

    // b stops heartbeating; a keeps going. After the session timeout b is gone.
    for (let t = 0; t < 3; t++) {
      f.clock.advance(SESSION_MS / 2);
      expect(g.heartbeat('g', a3.memberId, a3.generation).rebalanceRequired).toBe(t >= 1);
      if (t === 1) expect(g.describe('g').members.map((m) => m.memberId)).toEqual([a3.memberId]);
    }
    await expectCode(() => g.heartbeat('g', b3.memberId, b3.generation), 'UNKNOWN_MEMBER');
    const a4 = await g.join(req(a3.memberId));
    expect(flat(a4.assignment)).toHaveLength(6);

    // The last member timing out leaves the group Empty (it keeps no offsets, so it is forgotten).
    f.clock.advance(SESSION_MS);
    expect(g.describe('g').state).toBe('Dead');
    expect(g.list()).toEqual([]);
  });

  test('commits: generation checked, durable, fetchable; standalone commits only for groups without members', async () => {
    const f = await setup(2);
    const g = f.registry.groups;
    await g.commit('solo', [{ topic: 't', partition: 0, offset: 0 }]); // simple consumer, no group membership
    const a = await g.join(req(''));
    await g.commit('g', [{ topic: 't', partition: 1, offset: 0, metadata: 'x' }], a.memberId, a.generation);
    expect(g.describe('g').state).toBe('Stable'); // a commit in the generation counts as the member's sync
    await expectCode(g.commit('g', [{ topic: 't', partition: 1, offset: 1 }], a.memberId, a.generation - 1), 'ILLEGAL_GENERATION');
    await expectCode(g.commit('g', [{ topic: 't', partition: 1, offset: 1 }]), 'UNKNOWN_MEMBER');
    await expectCode(g.commit('g', [{ topic: 'nope', partition: 0, offset: 1 }], a.memberId, a.generation), 'UNKNOWN_TOPIC');
    await expectCode(g.commit('g', [{ topic: 't', partition: 2, offset: 1 }], a.memberId, a.generation), 'UNKNOWN_PARTITION');
    await expectCode(g.commit('g', [{ topic: 't', partition: 0, offset: -1 }], a.memberId, a.generation), 'INVALID_ARGUMENT');
    expect(g.fetchOffsets('g')).toEqual([{ topic: 't', partition: 1, offset: 0, metadata: 'x' }]);
    expect(g.fetchOffsets('g', 'other')).toEqual([]);
    expect(f.meta.list('group-offsets//')).toHaveLength(2);
    expect(g.list()).toEqual(['g', 'solo']);
  });

  test('describe reports members and lag per partition (endOffset − committed)', async () => {
    const f = await setup(2);
    const { registry } = f;
    const batches = registry.produce('t', [
      { key: null, value: Buffer.from('a'), headers: null, partition: 0 },
      { key: null, value: Buffer.from('b'), headers: null, partition: 0 },
      { key: null, value: Buffer.from('c'), headers: null, partition: 1 },
    ]);
    await Promise.all(batches.map((b) => b.durable));
    const a = await registry.groups.join(req('', { clientId: 'billing' }));
    await registry.groups.commit('g', [{ topic: 't', partition: 0, offset: 1 }], a.memberId, a.generation);
    const info = registry.groups.describe('g');
    expect(info.members).toEqual([
      { memberId: a.memberId, clientId: 'billing', assignment: a.assignment, lastHeartbeatMs: f.clock.nowMs },
    ]);
    expect(info.lag).toEqual([
      { topic: 't', partition: 0, committed: 1, endOffset: 2, lag: 1 },
      { topic: 't', partition: 1, committed: null, endOffset: 1, lag: 1 },
    ]);
    expect(registry.groups.describe('unknown').state).toBe('Dead');
  });

  test('resetOffsets: earliest, latest, offset, timestamp; refused while members are active', async () => {
    const f = await setup(1);
    const { registry, clock } = f;
    const t0 = clock.nowMs;
    await registry.produce('t', [0, 1, 2, 3].map((i) => ({ key: null, value: Buffer.from(`v${i}`), headers: null, timestamp: t0 + i * 1000 })))[0].durable;
    const g = registry.groups;
    expect(await g.resetOffsets('g', 't', { to: 'latest' })).toEqual([{ topic: 't', partition: 0, offset: 4 }]);
    expect(await g.resetOffsets('g', 't', { to: 'earliest' })).toEqual([{ topic: 't', partition: 0, offset: 0 }]);
    expect(await g.resetOffsets('g', 't', { to: 'offset', offset: 2 })).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
    expect(await g.resetOffsets('g', 't', { to: 'offset', offset: 99 })).toEqual([{ topic: 't', partition: 0, offset: 4 }]);
    expect(await g.resetOffsets('g', 't', { to: 'timestamp', timestampMs: t0 + 1500 })).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
    expect(g.fetchOffsets('g')).toEqual([{ topic: 't', partition: 0, offset: 2 }]);
    await expectCode(g.resetOffsets('g', 'nope', { to: 'latest' }), 'UNKNOWN_TOPIC');
    const a = await g.join(req(''));
    await expectCode(g.resetOffsets('g', 't', { to: 'earliest' }), 'REBALANCE_IN_PROGRESS');
    await expectCode(g.deleteGroup('g'), 'PRECONDITION_FAILED');
    g.leave('g', a.memberId);
    expect(g.describe('g').state).toBe('Empty'); // it has offsets, so it is remembered
    await g.deleteGroup('g');
    expect(g.describe('g').state).toBe('Dead');
    expect(g.fetchOffsets('g')).toEqual([]);
    await expectCode(g.deleteGroup('g'), 'NOT_FOUND');
  });

  test('cooperative-sticky: a partition never has two owners in one generation; the group converges', async () => {
    const f = await setup(6);
    const g = f.registry.groups;
    const owners = new Map<number, Map<string, string>>(); // generation → partition → member
    const record = (rs: JoinResult[]): void => {
      for (const r of rs) {
        let gen = owners.get(r.generation);
        if (gen === undefined) owners.set(r.generation, (gen = new Map()));
        for (const k of flat(r.assignment)) {
          expect(gen.get(k) ?? r.memberId).toBe(r.memberId);
          gen.set(k, r.memberId);
        }
      }
    };
    const coop = (memberId: string): JoinRequest => req(memberId, { assignor: 'cooperative-sticky' });
    const a = await g.join(coop(''));
    record([a]);
    const bp = g.join(coop(''));
    let members: JoinResult[] = await Promise.all([g.join(coop(a.memberId)), bp]);
    record(members);
    // Generation 2 revoked half of a's partitions without giving them to b; a follow-up rebalance is under way.
    expect(flat(members[0].assignment)).toHaveLength(3);
    expect(flat(members[1].assignment)).toHaveLength(0);
    expect(g.describe('g').state).toBe('PreparingRebalance');
    const aBefore = new Set(flat(members[0].assignment));
    members = await settle(f, 'cooperative-sticky', members);
    record(members);
    expect(members.map((m) => m.generation)).toEqual([3, 3]);
    expect(members.map((m) => flat(m.assignment).length)).toEqual([3, 3]);
    expect(new Set(flat(members[0].assignment))).toEqual(aBefore); // a kept what it had: sticky

    const cp = g.join(coop(''));
    let three: JoinResult[] = await Promise.all([g.join(coop(members[0].memberId)), g.join(coop(members[1].memberId)), cp]);
    record(three);
    three = await settle(f, 'cooperative-sticky', three);
    record(three);
    expect(three.map((m) => flat(m.assignment).length)).toEqual([2, 2, 2]);
  });

  test('a new topic triggers a rebalance of subscribed groups; assignors must agree; close fails waiting joins', async () => {
    const f = await setup(2);
    const g = f.registry.groups;
    const a = await g.join(req('', { topics: ['t', 'later'] }));
    expect(flat(a.assignment)).toEqual(['t-0', 't-1']);
    await f.registry.createTopic({ name: 'later', partitions: 1, retention: {} });
    expect(g.heartbeat('g', a.memberId, a.generation).rebalanceRequired).toBe(true);
    const a2 = await g.join(req(a.memberId, { topics: ['t', 'later'] }));
    expect(flat(a2.assignment)).toEqual(['later-0', 't-0', 't-1']);
    await expectCode(g.join(req('', { assignor: 'roundrobin' })), 'INVALID_ARGUMENT');
    await expectCode(g.join(req('', { sessionTimeoutMs: 1 })), 'INVALID_ARGUMENT');
    await expectCode(g.join(req('', { groupId: '' })), 'INVALID_ARGUMENT');
    const pending = track(g.join(req('')));
    f.registry.close();
    await expectCode(pending.result, 'BROKER_STOPPING');
    expect(f.clock.pending()).toBe(0);
  });
});
