/**
 * AMQP side by side: polymq and RabbitMQ (Debian) in one run, the same load generator (bench/amqp-load.ts).
 * Scenarios: persistent 1 KiB with publisher confirms, and transient 1 KiB without; plus 1,000 connections ×
 * 10 channels held, broker RSS measured. Standalone: node dist/bench/amqp.js [count]
 */
import { holdChild, runJsonChild } from './lib/child';
import { haveRabbitmq, machineLine, rssBytes, startPolymq, startRabbitmq, type RunningServer } from './lib/servers';

interface LoadResult {
  count: number;
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

export interface AmqpBenchRow {
  broker: string;
  scenario: string;
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** Connections × channels for the footprint scenario (the target: 1,000 × 10 within 1 GiB). */
export const FOOTPRINT_CONNECTIONS = 1000;
export const FOOTPRINT_CHANNELS = 10;

async function measure(server: RunningServer, count: number): Promise<{ rows: AmqpBenchRow[]; rssMiB: number }> {
  const url = `amqp://guest:guest@127.0.0.1:${server.ports.amqp}`;
  const rows: AmqpBenchRow[] = [];
  for (const scenario of ['persistent-confirm', 'transient'] as const) {
    const r = await runJsonChild<LoadResult>('amqp-load.js', [url, scenario, String(count), '1024']);
    rows.push({ broker: server.name, scenario, msgPerSec: r.msgPerSec, p50Ms: r.p50Ms, p99Ms: r.p99Ms });
  }
  const hold = await holdChild('amqp-connections.js', [url, String(FOOTPRINT_CONNECTIONS), String(FOOTPRINT_CHANNELS)]);
  const rssMiB = Math.round(rssBytes(server.pid) / 2 ** 20);
  await hold.release();
  return { rows, rssMiB };
}

export async function runAmqpBench(count = 100_000): Promise<string> {
  const lines: string[] = [];
  const results: Array<{ rows: AmqpBenchRow[]; rssMiB: number; name: string }> = [];
  const polymq = await startPolymq();
  try {
    results.push({ name: 'polymq', ...(await measure(polymq, count)) });
  } finally {
    await polymq.stop();
  }
  if (haveRabbitmq()) {
    const rabbit = await startRabbitmq();
    try {
      results.push({ name: 'rabbitmq', ...(await measure(rabbit, count)) });
    } finally {
      await rabbit.stop();
    }
  }
  lines.push(`### AMQP (${new Date().toISOString()}, ${machineLine()})`);
  lines.push(`Command: \`node dist/bench/amqp.js ${count}\` — ${count} messages of 1 KiB, one publisher, one consumer (prefetch ${1000}, manual acks).`);
  lines.push('');
  lines.push('| broker | scenario | msg/s | p50 ms | p99 ms |');
  lines.push('|---|---|---|---|---|');
  for (const r of results) for (const row of r.rows) lines.push(`| ${row.broker} | ${row.scenario} | ${row.msgPerSec} | ${row.p50Ms} | ${row.p99Ms} |`);
  lines.push('');
  for (const r of results) lines.push(`- ${r.name}: RSS with ${FOOTPRINT_CONNECTIONS} connections × ${FOOTPRINT_CHANNELS} channels: ${r.rssMiB} MiB`);
  const p = results.find((r) => r.name === 'polymq');
  const q = results.find((r) => r.name === 'rabbitmq');
  if (p && q) {
    for (const scenario of ['persistent-confirm', 'transient']) {
      const a = p.rows.find((x) => x.scenario === scenario);
      const b = q.rows.find((x) => x.scenario === scenario);
      if (a && b) lines.push(`- ${scenario}: polymq/RabbitMQ throughput ratio ${(a.msgPerSec / b.msgPerSec).toFixed(2)}×, p99 ${a.p99Ms} ms vs ${b.p99Ms} ms`);
    }
  } else lines.push('- RabbitMQ not installed (conformance/reference/install.sh): no side-by-side figures.');
  return lines.join('\n');
}

if (require.main === module) {
  runAmqpBench(Number(process.argv[2] ?? 100_000)).then(
    (md) => process.stdout.write(md + '\n'),
    (err: unknown) => {
      process.stderr.write(`amqp bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
