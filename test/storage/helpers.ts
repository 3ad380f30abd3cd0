import fs from 'node:fs';
import path from 'node:path';
import { SqliteLogStore, type SqliteStoreOptions } from '../../storage/sqlite-store';
import type { AppendRecord, LogHandle, LogStore, StoreOptions } from '../../storage/types';
import { rec, tempDir } from './log-store-suite';

/** Small segments so that sealing, retention and reclamation happen with little data. */
export function sqliteOptions(dataDir: string, overrides: Partial<StoreOptions> = {}): StoreOptions {
  return {
    dataDir,
    synchronous: 'full',
    segmentSizeMaxBytes: 64 * 1024,
    groupCommitDelayMaxMs: 2,
    groupCommitBytesMax: 8 * 1024 * 1024,
    quarantineCorrupt: false,
    ...overrides,
  };
}

export function openFdCount(): number {
  return fs.readdirSync('/proc/self/fd').length;
}

/** Polls a condition until it holds or the deadline passes (no sleeps as synchronisation). */
export async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met before deadline');
    await new Promise((r) => setImmediate(r));
  }
}

/** Size of the largest file in `dir` whose name matches `name` (segment files, their WALs, …). */
export function largestFileBytes(dir: string, name: RegExp): number {
  let max = 0;
  for (const f of fs.readdirSync(dir)) if (name.test(f)) max = Math.max(max, fs.statSync(path.join(dir, f)).size);
  return max;
}

/** `count` records of `bytes` each, the record at offset o filled with o % 251 (see expectPatternedLog). */
export function patternedRecords(firstOffset: number, count: number, bytes: number): AppendRecord[] {
  return Array.from({ length: count }, (_, j) => ({ key: null, headers: null, value: Buffer.alloc(bytes, (firstOffset + j) % 251) }));
}

/** The log holds exactly `count` records written by patternedRecords, each intact. */
export function expectPatternedLog(store: LogStore, name: string, count: number, bytes: number): void {
  const got = store.log(name).read(0, count + 1, 1 << 30);
  expect(got.length).toBe(count);
  got.forEach((r, i) => expect(r.value.equals(Buffer.alloc(bytes, i % 251))).toBe(true));
}

/** A fresh data directory per test, and the SQLite stores a test opens on it, closed after the test. */
export interface SqliteStoreFixture {
  /** This test's data directory. */
  readonly dir: string;
  /** Opens a store on `dir` with sqliteOptions and `overrides`. */
  open(overrides?: Partial<SqliteStoreOptions>): Promise<SqliteLogStore>;
}

/** Registers the beforeEach/afterEach of a SqliteStoreFixture (call inside describe). */
export function useSqliteStores(): SqliteStoreFixture {
  let dir = '';
  const stores: SqliteLogStore[] = [];
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    jest.useRealTimers();
    for (const s of stores.splice(0)) await s.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      return dir;
    },
    async open(overrides = {}) {
      const s = new SqliteLogStore({ ...sqliteOptions(dir), ...overrides });
      stores.push(s);
      await s.open();
      return s;
    },
  };
}

/** Offsets and values (as text) of what the log holds from `from`. */
export function logValues(log: LogHandle, from = 0): Array<[number, string]> {
  return log.read(from, 1000, 1 << 20).map((r) => [r.offset, r.value.toString()]);
}

/**
 * Makes each named log look like one whose reader settles records before they are written (a seed record appended
 * and withdrawn), so that its later appends are held (storage/held-commits.ts); waits for the store to settle.
 */
export async function readerKeepsUp(store: LogStore, ...names: string[]): Promise<void> {
  for (const name of names) {
    const log = store.log(name);
    const { baseOffset } = log.append([rec('seed')]);
    log.withdraw?.(baseOffset);
  }
  await store.flush();
}
