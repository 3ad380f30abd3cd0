/**
 * Profiles polymq under one MQTT load scenario: starts the broker with `--cpu-prof`, runs bench/mqtt-load.ts,
 * stops the broker (the profile is written on exit) and prints the top functions by self time.
 * Usage: node dist/bench/mqtt-profile.js <qos> <size> <pubs> <subs> <pairs|fanout> [durationMs] [topN] [clean|persistent]
 * Without a scenario it only summarises an existing profile: node dist/bench/mqtt-profile.js --read <file> [topN]
 */
import fs from 'node:fs';
import path from 'node:path';
import { runJsonChild } from './lib/child';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { REPO_ROOT, tempDir } from './lib/servers';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

/** Self time per function (name + file:line), as a share of all samples. */
export function topSelf(file: string, topN: number): string {
  const prof = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byNode = new Map<number, ProfileNode>();
  for (const n of prof.nodes) byNode.set(n.id, n);
  const counts = new Map<string, number>();
  for (const id of prof.samples) {
    const n = byNode.get(id);
    if (n === undefined) continue;
    const url = n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
    const key = `${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  // Inclusive time: every distinct function on a sample's stack counts once.
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const incl = new Map<string, number>();
  for (const id of prof.samples) {
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byNode.get(cur);
      if (n === undefined) break;
      const url = n.callFrame.url.replace(/^.*\/(node_modules|dist)\//, '$1/');
      seen.add(`${n.callFrame.functionName || '(anon)'} ${url}:${n.callFrame.lineNumber + 1}`);
    }
    for (const k of seen) incl.set(k, (incl.get(k) ?? 0) + 1);
  }
  const total = prof.samples.length;
  const fmt = (m: Map<string, number>): string =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, topN)
      .map(([k, c]) => `${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return `-- self\n${fmt(counts)}\n-- inclusive\n${fmt(incl)}`;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--read') {
    process.stdout.write(topSelf(args[1], Number(args[2] ?? 40)) + '\n');
    return;
  }
  const [qos, size, pubs, subs, topology, durationMs = '4000', topN = '40', session = 'clean'] = args;
  const dir = tempDir('polymq-prof-');
  const dataDir = tempDir('polymq-prof-data-');
  // Same command line as startPolymq, with the profiler (NODE_OPTIONS may not carry --cpu-prof).
  const child = spawn(
    process.execPath,
    [`--cpu-prof`, `--cpu-prof-dir=${dir}`, path.join(REPO_ROOT, 'dist/src/cli/main.js'), 'start', '--data-dir', dataDir, '--host', '127.0.0.1',
      '--amqp-port', '0', '--mqtt-port', '0', '--native-port', '0', '--http-port', '0', '--sys-interval-seconds', '0'],
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, POLYMQ_LOG_LEVEL: 'info' } },
  );
  const mqttPort = await new Promise<number>((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.includes('polymq started')) resolve((JSON.parse(line) as { ports: Record<string, number> }).ports.mqtt);
    });
    child.once('exit', (code) => reject(new Error(`polymq exited ${code}`)));
  });
  try {
    const r = await runJsonChild<{ deliveredPerSec: number }>('mqtt-load.js', [String(mqttPort), qos, size, pubs, subs, topology, durationMs, session]);
    process.stdout.write(`delivered/s ${r.deliveredPerSec}\n`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  for (const f of files) {
    const full = path.join(dir, f);
    process.stdout.write(`${full}\n${topSelf(full, Number(topN))}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`mqtt-profile: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
