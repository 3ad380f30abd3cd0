/**
 * Native protocol benchmark: produce → consume through the SDK against a broker in a child process (so client
 * and broker do not share an event loop), durable acks (fsync), record sizes 1 KiB and 100 B, 1 and 10 producers.
 * Reports produce msg/s, consume msg/s, and p99 produce-ack latency at half the measured rate.
 *
 * Standalone: `node dist/bench/native.js [--broker host:port] [--seconds N]`.
 */
import { Admin, Consumer, Producer } from '../src/sdk';
import { startBrokerProcess, type ChildBroker } from '../test/helpers/broker';

export interface NativeBenchCase {
  recordBytes: number;
  producers: number;
  produceMsgPerSec: number;
  produceMBPerSec: number;
  consumeMsgPerSec: number;
  /** p50/p99 ack latency at half the measured produce rate. */
  halfRateP50Ms: number;
  halfRateP99Ms: number;
  halfRateAchievedMsgPerSec: number;
}

export interface NativeBenchOptions {
  /** Use a running broker instead of starting one. */
  broker?: string;
  /** Seconds per measured phase (default 4). */
  seconds?: number;
  cases?: { recordBytes: number; producers: number }[];
  log?: (line: string) => void;
}

const PARTITIONS = 4;
/** Records each producer keeps unacknowledged during the saturation phase. */
const WINDOW_RECORDS = 20_000;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sends as fast as the window allows for `ms`; returns acknowledged records (failures throw at the end). */
async function saturate(producer: Producer, topic: string, value: Buffer, ms: number): Promise<number> {
  const end = Date.now() + ms;
  let acked = 0;
  let failed = 0;
  let firstError: unknown = null;
  let inflight = 0;
  let wake: (() => void) | null = null;
  const fail = (err: unknown): void => {
    failed++;
    firstError ??= err;
    acked--;
    settle();
  };
  const settle = (): void => {
    inflight--;
    acked++;
    if (wake && inflight < WINDOW_RECORDS / 2) {
      const w = wake;
      wake = null;
      w();
    }
  };
  while (Date.now() < end) {
    while (inflight < WINDOW_RECORDS) {
      inflight++;
      producer.send(topic, { value }).then(settle, fail);
      if ((inflight & 1023) === 0) break;
    }
    if (inflight >= WINDOW_RECORDS) await new Promise<void>((r) => (wake = r));
    else await new Promise<void>((r) => setImmediate(r));
  }
  await producer.flush();
  if (failed > 0) throw new Error(`${failed} sends failed, first: ${String(firstError)}`);
  return acked;
}

/** Sends at a fixed total rate (split over producers) for `ms`, recording every ack latency. */
async function paced(producers: Producer[], topic: string, value: Buffer, ratePerSec: number, ms: number): Promise<{ latencies: number[]; sent: number }> {
  const latencies: number[] = [];
  const tickMs = 5;
  const start = Date.now();
  let sent = 0;
  const pending: Promise<void>[] = [];
  while (Date.now() - start < ms) {
    const due = Math.floor(((Date.now() - start) / 1000) * ratePerSec);
    while (sent < due) {
      const t0 = performance.now();
      const p = producers[sent % producers.length].send(topic, { value }).then(() => {
        latencies.push(performance.now() - t0);
      });
      pending.push(p);
      sent++;
    }
    await new Promise((r) => setTimeout(r, tickMs));
  }
  await Promise.all(pending);
  return { latencies: latencies.sort((a, b) => a - b), sent };
}

async function consumeAll(broker: string, topic: string, total: number): Promise<{ rate: number; count: number }> {
  const consumer = new Consumer({ broker, maxRecordsPerFetch: 5_000, maxBytesPerFetch: 8 * 1024 * 1024, bufferMaxRecords: 50_000 });
  await consumer.assign(Array.from({ length: PARTITIONS }, (_, p) => ({ topic, partition: p, offset: 0 })));
  const t0 = performance.now();
  let n = 0;
  while (n < total) {
    const batch = await consumer.poll(2_000, 5_000);
    if (batch.length === 0) break;
    n += batch.length;
  }
  const secs = (performance.now() - t0) / 1000;
  await consumer.close();
  return { rate: n / secs, count: n };
}

async function runCase(broker: string, admin: Admin, recordBytes: number, producerCount: number, seconds: number): Promise<NativeBenchCase> {
  const topic = `bench-${recordBytes}-${producerCount}-${Date.now()}`;
  await admin.createTopic(topic, { partitions: PARTITIONS });
  const value = Buffer.alloc(recordBytes, 0x61);
  const producers = Array.from({ length: producerCount }, () => new Producer({ broker, acks: 'durable', lingerMs: 2, batchMaxRecords: 2_000 }));
  await Promise.all(producers.map((p) => p.connect()));
  const t0 = performance.now();
  const counts = await Promise.all(producers.map((p) => saturate(p, topic, value, seconds * 1000)));
  const secs = (performance.now() - t0) / 1000;
  const produced = counts.reduce((s, c) => s + c, 0);
  const rate = produced / secs;
  const half = await paced(producers, topic, value, rate / 2, seconds * 1000);
  await Promise.all(producers.map((p) => p.close()));
  const { rate: consumeRate, count: consumedCount } = await consumeAll(broker, topic, produced + half.sent);
  if (consumedCount !== produced + half.sent) throw new Error(`consumed ${consumedCount} of ${produced + half.sent} records`);
  await admin.deleteTopic(topic);
  return {
    recordBytes,
    producers: producerCount,
    produceMsgPerSec: Math.round(rate),
    produceMBPerSec: Math.round((rate * recordBytes) / 1e5) / 10,
    consumeMsgPerSec: Math.round(consumeRate),
    halfRateP50Ms: Math.round(percentile(half.latencies, 50) * 10) / 10,
    halfRateP99Ms: Math.round(percentile(half.latencies, 99) * 10) / 10,
    halfRateAchievedMsgPerSec: Math.round(half.sent / seconds),
  };
}

export async function runNativeBench(opts: NativeBenchOptions = {}): Promise<NativeBenchCase[]> {
  const log = opts.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const seconds = opts.seconds ?? 4;
  const cases = opts.cases ?? [
    { recordBytes: 1024, producers: 1 },
    { recordBytes: 1024, producers: 10 },
    { recordBytes: 100, producers: 1 },
    { recordBytes: 100, producers: 10 },
  ];
  let child: ChildBroker | null = null;
  let broker = opts.broker;
  if (!broker) {
    child = await startBrokerProcess();
    broker = `127.0.0.1:${child.ports.native}`;
  }
  const admin = new Admin({ broker });
  const results: NativeBenchCase[] = [];
  try {
    for (const c of cases) {
      const r = await runCase(broker, admin, c.recordBytes, c.producers, seconds);
      results.push(r);
      log(
        `native ${r.recordBytes} B x ${r.producers} producer(s): produce ${r.produceMsgPerSec} msg/s (${r.produceMBPerSec} MB/s), ` +
          `consume ${r.consumeMsgPerSec} msg/s, at half rate (${r.halfRateAchievedMsgPerSec} msg/s) p50 ${r.halfRateP50Ms} ms p99 ${r.halfRateP99Ms} ms`,
      );
    }
  } finally {
    await admin.close();
    if (child) await child.stop();
  }
  return results;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const arg = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seconds = arg('--seconds');
  runNativeBench({ broker: arg('--broker'), seconds: seconds === undefined ? undefined : Number(seconds) }).then(
    (r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`),
    (err: unknown) => {
      process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
