import type { TopicPartitions } from '../../../src/core/types';
import type { AssignorInput, AssignorMember } from '../../../src/core/topics/assignors';
import { ASSIGNORS } from '../../../src/core/topics/assignors';
import { cooperativeStickyAssign } from '../../../src/core/topics/assignors/cooperative-sticky';
import { rangeAssign } from '../../../src/core/topics/assignors/range';
import { roundRobinAssign } from '../../../src/core/topics/assignors/roundrobin';
import { mulberry32 as rng } from '../../helpers/prng';

function flat(tps: readonly TopicPartitions[]): string[] {
  return tps.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}-${p}`));
}

function members(n: number, topics: string[], owned: Map<string, TopicPartitions[]> = new Map()): AssignorMember[] {
  return Array.from({ length: n }, (_, i) => {
    const memberId = `m${String(i).padStart(3, '0')}`;
    return { memberId, topics, owned: owned.get(memberId) ?? [] };
  });
}

function allOf(partitionsPerTopic: Map<string, number>): string[] {
  return [...partitionsPerTopic].flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`));
}

/** Every partition exactly once across members. */
function expectExactlyOnce(assignment: Map<string, TopicPartitions[]>, partitionsPerTopic: Map<string, number>): void {
  const seen = [...assignment.values()].flatMap(flat);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.sort()).toEqual(allOf(partitionsPerTopic).sort());
}

function counts(assignment: Map<string, TopicPartitions[]>): number[] {
  return [...assignment.values()].map((tps) => flat(tps).length);
}

describe('range assignor', () => {
  test('consecutive ranges per topic, first members get the extra (Kafka example)', () => {
    const ppt = new Map([['t0', 3], ['t1', 3]]);
    const out = rangeAssign({ members: members(2, ['t0', 't1']), partitionsPerTopic: ppt });
    expect(out.assignment.get('m000')).toEqual([{ topic: 't0', partitions: [0, 1] }, { topic: 't1', partitions: [0, 1] }]);
    expect(out.assignment.get('m001')).toEqual([{ topic: 't0', partitions: [2] }, { topic: 't1', partitions: [2] }]);
    expectExactlyOnce(out.assignment, ppt);
  });

  test('balanced ±1 per topic, only subscribers receive a topic', () => {
    const ppt = new Map([['a', 7], ['b', 5]]);
    const ms = [...members(3, ['a']), { memberId: 'x', topics: ['a', 'b'], owned: [] }];
    const out = rangeAssign({ members: ms, partitionsPerTopic: ppt });
    expectExactlyOnce(out.assignment, ppt);
    const perA = ms.map((m) => flat(out.assignment.get(m.memberId) ?? []).filter((k) => k.startsWith('a-')).length);
    expect(Math.max(...perA) - Math.min(...perA)).toBeLessThanOrEqual(1);
    expect(flat(out.assignment.get('x') ?? []).filter((k) => k.startsWith('b-'))).toHaveLength(5);
  });
});

describe('roundrobin assignor', () => {
  test('deals partitions in turn, balanced ±1 overall', () => {
    const ppt = new Map([['t0', 3], ['t1', 3]]);
    const out = roundRobinAssign({ members: members(2, ['t0', 't1']), partitionsPerTopic: ppt });
    expect(out.assignment.get('m000')).toEqual([{ topic: 't0', partitions: [0, 2] }, { topic: 't1', partitions: [1] }]);
    expectExactlyOnce(out.assignment, ppt);
    for (let n = 1; n <= 9; n++) {
      const c = counts(roundRobinAssign({ members: members(n, ['t0', 't1']), partitionsPerTopic: ppt }).assignment);
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    }
  });
});

describe.each(Object.entries(ASSIGNORS))('%s: shared properties', (_name, assign) => {
  test('exactly once and deterministic for 1..12 members over 3 topics', () => {
    const ppt = new Map([['a', 4], ['b', 7], ['c', 1]]);
    for (let n = 1; n <= 12; n++) {
      const input: AssignorInput = { members: members(n, ['a', 'b', 'c']), partitionsPerTopic: ppt };
      const out = assign(input);
      const reversed = assign({ ...input, members: [...input.members].reverse() });
      expect(out.revocationsPending).toBe(false);
      expectExactlyOnce(out.assignment, ppt);
      expect(reversed.assignment).toEqual(out.assignment);
    }
  });

  test('members without subscriptions get nothing; no members → nothing', () => {
    const ppt = new Map([['a', 3]]);
    const out = assign({ members: [{ memberId: 'z', topics: [], owned: [] }], partitionsPerTopic: ppt });
    expect(out.assignment.get('z')).toEqual([]);
    expect(assign({ members: [], partitionsPerTopic: ppt }).assignment.size).toBe(0);
  });
});

