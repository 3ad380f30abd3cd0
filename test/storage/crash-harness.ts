/**
 * The kill -9 harness shared by the storage crash tests: run crash-child.js in 'ack' mode, SIGKILL it after a
 * number of acknowledged appends, then check that every acknowledged record is readable exactly once.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import type { SqliteLogStore } from '../../storage/sqlite-store';
import { CRASH_LOGS, valueFor } from './crash-child';

export interface KilledChild {
  /** Per log: one past the highest acknowledged offset. */
  acked: Map<string, number>;
  acks: number;
}

/** Forks crash-child.js with `args` and SIGKILLs it once it has reported `killAfter` acknowledged appends. */
export async function killAfterAcks(args: string[], killAfter: number): Promise<KilledChild> {
  const child = fork(path.join(__dirname, 'crash-child.js'), args, { stdio: 'ignore' });
  const acked = new Map<string, number>(CRASH_LOGS.map((n) => [n, 0]));
  let acks = 0;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    child.on('message', (m: { log?: string; from?: number; count?: number }) => {
      if (m.log === undefined || m.from === undefined || m.count === undefined) return;
      acked.set(m.log, Math.max(acked.get(m.log) ?? 0, m.from + m.count));
      if (++acks === killAfter) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => resolve());
  });
  await exited;
  return { acked, acks };
}

/** Every acknowledged record of every crash log is there, once, at its offset, with its content. */
export function expectAckedRecordsIntact(store: SqliteLogStore, acked: Map<string, number>): void {
  for (const name of CRASH_LOGS) {
    const log = store.log(name);
    expect(log.nextOffset()).toBeGreaterThanOrEqual(acked.get(name) ?? 0);
    const got = log.read(0, 1_000_000, 1 << 30);
    expect(got.length).toBe(log.nextOffset());
    got.forEach((r, i) => {
      expect(r.offset).toBe(i);
      expect(r.value.toString()).toBe(valueFor(name, i));
    });
  }
}
