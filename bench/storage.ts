/**
 * Storage benchmark: SqliteLogStore appends (1 KiB and 100 B records, many logs at once, synchronous=FULL and
 * NORMAL), sequential reads, memory while a reader lags far behind, and the disk's own sequential write rate (dd
 * with direct I/O) measured in the same run. Standalone: node dist/bench/storage.js [scale]
 *
 * Writer comparison (segment writer on a worker thread vs on the main thread, interleaved, repeated, medians):
 *   node dist/bench/storage.js writers [repeats=3] [scale=1]
 * One run at a fixed rate (ack latency): node dist/bench/storage.js paced <worker|main> <recordBytes> <records/s> <seconds> [logs]
 * One flat-out run (throughput):         node dist/bench/storage.js flat <recordBytes> <records>
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import type { JournalMode } from '../storage/sqlite-pragmas';
import { SqliteLogStore, type SegmentWriterMode, type SqliteStoreOptions } from '../storage/sqlite-store';
import type { AppendRecord, LogHandle, StoreOptions } from '../storage/types';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The target this figure is held against, when there is one. */
  target?: number;
  note?: string;
}

/** Appends kept in flight (group-commit rounds not yet awaited), like many producers with outstanding confirms. */
/** The lagging-reader figure: memory stays flat while one reader is 10 million records behind. */
const LAG_RECORDS = 10_000_000;
const LAG_RECORD_BYTES = 100;
const ROUNDS_IN_FLIGHT = 4;

/** POLYMQ_BENCH_CHECKPOINTER=thread|writer picks where WAL checkpoints run (default: the store's default). */
const CHECKPOINTER = process.env.POLYMQ_BENCH_CHECKPOINTER === 'thread' ? 'thread' : process.env.POLYMQ_BENCH_CHECKPOINTER === 'writer' ? 'writer' : undefined;

/**
 * POLYMQ_BENCH_CHECKPOINT_IDLE_BYTES=N sets the writer worker's idle-checkpoint threshold (default: the store's);
 * 8388608 (= the forced checkpoint size) turns idle checkpoints off, for A/B runs.
 */
const CHECKPOINT_IDLE_BYTES = process.env.POLYMQ_BENCH_CHECKPOINT_IDLE_BYTES;

function options(dataDir: string, synchronous: 'full' | 'normal'): SqliteStoreOptions {
  return {
    ...(CHECKPOINTER === undefined ? {} : { checkpointer: CHECKPOINTER }),
    ...(CHECKPOINT_IDLE_BYTES === undefined ? {} : { checkpointIdleWalBytes: Number(CHECKPOINT_IDLE_BYTES) }),
    dataDir,
    synchronous,
    segmentSizeMaxBytes: 256 * 1024 * 1024,
    groupCommitDelayMaxMs: 2,
    groupCommitBytesMax: 8 * 1024 * 1024,
    quarantineCorrupt: false,
  };
}

function benchDir(): string {
  const base = path.join(os.tmpdir(), 'polymq-bench');
  fs.mkdirSync(base, { recursive: true });
  return fs.mkdtempSync(base + '/storage-');
}

interface AppendRun {
  recordsPerSec: number;
  mbPerSec: number;
  commits: number;
  /** Longest and 99th-percentile event-loop stall while appending: what a commit costs the network side. */
  loopMaxMs: number;
  loopP99Ms: number;
  /** Append of a round → its `durable` resolved (what a producer's ack waits for), p50 / p99 / max. */
  ackP50Ms: number;
  ackP99Ms: number;
  ackMaxMs: number;
  /** Each group commit's own hold on the event loop (encode + hand-off, or transaction + checkpoint). */
  blockP99Ms: number;
  blockMaxMs: number;
}

/** Collects how long each commit blocked the event loop. */
function blockTimes(store: SqliteLogStore): number[] {
  const times: number[] = [];
  store.testHooks.commitBlockedMs = (ms) => void times.push(ms);
  return times;
}

