/**
 * WAL checkpoints on their own thread (wal-checkpointer-worker.ts): the WAL stays bounded, sealing and close stay
 * correct while passes run, and kill -9 amid passes loses nothing acknowledged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SqliteLogStore, type SqliteStoreOptions } from '../../storage/sqlite-store';
import { expectAckedRecordsIntact, killAfterAcks } from './crash-harness';
import { expectPatternedLog, largestFileBytes, patternedRecords, sqliteOptions } from './helpers';
import { tempDir } from './log-store-suite';

const RECORD_BYTES = 4096;
const CHECKPOINT_WAL_BYTES = 256 * 1024;
const WAL_BYTES_MAX = 2 * 1024 * 1024;

function walBytesOf(dir: string): number {
  return largestFileBytes(dir, /^seg-\d+\.sqlite-wal$/);
}

describe('WAL checkpointer thread', () => {
  let dir: string;
  const stores: SqliteLogStore[] = [];

  async function openStore(overrides: Partial<SqliteStoreOptions> = {}): Promise<SqliteLogStore> {
    const s = new SqliteLogStore({
      ...sqliteOptions(dir, { segmentSizeMaxBytes: 64 * 1024 * 1024, groupCommitBytesMax: 64 * 1024 }),
      checkpointWalBytes: CHECKPOINT_WAL_BYTES,
      walBytesMax: WAL_BYTES_MAX,
      ...overrides,
    });
    stores.push(s);
    await s.open();
    return s;
  }

  /** Appends `rounds` commits of 16 records, awaiting each, and returns the largest WAL file seen after a commit. */
  async function fill(store: SqliteLogStore, rounds: number): Promise<number> {
    const log = store.log('q');
    let walMax = 0;
    for (let i = 0; i < rounds; i++) {
      const base = log.nextOffset();
      await log.append(patternedRecords(base, 16, RECORD_BYTES)).durable;
      walMax = Math.max(walMax, walBytesOf(dir));
    }
    return walMax;
  }

  function expectContent(store: SqliteLogStore, count: number): void {
    expectPatternedLog(store, 'q', count, RECORD_BYTES);
  }

  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test.each(['thread', 'writer'] as const)('checkpointer %s: 24 MB through a 2 MiB-bounded WAL, every record kept across reopen', async (checkpointer) => {
    const rounds = 384; // 384 × 16 × 4 KiB = 24 MiB: twelve times the bound
    const store = await openStore({ checkpointer });
    const walMax = await fill(store, rounds);
    // The bound is checked once per checkpoint interval against an estimate of the WAL (SQLite does not say its
    // length): it may be overshot by about two intervals.
    expect(walMax).toBeLessThanOrEqual(WAL_BYTES_MAX + 2 * CHECKPOINT_WAL_BYTES + 4 * 65_536);
    expectContent(store, rounds * 16);
    await store.close();
    stores.length = 0;
    const again = await openStore({ checkpointer });
    expectContent(again, rounds * 16);
  });

  test('checkpointer thread, sealing while it runs: sealed segments are checkpointed, locked exclusively and readable', async () => {
    const store = await openStore({ checkpointer: 'thread', segmentSizeMaxBytes: 1024 * 1024 });
    const rounds = 160; // 10 MiB across about ten 1 MiB segments
    await fill(store, rounds);
    const segs = fs.readdirSync(dir).filter((f) => /^seg-\d+\.sqlite$/.test(f)).sort();
    expect(segs.length).toBeGreaterThanOrEqual(5);
    // Every sealed segment's WAL was checkpointed away (TRUNCATE) and it runs exclusive again (no -shm).
    for (const f of segs.slice(0, -2)) {
      const wal = path.join(dir, f + '-wal');
      expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);
      expect(fs.existsSync(path.join(dir, f + '-shm'))).toBe(false);
    }
    expectContent(store, rounds * 16);
    await store.close();
    stores.length = 0;
    expectContent(await openStore({ checkpointer: 'thread', segmentSizeMaxBytes: 1024 * 1024 }), rounds * 16);
  });

  test('checkpointer thread, kill -9 amid its passes: every acknowledged record is readable exactly once with its content', async () => {
    const killAfter = 300 + Math.floor(Math.random() * 900);
    const { acked, acks } = await killAfterAcks(['ack', dir, 'wal', 'worker', 'ckpt'], killAfter);
    expect(acks).toBeGreaterThanOrEqual(killAfter);
    const store = await openStore();
    expectAckedRecordsIntact(store, acked);
  });
});
