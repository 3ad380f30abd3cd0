/**
 * Idle checkpoints of the writer worker (checkpointIdleWalBytes): while no commit waits, the worker copies the WAL
 * into the segment in small steps; records stay intact across reopen and kill -9.
 */
import fs from 'node:fs';
import { SqliteLogStore, type SqliteStoreOptions } from '../../storage/sqlite-store';
import { expectAckedRecordsIntact, killAfterAcks } from './crash-harness';
import { expectPatternedLog, largestFileBytes, patternedRecords, sqliteOptions, waitFor } from './helpers';
import { tempDir } from './log-store-suite';

const RECORD_BYTES = 4096;
const RECORDS_PER_COMMIT = 16;
const ROUNDS = 64; // 64 × 16 × 4 KiB = 4 MiB
const IDLE_WAL_BYTES = 128 * 1024;
/** Never reached in these tests: every checkpoint seen is an idle one. */
const FORCED_WAL_BYTES = 64 * 1024 * 1024;

/** Bytes of the active segment's database file (not its WAL): what checkpoints have copied into it. */
function segmentFileBytes(dir: string): number {
  return largestFileBytes(dir, /^seg-\d+\.sqlite$/);
}

describe('idle checkpoints of the writer worker', () => {
  let dir: string;
  const stores: SqliteLogStore[] = [];

  async function openStore(overrides: Partial<SqliteStoreOptions> = {}): Promise<SqliteLogStore> {
    const s = new SqliteLogStore({
      ...sqliteOptions(dir, { segmentSizeMaxBytes: 64 * 1024 * 1024, groupCommitBytesMax: 1024 * 1024 }),
      writer: 'worker',
      checkpointer: 'writer',
      checkpointWalBytes: FORCED_WAL_BYTES,
      ...overrides,
    });
    stores.push(s);
    await s.open();
    return s;
  }

  /** Appends ROUNDS commits, awaiting each (the worker is idle between them). */
  async function fill(store: SqliteLogStore): Promise<void> {
    const log = store.log('q');
    for (let i = 0; i < ROUNDS; i++) {
      const base = log.nextOffset();
      await log.append(patternedRecords(base, RECORDS_PER_COMMIT, RECORD_BYTES)).durable;
    }
  }

  function expectContent(store: SqliteLogStore): void {
    expectPatternedLog(store, 'q', ROUNDS * RECORDS_PER_COMMIT, RECORD_BYTES);
  }

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('an idle worker copies the WAL into the segment in small steps; every record kept across reopen', async () => {
    const store = await openStore({ checkpointIdleWalBytes: IDLE_WAL_BYTES });
    await fill(store);
    const dataBytes = ROUNDS * RECORDS_PER_COMMIT * RECORD_BYTES;
    // Checkpoints run after the commit is answered: wait until the last idle one has copied (all but one step).
    await waitFor(() => segmentFileBytes(dir) >= dataBytes - 2 * IDLE_WAL_BYTES);
    expectContent(store);
    await store.close();
    stores.length = 0;
    expectContent(await openStore({ checkpointIdleWalBytes: IDLE_WAL_BYTES }));
  });

  test('with the idle threshold at the forced one, the WAL keeps everything until that size', async () => {
    const store = await openStore({ checkpointIdleWalBytes: FORCED_WAL_BYTES });
    await fill(store);
    // Only the schema pages are in the database file: nothing was checkpointed.
    expect(segmentFileBytes(dir)).toBeLessThan(IDLE_WAL_BYTES);
    expectContent(store);
  });

  test('kill -9 amid idle checkpoints: every acknowledged record is readable exactly once with its content', async () => {
    const killAfter = 300 + Math.floor(Math.random() * 900);
    const { acked, acks } = await killAfterAcks(['ack', dir, 'wal', 'worker', 'idle'], killAfter);
    expect(acks).toBeGreaterThanOrEqual(killAfter);
    // The child checkpointed while it ran (16 KiB steps): the segment file holds data, not only its schema.
    expect(segmentFileBytes(dir)).toBeGreaterThan(64 * 1024);
    expectAckedRecordsIntact(await openStore(), acked);
  });
});
