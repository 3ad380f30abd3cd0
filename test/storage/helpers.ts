import fs from 'node:fs';
import path from 'node:path';
import type { AppendRecord, LogStore, StoreOptions } from '../../storage/types';

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
