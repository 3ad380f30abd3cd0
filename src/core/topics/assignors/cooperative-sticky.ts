/**
 * Cooperative sticky assignor (Kafka's CooperativeStickyAssignor, KIP-429), computed broker-side:
 *   1. every member keeps the partitions it owned that still exist and that it still subscribes to
 *      (a partition claimed by two members — impossible unless state was lost — stays with the first by id);
 *   2. unowned partitions go one by one to the least loaded subscribed member;
 *   3. with identical subscriptions, quotas ⌊P/M⌋/⌈P/M⌉ and only the surplus over a quota moves (stickiness);
 *      then, while some member holds two more partitions than another member that could take one, one moves
 *      (mixed subscriptions);
 *   4. cooperative step: a partition that moves from one current member to another is withheld this generation
 *      (revoked from the old owner, given to nobody) and `revocationsPending` asks the coordinator for a
 *      follow-up rebalance, in which it is unowned and assigned. No partition is ever owned by two members in
 *      one generation.
 */
import type { AssignorInput, AssignorOutput, PartitionKey } from './assignor';
import { byString, comparePartitionKeys, partitionKey, sortedMembers, splitKey, toTopicPartitions } from './assignor';

export function cooperativeStickyAssign(input: AssignorInput): AssignorOutput {
  const members = sortedMembers(input.members);
  const topicsOf = new Map(members.map((m) => [m.memberId, new Set(m.topics)]));
  const all = allPartitions(input, members.flatMap((m) => m.topics));
  const exists = new Set(all);
  const previousOwner = new Map<PartitionKey, string>();
  const target = new Map<string, Set<PartitionKey>>(members.map((m) => [m.memberId, new Set()]));
  const subscribes = (memberId: string, key: PartitionKey): boolean =>
    (topicsOf.get(memberId) as Set<string>).has(splitKey(key)[0]);

  // 1. Keep what is still valid.
  for (const m of members) {
    for (const tp of m.owned) {
      for (const p of tp.partitions) {
        const key = partitionKey(tp.topic, p);
        if (!exists.has(key) || previousOwner.has(key) || !subscribes(m.memberId, key)) continue;
        previousOwner.set(key, m.memberId);
        (target.get(m.memberId) as Set<PartitionKey>).add(key);
      }
    }
  }

  // 2. Unowned partitions to the least loaded subscriber (ties: lowest member id), per topic with a min-heap so
  // that 1000 members × 1024 partitions stays in milliseconds.
  const unowned = new Map<string, PartitionKey[]>();
  for (const key of all) {
    if (previousOwner.has(key)) continue;
    const topic = splitKey(key)[0];
    let list = unowned.get(topic);
    if (list === undefined) unowned.set(topic, (list = []));
    list.push(key);
  }
  for (const [topic, keys] of unowned) {
    const subscribers = members.filter((m) => (topicsOf.get(m.memberId) as Set<string>).has(topic));
    const heap = new LoadHeap(subscribers.map((m) => m.memberId), target);
    for (const key of keys) {
      const best = heap.popLeast();
      if (best === undefined) break;
      (target.get(best) as Set<PartitionKey>).add(key);
      heap.push(best);
    }
  }

  // 3. Even out. With identical subscriptions (the common case) in one pass: quotas of ⌊P/M⌋ or ⌈P/M⌉, the larger
  // ones for the members holding most, surplus shed into a pool and dealt to those below quota.
  if (identicalSubscriptions(members)) shedToQuotas(members.map((m) => m.memberId), target, previousOwner, all.length);
  // Then (and for mixed subscriptions) move one partition at a time from a member with ≥ 2 more than a member
  // that can take it. Each move lowers the sum of squared loads, so the loop ends; the bound is a guard, not the expected path.
  for (let moves = 0; moves <= all.length * Math.max(1, members.length); moves++) {
    if (!moveOne(members.map((m) => m.memberId), target, previousOwner, subscribes)) break;
  }

  // 4. Withhold partitions that change hands between two current members.
  let revocationsPending = false;
  const assignment = new Map<string, ReturnType<typeof toTopicPartitions>>();
  for (const m of members) {
    const keep: PartitionKey[] = [];
    for (const key of target.get(m.memberId) as Set<PartitionKey>) {
      const owner = previousOwner.get(key);
      if (owner !== undefined && owner !== m.memberId) revocationsPending = true;
      else keep.push(key);
    }
    assignment.set(m.memberId, toTopicPartitions(keep));
  }
  return { assignment, revocationsPending };
}

