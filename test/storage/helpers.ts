import fs from 'node:fs';
import type { StoreOptions } from '../../storage/types';

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
