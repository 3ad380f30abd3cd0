/**
 * Child process for the crash tests (not a test itself). Modes, from argv:
 *   ack <dataDir> [wal|persist] [worker|main] [ckpt|idle]   appends with durable acks in a loop, sending every acknowledged offset to the parent
 *   mid-commit <dataDir> [wal|persist] [worker|main]   commits a few batches, then SIGKILLs itself inside the next group-commit transaction
 *   idle-exit <dataDir> wal [worker|main]             appends twice (awaits only the first), never closes the store, returns:
 *                                                     the process must exit by itself, after the second commit is done
 * (the last argument picks the segment writer thread; SIGKILL inside a transaction the worker thread has open)
 * Records are deterministic functions of (log, offset) so the parent can check content.
 */
import type { JournalMode } from '../../storage/sqlite-pragmas';
import { SqliteLogStore, type SegmentWriterMode } from '../../storage/sqlite-store';
import { sqliteOptions } from './helpers';

export function valueFor(log: string, offset: number): string {
  return `${log}#${offset}:` + 'x'.repeat(offset % 200);
}

export const CRASH_LOGS = ['alpha', 'beta', 'gamma'];

/**
 * With 'ckpt': big segments and a checkpoint every 32 KiB of WAL, so kill -9 lands amid checkpointer passes. With
 * 'idle': big segments and only idle checkpoints of the writer worker (every 16 KiB of WAL when no commit waits).
 */
async function ack(dataDir: string, journal: JournalMode, writer: SegmentWriterMode, ckpt: 'ckpt' | 'idle' | null): Promise<void> {
  const store = new SqliteLogStore({
    ...sqliteOptions(dataDir, { segmentSizeMaxBytes: ckpt !== null ? 64 * 1024 * 1024 : 256 * 1024 }),
    segmentJournalMode: journal,
    writer,
    ...(ckpt === 'ckpt' ? { checkpointer: 'thread' as const, checkpointWalBytes: 32 * 1024, walBytesMax: 1024 * 1024 } : {}),
    ...(ckpt === 'idle' ? { checkpointer: 'writer' as const, checkpointWalBytes: 64 * 1024 * 1024, checkpointIdleWalBytes: 16 * 1024 } : {}),
  });
  await store.open();
  const send = (msg: unknown): void => {
    process.send?.(msg);
  };
  send({ ready: true });
  for (let round = 0; ; round++) {
    const waits: Array<Promise<void>> = [];
    for (const name of CRASH_LOGS) {
      const log = store.log(name);
      const n = 1 + (round % 5);
      const base = log.nextOffset();
      const { baseOffset, durable } = log.append(Array.from({ length: n }, (_, i) => ({ key: null, headers: null, value: Buffer.from(valueFor(name, base + i)) })));
      waits.push(durable.then(() => send({ log: name, from: baseOffset, count: n })));
    }
    await Promise.all(waits);
  }
}

async function midCommit(dataDir: string, journal: JournalMode, writer: SegmentWriterMode): Promise<void> {
  const store = new SqliteLogStore({ ...sqliteOptions(dataDir), segmentJournalMode: journal, writer });
  await store.open();
  const log = store.log('alpha');
  for (let i = 0; i < 3; i++) {
    const base = log.nextOffset();
    await log.append(Array.from({ length: 10 }, (_, j) => ({ key: null, headers: null, value: Buffer.from(valueFor('alpha', base + j)) }))).durable;
  }
  process.send?.({ committed: log.committedOffset() });
  // The inserts of the next commit are written (into the WAL) but the transaction never commits.
  store.testHooks.insideCommit = () => process.kill(process.pid, 'SIGKILL');
  log.append(Array.from({ length: 50 }, (_, j) => ({ key: null, headers: null, value: Buffer.from(valueFor('alpha', 30 + j)) })));
  await store.flush();
}

async function idleExit(dataDir: string, writer: SegmentWriterMode): Promise<void> {
  const store = new SqliteLogStore({ ...sqliteOptions(dataDir), writer });
  await store.open();
  const log = store.log('alpha');
  await log.append([{ key: null, headers: null, value: Buffer.from(valueFor('alpha', 0)) }]).durable;
  void log.append([{ key: null, headers: null, value: Buffer.from(valueFor('alpha', 1)) }]).durable.then(() => process.send?.({ durable: 2 }));
}

const [mode, dir, journal, writerArg, ckptArg] = process.argv.slice(2);
const journalMode: JournalMode = journal === 'wal' ? 'wal' : 'persist';
const writer: SegmentWriterMode = writerArg === 'main' ? 'main' : 'worker';
if (mode === 'ack') void ack(dir, journalMode, writer, ckptArg === 'ckpt' || ckptArg === 'idle' ? ckptArg : null);
else if (mode === 'mid-commit') void midCommit(dir, journalMode, writer);
else if (mode === 'idle-exit') void idleExit(dir, writer);
