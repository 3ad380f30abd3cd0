/** Test helpers: a fake clock for group timers and registries over the real storage backends. */
import { MemoryLogStore } from '../../../storage/memory-store';
import { MemoryMetaStore } from '../../../storage/memory-meta-store';
import type { LogStore, MetaStore } from '../../../storage/types';
import { defaultLimits } from '../../../src/core/limits';
import { rootLogger } from '../../../src/core/logger';
import { TopicRegistryImpl } from '../../../src/core/topics/topic-registry';
import type { TopicLimits } from '../../../src/core/topics/topic-limits';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** Deterministic time: timers fire only inside advance(), in due order. */
export class FakeClock {
  // Starts at the real time: storage applies age retention with its own clock.
  nowMs = Date.now();
  private timers: Timer[] = [];
  private seq = 0;

  readonly now = (): number => this.nowMs;

  readonly setTimer = (ms: number, fn: () => void): (() => void) => {
    const t: Timer = { at: this.nowMs + ms, seq: this.seq++, fn, cancelled: false };
    this.timers.push(t);
    return () => {
      t.cancelled = true;
    };
  };

  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      this.timers = this.timers.filter((t) => !t.cancelled);
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (due === undefined) break;
      this.timers.splice(this.timers.indexOf(due), 1);
      this.nowMs = Math.max(this.nowMs, due.at);
      due.fn();
    }
    this.nowMs = target;
  }

  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
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
