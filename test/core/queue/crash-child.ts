/**
 * Child process for the queue crash test (not a test itself): `node crash-child.js <dataDir>` runs a durable
 * queue on SQLite that publishes, consumes and acks in rounds until the parent SIGKILLs it. It reports to the
 * parent, always before acting on it: {published: bodies} once they are committed, {acking: bodies} before
 * acking them (some are acked before their commit, so their records are withdrawn unwritten), and {ackedDurable: bodies} once the delivery state holding those acks is persisted.
 */
import path from 'node:path';
import { SqliteLogStore } from '../../../storage/sqlite-store';
import { SqliteMetaStore } from '../../../storage/sqlite-meta-store';
import { makeQueue, msg } from './helpers';
import { sqliteOptions } from '../../storage/helpers';

export const CRASH_QUEUE = 'cq';

function send(m: unknown): Promise<void> {
  return new Promise((resolve) => process.send?.(m, () => resolve()));
}

async function main(dataDir: string): Promise<void> {
  const store = new SqliteLogStore(sqliteOptions(dataDir));
  await store.open();
  const meta = SqliteMetaStore.open(path.join(dataDir, 'meta.sqlite'), 'full');
  const { q } = makeQueue({ name: CRASH_QUEUE, durable: true, store, meta });
  await q.recover();
  await send({ ready: true });
  for (let round = 0; ; round++) {
    const bodies = Array.from({ length: 20 }, (_, i) => `r${round}-${i}`);
    const committed = Promise.all(bodies.map((b) => q.enqueue(msg(b, { deliveryMode: 2 }))));
    // A consumer that keeps up takes and acks some before they are committed: those need never be written
    // (LogHandle.withdraw), yet everything confirmed must still be either acked or in the queue after a crash.
    const early = [];
    for (let i = 0; i < 6; i++) {
      const d = q.get(false, 'child');
      if (d !== null) early.push(d);
    }
    await send({ acking: early.map((d) => d.message.body.toString()) });
    q.ack(early.map((d) => d.id));
    await committed;
    await send({ published: bodies });
    const got = [];
    for (let d = q.get(false, 'child'); d !== null; d = q.get(false, 'child')) got.push(d);
    const acking = got.filter((_, i) => i % 4 !== 3); // leave some unacked: they must come back
    await send({ acking: acking.map((d) => d.message.body.toString()) });
    q.ack(acking.map((d) => d.id));
    if (round % 2 === 1) {
      await q.flushState();
      await send({ ackedDurable: acking.map((d) => d.message.body.toString()) });
    }
  }
}

if (require.main === module) void main(process.argv[2]);
