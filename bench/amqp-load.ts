/**
 * AMQP load generator (one process, amqplib): one publisher, one consumer (prefetch 1000, manual acks).
 * Usage: node dist/bench/amqp-load.js <url> <persistent-confirm|transient> <count> <sizeBytes>
 * Prints one JSON line: { msgPerSec, p50Ms, p99Ms, count }.
 */
import amqp from 'amqplib';

/** Unconfirmed publishes allowed in flight (like PerfTest's --confirm window). */
const CONFIRM_WINDOW = 1000;
const PREFETCH = 1000;

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function main(): Promise<void> {
  const [url, mode, countArg, sizeArg] = process.argv.slice(2);
  const count = Number(countArg);
  const size = Number(sizeArg);
  const persistent = mode === 'persistent-confirm';
  const conn = await amqp.connect(url);
  const consumeCh = await conn.createChannel();
  const q = `bench-${process.pid}-${mode}`;
  await consumeCh.assertQueue(q, { durable: persistent, autoDelete: false });
  await consumeCh.prefetch(PREFETCH);
  const latencies = new Float64Array(count);
  let received = 0;
  let startMs = 0;
  const done = new Promise<number>((resolve) => {
    void consumeCh.consume(q, (msg) => {
      if (!msg) return;
      latencies[received] = performance.now() - msg.content.readDoubleBE(0);
      received++;
      consumeCh.ack(msg);
      if (received === count) resolve(performance.now());
    });
  });
  const body = Buffer.alloc(size, 120);
  startMs = performance.now();
  if (persistent) {
    const ch = await conn.createConfirmChannel();
    let inflight = 0;
    let wake: (() => void) | null = null;
    for (let i = 0; i < count; i++) {
      while (inflight >= CONFIRM_WINDOW) await new Promise<void>((r) => (wake = r));
      const b = Buffer.from(body);
      b.writeDoubleBE(performance.now(), 0);
      inflight++;
      ch.sendToQueue(q, b, { persistent: true }, (err) => {
        if (err) throw new Error('nacked');
        inflight--;
        if (wake) {
          const w = wake;
          wake = null;
          w();
        }
      });
    }
    await ch.waitForConfirms();
  } else {
    const ch = await conn.createChannel();
    for (let i = 0; i < count; i++) {
      const b = Buffer.from(body);
      b.writeDoubleBE(performance.now(), 0);
      if (!ch.sendToQueue(q, b, { persistent: false })) await new Promise((r) => ch.once('drain', r));
    }
  }
  const endMs = await done;
  await consumeCh.deleteQueue(q);
  await conn.close();
  const sorted = latencies.sort();
  process.stdout.write(
    JSON.stringify({ count, msgPerSec: Math.round(count / ((endMs - startMs) / 1000)), p50Ms: +percentile(sorted, 0.5).toFixed(2), p99Ms: +percentile(sorted, 0.99).toFixed(2) }) + '\n',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`amqp-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
