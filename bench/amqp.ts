/**
 * AMQP side by side: polymq and RabbitMQ (Debian) in one run, the same load generators.
 * Scenarios: persistent 1 KiB with publisher confirms, and transient 1 KiB without; one publisher, one consumer
 * (prefetch 1000, manual acks); plus 1,000 connections × 10 channels held, broker RSS measured.
 *
 * The machine is shared, so both brokers run for the whole bench and every repetition alternates between them
 * (polymq, RabbitMQ, polymq, …): a burst of outside load then hits both, not one. Each row is the median of the
 * repetitions. The primary generator is bench/amqp-lean-load.ts (raw sockets + our codec; amqplib's client costs
 * more CPU than the brokers' work); bench/amqp-load.ts (amqplib) runs once per cell as a second opinion.
 *
 * Standalone: node dist/bench/amqp.js [count] [repetitions] [--no-amqplib] [--no-footprint]
 */
import os from 'node:os';
import { holdChild, runJsonChild } from './lib/child';
import { haveRabbitmq, machineLine, rssBytes, startPolymq, startRabbitmq, type RunningServer } from './lib/servers';

interface LoadResult {
  count: number;
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Publish → confirm round trip of a publish batch (lean generator, confirm scenario only). */
  confirmP50Ms?: number;
  confirmP99Ms?: number;
}

export interface AmqpBenchRow {
  broker: string;
  scenario: string;
  generator: string;
  msgPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Every repetition's msg/s, for the spread. */
  runs: number[];
  /** Median confirm round trip p50/p99 (ms), when the generator measured it. */
  confirm: [number, number] | null;
}

/** Connections × channels for the footprint scenario (the target: 1,000 × 10 within 1 GiB). */
export const FOOTPRINT_CONNECTIONS = 1000;
export const FOOTPRINT_CHANNELS = 10;
const SCENARIOS = ['persistent-confirm', 'transient'] as const;
const GENERATORS = { lean: 'amqp-lean-load.js', amqplib: 'amqp-load.js' } as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function url(server: RunningServer): string {
  return `amqp://guest:guest@127.0.0.1:${server.ports.amqp}`;
}

async function footprintMiB(server: RunningServer): Promise<number> {
  const hold = await holdChild('amqp-connections.js', [url(server), String(FOOTPRINT_CONNECTIONS), String(FOOTPRINT_CHANNELS)]);
  const rssMiB = Math.round(rssBytes(server.pid) / 2 ** 20);
  await hold.release();
  return rssMiB;
}

export async function runAmqpBench(count = 100_000, reps = 3, opts = { amqplib: true, footprint: true }): Promise<string> {
  const servers: RunningServer[] = [await startPolymq()];
  const loadBefore = os.loadavg()[0];
  const rows: AmqpBenchRow[] = [];
  const rss = new Map<string, number>();
  try {
    if (haveRabbitmq()) servers.push(await startRabbitmq());
    const gens: Array<[keyof typeof GENERATORS, number]> = [['lean', reps]];
    if (opts.amqplib) gens.push(['amqplib', 1]);
    for (const [gen, n] of gens) {
      for (const scenario of SCENARIOS) {
        const results = new Map<string, LoadResult[]>();
        for (let i = 0; i < n; i++) {
          for (const s of servers) {
            const r = await runJsonChild<LoadResult>(GENERATORS[gen], [url(s), scenario, String(count), '1024']);
            const list = results.get(s.name) ?? [];
            list.push(r);
            results.set(s.name, list);
          }
        }
        for (const [broker, list] of results) {
          rows.push({
            broker,
            scenario,
            generator: gen,
            msgPerSec: Math.round(median(list.map((r) => r.msgPerSec))),
            p50Ms: +median(list.map((r) => r.p50Ms)).toFixed(2),
            p99Ms: +median(list.map((r) => r.p99Ms)).toFixed(2),
            runs: list.map((r) => r.msgPerSec),
            confirm: list.every((r) => r.confirmP50Ms !== undefined && r.confirmP99Ms !== undefined)
              ? [+median(list.map((r) => r.confirmP50Ms ?? 0)).toFixed(2), +median(list.map((r) => r.confirmP99Ms ?? 0)).toFixed(2)]
              : null,
          });
        }
      }
    }
    if (opts.footprint) for (const s of servers) rss.set(s.name, await footprintMiB(s));
  } finally {
    for (const s of servers) await s.stop();
  }
  const loadAfter = os.loadavg()[0];
  const lines: string[] = [];
  lines.push(`### AMQP (${new Date().toISOString()}, ${machineLine()})`);
  lines.push(
    `Command: \`node dist/bench/amqp.js ${count} ${reps}\` — ${count} messages of 1 KiB per run, one publisher, one consumer ` +
      `(prefetch 1000, manual acks, one ack per message; confirm window 1000). Median of ${reps} alternating runs ` +
      `(lean generator; amqplib: 1 run). p50/p99: publish → delivery latency. Load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after.`,
  );
  lines.push('');
  lines.push('| generator | scenario | broker | msg/s | p50 ms | p99 ms | confirm p50 / p99 ms | runs (msg/s) |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const confirm = r.confirm === null ? '' : `${r.confirm[0]} / ${r.confirm[1]}`;
    lines.push(`| ${r.generator} | ${r.scenario} | ${r.broker} | ${r.msgPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${confirm} | ${r.runs.join(', ')} |`);
  }
  lines.push('');
  for (const [name, mib] of rss) lines.push(`- ${name}: RSS with ${FOOTPRINT_CONNECTIONS} connections × ${FOOTPRINT_CHANNELS} channels: ${mib} MiB`);
  let compared = false;
  for (const gen of Object.keys(GENERATORS)) {
    for (const scenario of SCENARIOS) {
      const a = rows.find((x) => x.generator === gen && x.scenario === scenario && x.broker === 'polymq');
      const b = rows.find((x) => x.generator === gen && x.scenario === scenario && x.broker === 'rabbitmq');
      if (a === undefined || b === undefined) continue;
      compared = true;
      lines.push(`- ${gen}, ${scenario}: polymq/RabbitMQ throughput ${(a.msgPerSec / b.msgPerSec).toFixed(2)}×, p99 ${a.p99Ms} ms vs ${b.p99Ms} ms`);
    }
  }
  if (!compared) lines.push('- RabbitMQ not installed (conformance/reference/install.sh): no side-by-side figures.');
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const nums = args.filter((a) => !a.startsWith('--')).map(Number);
  runAmqpBench(nums[0] ?? 100_000, nums[1] ?? 3, { amqplib: !args.includes('--no-amqplib'), footprint: !args.includes('--no-footprint') }).then(
    (md) => process.stdout.write(md + '\n'),
    (err: unknown) => {
      process.stderr.write(`amqp bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