/** Closes the store and turns one append run's counters into its figures. */
async function finishRun(
  store: SqliteLogStore,
  loop: IntervalHistogram,
  r: { appended: number; seconds: number; recordBytes: number; acks: number[]; blocks: number[] },
): Promise<AppendRun> {
  loop.disable();
  const commits = store.stats().commits;
  await store.close();
  r.acks.sort((a, b) => a - b);
  return {
    recordsPerSec: r.appended / r.seconds,
    mbPerSec: (r.appended * r.recordBytes) / r.seconds / 1e6,
    commits,
    loopMaxMs: loop.max / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    ackP50Ms: percentile(r.acks, 50),
    ackP99Ms: percentile(r.acks, 99),
    ackMaxMs: r.acks.at(-1) ?? NaN,
    ...blockStats(r.blocks),
  };
}

function blockStats(blocks: number[]): { blockP99Ms: number; blockMaxMs: number } {
  blocks.sort((a, b) => a - b);
  return { blockP99Ms: percentile(blocks, 99), blockMaxMs: blocks.at(-1) ?? NaN };
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `logs` logs each get `perLogPerRound` records per round until `total` records are durable. */
export async function appendRun(
  dir: string,
  synchronous: 'full' | 'normal',
  recordBytes: number,
  total: number,
  logCount: number,
  perLogPerRound: number,
  journal: JournalMode = 'wal',
  writer?: SegmentWriterMode,
): Promise<AppendRun> {
  const store = new SqliteLogStore({ ...options(dir, synchronous), segmentJournalMode: journal, writer });
  await store.open();
  const blocks = blockTimes(store);
  const logs: LogHandle[] = Array.from({ length: logCount }, (_, i) => store.log(`bench-${i}`));
  const value = Buffer.alloc(recordBytes, 0x61);
  const batch: AppendRecord[] = Array.from({ length: perLogPerRound }, () => ({ key: null, headers: null, value }));
  const inFlight: Promise<void>[] = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const acks: number[] = [];
  const start = process.hrtime.bigint();
  let appended = 0;
  while (appended < total) {
    let last: Promise<void> | null = null;
    const roundStart = performance.now();
    for (const log of logs) {
      last = log.append(batch).durable;
      appended += perLogPerRound;
    }
    if (last !== null) inFlight.push(last.then(() => void acks.push(performance.now() - roundStart)));
    // Yield to the event loop every round (as socket-driven producers do) so the group commit can run; keep a
    // few rounds outstanding.
    await new Promise((r) => setImmediate(r));
    if (inFlight.length >= ROUNDS_IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await store.flush();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return finishRun(store, loop, { appended, seconds: seconds, recordBytes, acks, blocks });
}

/**
 * Appends at a fixed rate (not flat out) for `seconds`: every millisecond tick appends what is due, spread over
 * `logCount` logs, like producers well under the store's capacity. Measures each append's ack latency (append →
 * `durable` resolved) and the event loop's stalls: the latency a client sees at a sustainable load.
 */
export async function pacedRun(dir: string, writer: SegmentWriterMode, recordBytes: number, ratePerSec: number, seconds: number, logCount = 64): Promise<AppendRun> {
  const store = new SqliteLogStore({ ...options(dir, 'full'), writer });
  await store.open();
  const blocks = blockTimes(store);
  const logs: LogHandle[] = Array.from({ length: logCount }, (_, i) => store.log(`paced-${i}`));
  const value = Buffer.alloc(recordBytes, 0x63);
  const acks: number[] = [];
  const outstanding = new Set<Promise<void>>();
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const start = performance.now();
  let appended = 0;
  let next = 0;
  for (let now = start; now - start < seconds * 1000; now = performance.now()) {
    const due = Math.floor((ratePerSec * (now - start)) / 1000) - appended;
    const perLog = Math.ceil(due / logCount);
    for (let left = due; left > 0; left -= perLog) {
      const n = Math.min(perLog, left);
      const t0 = performance.now();
      const p = logs[next++ % logCount].append(Array.from({ length: n }, () => ({ key: null, headers: null, value }))).durable.then(() => {
        acks.push(performance.now() - t0);
        outstanding.delete(p);
      });
      outstanding.add(p);
      appended += n;
    }
    // Load generation, not synchronisation: the next millisecond's appends.
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(outstanding);
  const elapsed = (performance.now() - start) / 1000;
  return finishRun(store, loop, { appended, seconds: elapsed, recordBytes, acks, blocks });
}

/** Reads every record of every log written by appendRun, 1,000 records per call. */
async function readRun(dir: string): Promise<number> {
  const store = new SqliteLogStore(options(dir, 'full'));
  await store.open();
  let count = 0;
  const start = process.hrtime.bigint();
  for (const name of store.listLogs()) {
    const log = store.log(name);
    for (let o = log.startOffset(); o < log.committedOffset(); ) {
      const got = log.read(o, 1000, 4 * 1024 * 1024);
      count += got.length;
      o = got[got.length - 1].offset + 1;
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  return count / seconds;
}

/** RSS growth while writing `total` 100 B records and a reader stays far behind (reads the oldest data). */
async function laggingReaderRss(dir: string, total: number): Promise<{ growthMiB: number; rssStartMiB: number; rssMaxMiB: number; recordsPerSec: number }> {
  const store = new SqliteLogStore(options(dir, 'full'));
  await store.open();
  const log = store.log('lagging');
  const value = Buffer.alloc(LAG_RECORD_BYTES, 0x62);
  const batch: AppendRecord[] = Array.from({ length: 1000 }, () => ({ key: null, headers: null, value }));
  let rssStart = 0;
  let rssMax = 0;
  let readerAt = 0;
  const inFlight: Promise<void>[] = [];
  const start = process.hrtime.bigint();
  for (let appended = 0; appended < total; appended += batch.length) {
    inFlight.push(log.append(batch).durable);
    await new Promise((r) => setImmediate(r));
    if (inFlight.length >= ROUNDS_IN_FLIGHT) await inFlight.shift();
    if (appended % 100_000 === 0) {
      // The reader takes 100 records for every 100,000 written: it falls ever further behind.
      const got = log.read(readerAt, 100, 1 << 20);
      if (got.length > 0) readerAt = got[got.length - 1].offset + 1;
      const rss = process.memoryUsage().rss;
      // The baseline is taken once the store is warm (first 200,000 records written).
      if (appended === 200_000) rssStart = rssMax = rss;
      rssMax = Math.max(rssMax, rss);
    }
  }
  await Promise.all(inFlight);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  return { growthMiB: (rssMax - rssStart) / 2 ** 20, rssStartMiB: rssStart / 2 ** 20, rssMaxMiB: rssMax / 2 ** 20, recordsPerSec: total / seconds };
}

/** The disk's own sequential write rate with direct I/O, in MB/s. */
function ddWriteRate(dir: string): number {
  const file = path.join(dir, 'dd.bin');
  try {
    // dd reports on stderr: "... bytes (537 MB, 512 MiB) copied, 1.2 s, 447 MB/s"
    const run = spawnSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=1M', 'count=512', 'oflag=direct'], { encoding: 'utf8' });
    const m = /copied, ([\d.]+) s, ([\d.]+) ([kMG]?B)\/s/.exec(run.stderr ?? '');
    if (m === null) return NaN;
    const rate = Number(m[2]);
    return m[3] === 'GB' ? rate * 1000 : m[3] === 'kB' ? rate / 1000 : m[3] === 'B' ? rate / 1e6 : rate;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Flushes the page cache's dirty data so one scenario's writeback does not slow the next. */
function settle(): void {
  spawnSync('sync');
}

export async function runStorageBench(scale = 1): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dirs: string[] = [];
  const dir = (): string => {
    const d = benchDir();
    dirs.push(d);
    return d;
  };
  const drop = (d: string): void => {
    fs.rmSync(d, { recursive: true, force: true });
    settle();
  };
  const note = noteOf;
  try {
    // First, while the heap is fresh: memory must stay flat however far behind a reader is.
    const dl = dir();
    const lag = await laggingReaderRss(dl, LAG_RECORDS * scale);
    results.push({ name: `RSS growth, reader ${(LAG_RECORDS * scale / 1e6).toFixed(1)} million records behind`, value: lag.growthMiB, unit: 'MiB', note: `RSS ${lag.rssStartMiB.toFixed(0)} → max ${lag.rssMaxMiB.toFixed(0)} MiB; ${lag.recordsPerSec.toFixed(0)} records/s of ${LAG_RECORD_BYTES} B, one log, appends of 1000 records, ${ROUNDS_IN_FLIGHT} in flight` });
    drop(dl);
    const d1 = dir();
    const kib = await appendRun(d1, 'full', 1024, 600_000 * scale, 64, 64);
    results.push({ name: 'append 1 KiB, FULL, 64 logs', value: kib.recordsPerSec, unit: 'records/s', target: 150_000, note: note(kib) });
    settle();
    const d2 = dir();
    const small = await appendRun(d2, 'full', 100, 3_000_000 * scale, 64, 256);
    results.push({ name: 'append 100 B, FULL, 64 logs', value: small.recordsPerSec, unit: 'records/s', target: 1_000_000, note: note(small) });
    settle();
    results.push({ name: 'read 100 B records (sequential, 1,000 per call)', value: await readRun(d2), unit: 'records/s', target: 2_000_000 });
    results.push({ name: 'read 1 KiB records (sequential, 1,000 per call)', value: await readRun(d1), unit: 'records/s' });
    drop(d1);
    drop(d2);
    const d3 = dir();
    const many = await appendRun(d3, 'full', 1024, 200_000 * scale, 10_000, 1);
    results.push({ name: 'append 1 KiB, FULL, 10,000 logs x 1 record', value: many.recordsPerSec, unit: 'records/s', note: note(many) });
    drop(d3);
    const d4 = dir();
    const persist = await appendRun(d4, 'full', 1024, 600_000 * scale, 64, 64, 'persist');
    results.push({ name: 'append 1 KiB, FULL, rollback journal (persist)', value: persist.recordsPerSec, unit: 'records/s', note: note(persist) });
    drop(d4);
    const d5 = dir();
    const normal = await appendRun(d5, 'normal', 1024, 600_000 * scale, 64, 64);
    results.push({ name: 'append 1 KiB, NORMAL, 64 logs', value: normal.recordsPerSec, unit: 'records/s', note: note(normal) });
    drop(d5);
    const other: SegmentWriterMode = new SqliteLogStore(options('', 'full')).writerThread() === 'worker' ? 'main' : 'worker';
    const d6 = dir();
    const alt = await appendRun(d6, 'full', 1024, 600_000 * scale, 64, 64, 'wal', other);
    results.push({ name: `append 1 KiB, FULL, 64 logs, writer: ${other} (not the default)`, value: alt.recordsPerSec, unit: 'records/s', note: note(alt) });
    drop(d6);
    results.push({ name: 'dd bs=1M count=512 oflag=direct', value: ddWriteRate(dir()), unit: 'MB/s' });
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
  return results;
}

function noteOf(r: AppendRun): string {
  return (
    `${r.mbPerSec.toFixed(0)} MB/s, ${r.commits} commits, event loop stall p99 ${r.loopP99Ms.toFixed(0)} ms max ${r.loopMaxMs.toFixed(0)} ms, ` +
    `ack p50 ${r.ackP50Ms.toFixed(0)} p99 ${r.ackP99Ms.toFixed(0)} max ${r.ackMaxMs.toFixed(0)} ms, ` +
    `commit holds loop p99 ${r.blockP99Ms.toFixed(1)} max ${r.blockMaxMs.toFixed(1)} ms`
  );
}

interface WriterScenario {
  name: string;
  run(dir: string, writer: SegmentWriterMode): Promise<AppendRun>;
}

/**
 * Both segment writers on the same scenarios, interleaved (worker, main, worker, main, …) so that the machine's
 * noise hits both alike; one row per run and one row of medians per scenario and writer.
 */
export async function runWriterComparison(repeats = 3, scale = 1): Promise<BenchResult[]> {
  const scenarios: WriterScenario[] = [
    { name: '1 KiB FULL, 64 logs, flat out', run: (d, w) => appendRun(d, 'full', 1024, 600_000 * scale, 64, 64, 'wal', w) },
    { name: '100 B FULL, 64 logs, flat out', run: (d, w) => appendRun(d, 'full', 100, 3_000_000 * scale, 64, 256, 'wal', w) },
    { name: '1 KiB FULL, 64 logs, paced 50,000/s', run: (d, w) => pacedRun(d, w, 1024, 50_000, 5 * scale) },
    { name: '100 B FULL, 64 logs, paced 500,000/s', run: (d, w) => pacedRun(d, w, 100, 500_000, 5 * scale) },
  ];
  const results: BenchResult[] = [];
  for (const sc of scenarios) {
    const runs = new Map<SegmentWriterMode, AppendRun[]>([
      ['worker', []],
      ['main', []],
    ]);
    for (let i = 0; i < repeats; i++) {
      for (const writer of ['worker', 'main'] as const) {
        const d = benchDir();
        try {
          const r = await sc.run(d, writer);
          runs.get(writer)?.push(r);
          results.push({ name: `${sc.name}, writer ${writer}, run ${i + 1}`, value: r.recordsPerSec, unit: 'records/s', note: noteOf(r) });
        } finally {
          fs.rmSync(d, { recursive: true, force: true });
          settle();
        }
      }
    }
    for (const [writer, rs] of runs) {
      const med = (f: (r: AppendRun) => number): number => median(rs.map(f));
      results.push({
        name: `${sc.name}, writer ${writer}, MEDIAN of ${rs.length}`,
        value: med((r) => r.recordsPerSec),
        unit: 'records/s',
        note:
          `event loop stall p99 ${med((r) => r.loopP99Ms).toFixed(0)} ms max ${med((r) => r.loopMaxMs).toFixed(0)} ms, ` +
          `ack p50 ${med((r) => r.ackP50Ms).toFixed(0)} p99 ${med((r) => r.ackP99Ms).toFixed(0)} max ${med((r) => r.ackMaxMs).toFixed(0)} ms, ` +
          `commit holds loop p99 ${med((r) => r.blockP99Ms).toFixed(1)} max ${med((r) => r.blockMaxMs).toFixed(1)} ms`,
      });
    }
  }
  return results;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export function formatResults(results: readonly BenchResult[]): string {
  const rows = results.map((r) => [
    r.name,
    r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(1),
    r.unit,
    r.target === undefined ? '' : `${r.target.toLocaleString('en-US')} (${r.value >= r.target ? 'met' : 'missed'})`,
    r.note ?? '',
  ]);
  const header = ['scenario', 'value', 'unit', 'target', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
}

if (require.main === module) {
  const [mode, a3, a4, a5, a6, a7] = process.argv.slice(2);
  const paced = async (): Promise<BenchResult[]> => {
    // node dist/bench/storage.js paced <worker|main> <recordBytes> <records/s> <seconds> [logs=64]
    const writer: SegmentWriterMode = a3 === 'main' ? 'main' : 'worker';
    const d = benchDir();
    try {
      const r = await pacedRun(d, writer, Number(a4 ?? '1024'), Number(a5 ?? '50000'), Number(a6 ?? '5'), Number(a7 ?? '64'));
      return [{ name: `paced, writer ${writer}`, value: r.recordsPerSec, unit: 'records/s', note: noteOf(r) }];
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  };
  const flat = async (): Promise<BenchResult[]> => {
    // node dist/bench/storage.js flat <recordBytes> <records>: one flat-out append run (64 logs, default writer)
    const bytes = Number(a3 ?? '1024');
    const d = benchDir();
    try {
      const r = await appendRun(d, 'full', bytes, Number(a4 ?? '600000'), 64, bytes >= 1024 ? 64 : 256);
      return [{ name: `flat out, ${bytes} B`, value: r.recordsPerSec, unit: 'records/s', note: noteOf(r) }];
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  };
  const run =
    mode === 'writers'
      ? runWriterComparison(Number(a3 ?? '3'), Number(a4 ?? '1'))
      : mode === 'paced'
        ? paced()
        : mode === 'flat'
          ? flat()
          : runStorageBench(Number(mode ?? '1'));
  run.then(
    (results) => {
      process.stdout.write(`${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}, ${new Date().toISOString()}\n`);
      process.stdout.write(formatResults(results) + '\n');
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
