/** Test helpers: a fake clock for group timers and registries over the real storage backends. */
import { MemoryLogStore } from '../../../storage/memory-store';
import { MemoryMetaStore } from '../../../storage/memory-meta-store';
import type { LogStore, MetaStore } from '../../../storage/types';
import { defaultLimits } from '../../../src/core/limits';
import { rootLogger } from '../../../src/core/logger';
import { TopicRegistryImpl } from '../../../src/core/topics/topic-registry';
import type { TopicLimits } from '../../../src/core/topics/topic-limits';
import { FakeClock as SharedFakeClock } from '../../helpers/fake-clock';
import path from 'node:path';
import { SqliteLogStore } from '../../../storage/sqlite-store';
import { SqliteMetaStore } from '../../../storage/sqlite-meta-store';

/** Starts at the real time: storage applies age retention with its own clock. */
export class FakeClock extends SharedFakeClock {
  constructor() {
    super(Date.now());
  }
}

export interface Fixture {
  registry: TopicRegistryImpl;
  store: LogStore;
  meta: MetaStore;
  clock: FakeClock;
}

export function makeRegistry(
  opts: { store?: LogStore; meta?: MetaStore; clock?: FakeClock; topicLimits?: Partial<TopicLimits>; vhost?: string } = {},
): Fixture {
  const store = opts.store ?? new MemoryLogStore();
  const meta = opts.meta ?? new MemoryMetaStore();
  const clock = opts.clock ?? new FakeClock();
  const registry = new TopicRegistryImpl(opts.vhost ?? '/', {
    store,
    meta,
    limits: defaultLimits(),
    logger: rootLogger().child({ test: 'topics' }),
    now: clock.now,
    setTimer: clock.setTimer,
    topicLimits: opts.topicLimits,
  });
  return { registry, store, meta, clock };
}

/** Polls a condition on the event loop (no sleeps as synchronisation) until it holds or the deadline passes. */
export async function until(cond: () => boolean, deadlineMs = 5000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met before deadline');
    await new Promise((r) => setImmediate(r));
  }
}

/** Expects a promise or function to fail with a BrokerError of `code`. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<void> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    expect((err as { code?: string }).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Opens (or reopens) a SQLite log store and metadata store in `dir`, for restart tests. */
export async function openSqliteStores(dir: string): Promise<{ store: SqliteLogStore; meta: SqliteMetaStore }> {
  const store = new SqliteLogStore({
    dataDir: path.join(dir, 'segments'),
    synchronous: 'full',
    segmentSizeMaxBytes: 1 << 20,
    groupCommitDelayMaxMs: 2,
    groupCommitBytesMax: 1 << 20,
    quarantineCorrupt: false,
  });
  await store.open();
  return { store, meta: SqliteMetaStore.open(path.join(dir, 'meta.sqlite'), 'full') };
}