describe('cooperative-sticky assignor', () => {
  const ppt = new Map([['orders', 12]]);

  test('a new member takes only the surplus, via revoke-then-assign over two generations', () => {
    const gen1 = cooperativeStickyAssign({ members: members(2, ['orders']), partitionsPerTopic: ppt });
    expect(counts(gen1.assignment)).toEqual([6, 6]);
    // m002 joins: each old member must give up 2; they are withheld from everyone in this generation.
    const gen2 = cooperativeStickyAssign({ members: members(3, ['orders'], gen1.assignment), partitionsPerTopic: ppt });
    expect(gen2.revocationsPending).toBe(true);
    expect(counts(gen2.assignment)).toEqual([4, 4, 0]);
    for (const id of ['m000', 'm001']) {
      const before = new Set(flat(gen1.assignment.get(id) ?? []));
      for (const k of flat(gen2.assignment.get(id) ?? [])) expect(before.has(k)).toBe(true);
    }
    const gen3 = cooperativeStickyAssign({ members: members(3, ['orders'], gen2.assignment), partitionsPerTopic: ppt });
    expect(gen3.revocationsPending).toBe(false);
    expect(counts(gen3.assignment)).toEqual([4, 4, 4]);
    expectExactlyOnce(gen3.assignment, ppt);
    // Stickiness: old members kept exactly what they had in gen2.
    expect(gen3.assignment.get('m000')).toEqual(gen2.assignment.get('m000'));
    expect(gen3.assignment.get('m001')).toEqual(gen2.assignment.get('m001'));
  });

  test('a leaving member frees its partitions at once (no revocation needed)', () => {
    const gen1 = cooperativeStickyAssign({ members: members(3, ['orders']), partitionsPerTopic: ppt });
    const remaining = members(3, ['orders'], gen1.assignment).slice(0, 2);
    const gen2 = cooperativeStickyAssign({ members: remaining, partitionsPerTopic: ppt });
    expect(gen2.revocationsPending).toBe(false);
    expectExactlyOnce(gen2.assignment, ppt);
    expect(counts(gen2.assignment)).toEqual([6, 6]);
    for (const id of ['m000', 'm001']) {
      const now = new Set(flat(gen2.assignment.get(id) ?? []));
      for (const k of flat(gen1.assignment.get(id) ?? [])) expect(now.has(k)).toBe(true);
    }
  });

  test('property: random joins/leaves never double-assign, converge balanced ±1, and move little', () => {
    const random = rng(42);
    const topics = new Map([['a', 10], ['b', 7]]);
    let live: string[] = ['m0'];
    let owned = new Map<string, TopicPartitions[]>();
    let nextId = 1;
    for (let step = 0; step < 60; step++) {
      if (live.length > 1 && random() < 0.4) live.splice(Math.floor(random() * live.length), 1);
      else if (live.length < 20) live.push(`m${nextId++}`);
      live = [...live];
      const before = owned;
      let rounds = 0;
      for (;;) {
        const input: AssignorInput = {
          members: live.map((memberId) => ({ memberId, topics: ['a', 'b'], owned: owned.get(memberId) ?? [] })),
          partitionsPerTopic: topics,
        };
        const out = cooperativeStickyAssign(input);
        const all = [...out.assignment.values()].flatMap(flat);
        expect(new Set(all).size).toBe(all.length); // never two owners in one generation
        // Everything a member keeps from the previous generation was its own.
        for (const id of live) {
          const prev = new Set(flat(owned.get(id) ?? []));
          const othersPrev = new Set(live.filter((o) => o !== id).flatMap((o) => flat(owned.get(o) ?? [])));
          for (const k of flat(out.assignment.get(id) ?? [])) expect(othersPrev.has(k) && !prev.has(k)).toBe(false);
        }
        owned = out.assignment;
        rounds++;
        if (!out.revocationsPending) break;
        expect(rounds).toBeLessThan(3);
      }
      expectExactlyOnce(owned, topics);
      const c = counts(owned);
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
      // Moving little: a member gives up only what exceeds its fair share.
      const floorShare = Math.floor(17 / live.length);
      for (const id of live) {
        const prev = flat(before.get(id) ?? []);
        const now = new Set(flat(owned.get(id) ?? []));
        const lost = prev.filter((k) => !now.has(k)).length;
        expect(lost).toBeLessThanOrEqual(Math.max(0, prev.length - floorShare));
      }
    }
  });

  test('property: mixed subscriptions — only subscribers own a topic, never two owners, everything subscribed is assigned', () => {
    const random = rng(7);
    const topics = new Map([['a', 5], ['b', 9], ['c', 2]]);
    const names = ['a', 'b', 'c'];
    let owned = new Map<string, TopicPartitions[]>();
    let live = new Map<string, string[]>([['m0', ['a']]]);
    let nextId = 1;
    for (let step = 0; step < 40; step++) {
      live = new Map(live);
      if (live.size > 1 && random() < 0.35) live.delete([...live.keys()][Math.floor(random() * live.size)]);
      else live.set(`m${nextId++}`, names.filter(() => random() < 0.6));
      for (let round = 0; ; round++) {
        const out = cooperativeStickyAssign({
          members: [...live].map(([memberId, ts]) => ({ memberId, topics: ts, owned: owned.get(memberId) ?? [] })),
          partitionsPerTopic: topics,
        });
        const all = [...out.assignment.values()].flatMap(flat);
        expect(new Set(all).size).toBe(all.length);
        for (const [id, tps] of out.assignment) for (const tp of tps) expect(live.get(id)).toContain(tp.topic);
        owned = out.assignment;
        if (!out.revocationsPending) break;
        expect(round).toBeLessThan(3);
      }
      const subscribed = new Set([...live.values()].flat());
      const expected = [...topics].filter(([t]) => subscribed.has(t)).flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`));
      expect([...owned.values()].flatMap(flat).sort()).toEqual(expected.sort());
    }
  });
});
