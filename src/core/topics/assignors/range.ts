/**
 * Kafka's RangeAssignor: per topic, the subscribed members (sorted by id) get consecutive ranges; the first
 * (partitions % members) members get one extra. Balanced ±1 per topic; across topics the first members may carry
 * more (a known property of range, which is why it co-partitions: member i gets the same partition numbers of
 * every topic with equal partition counts).
 */
import type { AssignorInput, AssignorOutput, PartitionKey } from './assignor';
import { byString, partitionKey, sortedMembers, toTopicPartitions } from './assignor';

export function rangeAssign(input: AssignorInput): AssignorOutput {
  const members = sortedMembers(input.members);
  const owned = new Map<string, PartitionKey[]>(members.map((m) => [m.memberId, []]));
  const topics = [...input.partitionsPerTopic.keys()].sort(byString);
  for (const topic of topics) {
    const count = input.partitionsPerTopic.get(topic) ?? 0;
    const subscribers = members.filter((m) => m.topics.includes(topic));
    if (subscribers.length === 0) continue;
    const per = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    subscribers.forEach((m, i) => {
      const start = per * i + Math.min(i, extra);
      const length = per + (i < extra ? 1 : 0);
      const list = owned.get(m.memberId) as PartitionKey[];
      for (let p = start; p < start + length; p++) list.push(partitionKey(topic, p));
    });
  }
  const assignment = new Map([...owned.entries()].map(([id, keys]) => [id, toTopicPartitions(keys)]));
  return { assignment, revocationsPending: false };
}
