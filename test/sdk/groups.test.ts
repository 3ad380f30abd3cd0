/**
 * Consumer groups through the SDK: partitions are rebalanced when members join, leave and die (a member that
 * stops heartbeating is removed after its short session timeout), and no record is lost across rebalances.
 */
import { Admin, Consumer, PolymqClient, Producer, type ConsumedRecord } from '../../src/sdk';
import type { TopicPartitions } from '../../src/core/types';
import { startBroker, waitFor, type InProcessBroker } from '../helpers/broker';

let b: InProcessBroker;
let broker: string;
let admin: Admin;

const FAST = { sessionTimeoutMs: 1_500, heartbeatIntervalMs: 100, rebalanceTimeoutMs: 3_000, maxWaitMs: 100 };

beforeAll(async () => {
  b = await startBroker();
  broker = `127.0.0.1:${b.ports.native}`;
  admin = new Admin({ broker });
  await admin.createTopic('work', { partitions: 4 });
});

afterAll(async () => {
  await admin.close();
  await b.stop();
});

function count(a: TopicPartitions[]): number {
  return a.reduce((s, t) => s + t.partitions.length, 0);
}

/** Drains a consumer in the background into `sink` until it is closed. */
function drain(c: Consumer, sink: ConsumedRecord[]): Promise<void> {
  return (async () => {
    for (;;) {
      const r = await c.nextRecord();
      if (r === null) return;
      sink.push(r);
    }
  })();
}

test('join, leave and death rebalance the partitions; every record is consumed', async () => {
  const producer = new Producer({ broker, lingerMs: 1 });
  const seen: ConsumedRecord[] = [];
  let sent = 0;
  const produceSome = async (n: number): Promise<void> => {
    const batch = [];
    for (let i = 0; i < n; i++) batch.push({ key: `k${sent + i}`, value: `m${sent + i}` });
    sent += n;
    await producer.sendBatch('work', batch);
  };

  const c1 = new Consumer({ broker, groupId: 'workers', ...FAST });
  await c1.subscribe(['work']);
  const d1 = drain(c1, seen);
  expect(count(c1.assignment())).toBe(4);
  await produceSome(50);

  // A second member joins: the four partitions are split two and two.
  const c2 = new Consumer({ broker, groupId: 'workers', ...FAST });
  await c2.subscribe(['work']);
  const d2 = drain(c2, seen);
  await waitFor(() => count(c1.assignment()) === 2 && count(c2.assignment()) === 2, 10_000, 'split 2/2');
  await produceSome(50);

  // A third member joins by hand and then dies: it never heartbeats, its session times out.
  const zombie = new PolymqClient({ broker, reconnect: false });
  await zombie.connect();
  const joined = zombie.joinGroup({
    groupId: 'workers',
    memberId: '',
    clientId: 'zombie',
    topics: ['work'],
    assignor: 'range',
    sessionTimeoutMs: 500,
    rebalanceTimeoutMs: 3_000,
  });
  const z = await joined;
  expect(count(z.assignment)).toBeGreaterThan(0);
  await zombie.close();
  await waitFor(async () => (await admin.describeGroup('workers')).members.length === 2, 10_000, 'zombie removed');
  await waitFor(() => count(c1.assignment()) + count(c2.assignment()) === 4, 10_000, 'zombie partitions reassigned');
  await produceSome(50);

  // c2 leaves politely: c1 owns everything again.
  await c2.close();
  await d2;
  await waitFor(() => count(c1.assignment()) === 4, 10_000, 'c1 owns all');
  await produceSome(50);

  await producer.close();
  const distinct = (): Set<string> => new Set(seen.map((r) => r.value.toString()));
  await waitFor(() => distinct().size === sent, 15_000, 'every record consumed');
  await c1.close();
  await d1;
  const g = await admin.describeGroup('workers');
  expect(g.members).toHaveLength(0);
  expect(g.lag.reduce((s, l) => s + l.lag, 0)).toBe(0);
});