function allPartitions(input: AssignorInput, subscribed: readonly string[]): PartitionKey[] {
  const topics = [...new Set(subscribed)].filter((t) => input.partitionsPerTopic.has(t)).sort(byString);
  const out: PartitionKey[] = [];
  for (const topic of topics) {
    const count = input.partitionsPerTopic.get(topic) ?? 0;
    for (let p = 0; p < count; p++) out.push(partitionKey(topic, p));
  }
  return out;
}

function sizeOf(target: Map<string, Set<PartitionKey>>, memberId: string): number {
  return (target.get(memberId) as Set<PartitionKey>).size;
}

function identicalSubscriptions(members: readonly { topics: readonly string[] }[]): boolean {
  const sig = (topics: readonly string[]): string => [...new Set(topics)].sort(byString).join('\u0000');
  return members.every((m) => sig(m.topics) === sig(members[0].topics));
}

function shedToQuotas(
  ids: readonly string[],
  target: Map<string, Set<PartitionKey>>,
  previousOwner: Map<PartitionKey, string>,
  total: number,
): void {
  if (ids.length === 0) return;
  const base = Math.floor(total / ids.length);
  let extra = total % ids.length;
  const byLoad = [...ids].sort((a, b) => sizeOf(target, b) - sizeOf(target, a) || byString(a, b));
  const quota = new Map<string, number>();
  for (const id of byLoad) quota.set(id, base + (extra-- > 0 ? 1 : 0));
  const pool: PartitionKey[] = [];
  for (const id of byLoad) {
    const set = target.get(id) as Set<PartitionKey>;
    const excess = set.size - (quota.get(id) as number);
    if (excess <= 0) continue;
    // Shed what the member only just received first (no revocation), then its highest-numbered partitions.
    const order = [...set].sort((a, b) => {
      const freshA = previousOwner.get(a) !== id ? 1 : 0;
      const freshB = previousOwner.get(b) !== id ? 1 : 0;
      return freshB - freshA || comparePartitionKeys(b, a);
    });
    for (const key of order.slice(0, excess)) {
      set.delete(key);
      pool.push(key);
    }
  }
  const below = new LoadHeap(
    byLoad.filter((id) => sizeOf(target, id) < (quota.get(id) as number)),
    target,
  );
  for (const key of pool.sort(comparePartitionKeys)) {
    // Quotas sum to the partitions held, so someone is always below quota; the fallback only guards that.
    const id = below.popLeast() ?? byLoad[byLoad.length - 1];
    (target.get(id) as Set<PartitionKey>).add(key);
    if (sizeOf(target, id) < (quota.get(id) as number)) below.push(id);
  }
}

/** Moves one partition from the most loaded member that can give one; prefers partitions it did not own before. */
function moveOne(
  ids: readonly string[],
  target: Map<string, Set<PartitionKey>>,
  previousOwner: Map<PartitionKey, string>,
  subscribes: (memberId: string, key: PartitionKey) => boolean,
): boolean {
  const byLoadDesc = [...ids].sort((a, b) => sizeOf(target, b) - sizeOf(target, a) || byString(a, b));
  const byLoadAsc = [...byLoadDesc].reverse();
  for (const from of byLoadDesc) {
    const fromSet = target.get(from) as Set<PartitionKey>;
    for (const to of byLoadAsc) {
      if (sizeOf(target, to) + 1 >= fromSet.size) break;
      const candidates = [...fromSet].filter((key) => subscribes(to, key));
      if (candidates.length === 0) continue;
      // Moving a partition `from` only just received costs no revocation; else move the highest-numbered one.
      const fresh = candidates.filter((key) => previousOwner.get(key) !== from);
      const pool = (fresh.length > 0 ? fresh : candidates).sort(comparePartitionKeys);
      const pick = pool[pool.length - 1];
      fromSet.delete(pick);
      (target.get(to) as Set<PartitionKey>).add(pick);
      return true;
    }
  }
  return false;
}

/** Members ordered by current load, then id: the least loaded pops first. */
class LoadHeap {
  private readonly items: string[] = [];

  constructor(
    ids: readonly string[],
    private readonly target: Map<string, Set<PartitionKey>>,
  ) {
    for (const id of ids) this.push(id);
  }

  push(id: string): void {
    const a = this.items;
    a.push(id);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(a[i], a[parent])) break;
      [a[i], a[parent]] = [a[parent], a[i]];
      i = parent;
    }
  }

  popLeast(): string | undefined {
    const a = this.items;
    if (a.length === 0) return undefined;
    const top = a[0];
    const last = a.pop() as string;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l], a[m])) m = l;
        if (r < a.length && this.less(a[r], a[m])) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m], a[i]];
        i = m;
      }
    }
    return top;
  }

  private less(x: string, y: string): boolean {
    const d = sizeOf(this.target, x) - sizeOf(this.target, y);
    return d < 0 || (d === 0 && x < y);
  }
}
