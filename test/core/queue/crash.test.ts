import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SqliteLogStore } from '../../../storage/sqlite-store';
import { SqliteMetaStore } from '../../../storage/sqlite-meta-store';
import { CRASH_QUEUE } from './crash-child';
import { makeQueue } from './helpers';
import { sqliteOptions } from '../../storage/helpers';

interface ChildReport {
  ready?: boolean;
  published?: string[];
  acking?: string[];
  ackedDurable?: string[];
}

describe('classic queue: kill -9', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'polymq-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('after a crash nothing published is lost, persisted acks stay acked, unacked come back redelivered', async () => {
    const published = new Set<string>();
    const acking = new Set<string>();
    const ackedDurable = new Set<string>();
    const child = fork(path.join(__dirname, 'crash-child.js'), [dir], { stdio: 'ignore' });
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const killAfterRounds = 5 + Math.floor(Math.random() * 20);
    let rounds = 0;
    child.on('message', (m: ChildReport) => {
      for (const b of m.published ?? []) published.add(b);
      for (const b of m.acking ?? []) acking.add(b);
      for (const b of m.ackedDurable ?? []) ackedDurable.add(b);
      if (m.published !== undefined && ++rounds === killAfterRounds) child.kill('SIGKILL');
    });
    await closed;
    expect(rounds).toBeGreaterThanOrEqual(killAfterRounds);

    const store = new SqliteLogStore(sqliteOptions(dir));
    await store.open();
    const meta = SqliteMetaStore.open(path.join(dir, 'meta.sqlite'), 'full');
    try {
      const { q } = makeQueue({ name: CRASH_QUEUE, durable: true, store, meta });
      await q.recover();
      const remaining: string[] = [];
      const redelivered = new Map<string, boolean>();
      for (let d = q.get(true, 'parent'); d !== null; d = q.get(true, 'parent')) {
        const body = d.message.body.toString();
        remaining.push(body);
        redelivered.set(body, d.redelivered);
      }
      const left = new Set(remaining);
      expect(left.size).toBe(remaining.length); // no duplicates
      const lost = [...published].filter((b) => !left.has(b) && !acking.has(b));
      expect(lost).toEqual([]);
      const resurrected = [...ackedDurable].filter((b) => left.has(b));
      expect(resurrected).toEqual([]);
      // Taken but not acked before the crash: back, flagged redelivered.
      const unackedTaken = remaining.filter((b) => published.has(b) && !acking.has(b) && redelivered.get(b) === true);
      expect(unackedTaken.length).toBeGreaterThan(0);
      q.close();
    } finally {
      await store.close();
      await meta.close();
    }
  });
});
