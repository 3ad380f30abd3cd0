/**
 * Broker CPU per MQTT message: the figure to judge an adapter change by on a shared machine (throughput moves
 * with the neighbours' load, CPU per message much less). Starts polymq from a given build, runs
 * bench/mqtt-load.ts scenarios against it and reads the broker's utime+stime (/proc/<pid>/stat) at the start and
 * the end of the measured window.
 * Usage: node dist/bench/mqtt-cpu.js <dist dir of the build, e.g. dist or /tmp/dist-old> <durationMs> <scenario>…
 * A scenario is qos:size:pubs:subs:pairs|fanout[:persistent], e.g. 0:100:1:1:pairs or 1:1024:10:10:pairs:persistent.
 * Prints one line per scenario: delivered/s and broker CPU µs per delivered message.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { tempDir } from './lib/servers';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const USER_HZ = 100;

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function startBroker(distDir: string): Promise<{ pid: number; port: number; stop(): Promise<void> }> {
  const dataDir = tempDir('polymq-cpu-');
  const child = spawn(
    process.execPath,
    [path.join(distDir, 'src/cli/main.js'), 'start', '--data-dir', dataDir, '--host', '127.0.0.1', '--amqp-port', '0', '--mqtt-port', '0',
      '--native-port', '0', '--http-port', '0', '--sys-interval-seconds', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, POLYMQ_LOG_LEVEL: 'info' } },
  );
  const port = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('polymq started')) resolve((JSON.parse(line) as { ports: Record<string, number> }).ports.mqtt);
    });
    child.once('exit', (code) => reject(new Error(`polymq exited ${code}`)));
  });
  child.stdout.resume();
  return {
    pid: child.pid ?? 0,
    port,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function runScenario(pid: number, port: number, spec: string, durationMs: number): Promise<string> {
  const [qos, size, pubs, subs, topology, session = 'clean'] = spec.split(':');
  const load = spawn(process.execPath, [path.join(__dirname, 'mqtt-load.js'), String(port), qos, size, pubs, subs, topology, String(durationMs), session], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let last = '';
  let t0 = 0;
  let t1 = 0;
  // The generator prints 'measuring' when its window opens and its result when the window closes.
  readline.createInterface({ input: load.stdout }).on('line', (l) => {
    if (l === 'measuring') t0 = cpuTicks(pid);
    else t1 = cpuTicks(pid);
    last = l;
  });
  const code = await new Promise<number | null>((resolve) => load.once('exit', resolve));
  if (code !== 0) return `${spec}: load exited ${code}`;
  const r = JSON.parse(last) as { deliveredPerSec: number };
  const delivered = (r.deliveredPerSec * durationMs) / 1000;
  const cpuUs = ((t1 - t0) * 1e6) / USER_HZ;
  return `${spec.padEnd(34)} delivered/s ${String(r.deliveredPerSec).padStart(7)}  broker CPU ${(cpuUs / delivered).toFixed(2).padStart(6)} µs/msg  (${((100 * (t1 - t0)) / USER_HZ / (durationMs / 1000)).toFixed(0)} % of a core)`;
}

async function main(): Promise<void> {
  const [distDir, durationMs, ...specs] = process.argv.slice(2);
  const broker = await startBroker(path.resolve(distDir));
  try {
    for (const spec of specs) process.stdout.write((await runScenario(broker.pid, broker.port, spec, Number(durationMs))) + '\n');
  } finally {
    await broker.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`mqtt-cpu: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
