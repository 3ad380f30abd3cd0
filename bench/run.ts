/**
 * `npm run bench`: installs the reference brokers when possible (conformance/reference/install.sh), runs every
 * benchmark script in its own process, prints their reports and, with --write, appends them to bench/RESULTS.md.
 * Usage: node dist/bench/run.js [--write] [name …]   (names: storage amqp-codec native amqp mqtt)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, machineLine } from './lib/servers';

const BENCHES = ['storage', 'amqp-codec', 'native', 'amqp', 'mqtt'] as const;
/** Longest one benchmark script may run. */
const BENCH_TIMEOUT_MS = 30 * 60_000;

function main(): void {
  const args = process.argv.slice(2);
  const write = args.includes('--write');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const selected = BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b));
  const install = spawnSync('bash', [path.join(REPO_ROOT, 'conformance/reference/install.sh')], { stdio: 'inherit' });
  if (install.status !== 0) process.stderr.write('bench: reference brokers not installed; side-by-side rows will be missing\n');
  const sections: string[] = [`## Run of ${new Date().toISOString()} on ${machineLine()}`, `Command: \`npm run bench\` (${selected.join(', ')})`, ''];
  for (const name of selected) {
    const script = path.join(__dirname, `${name}.js`);
    if (!fs.existsSync(script)) {
      sections.push(`### ${name}\nnot built\n`);
      continue;
    }
    process.stderr.write(`bench: running ${name}…\n`);
    const r = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: BENCH_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'inherit'], cwd: REPO_ROOT });
    sections.push(r.status === 0 ? r.stdout.trim() : `### ${name}\nfailed (exit ${r.status}):\n\n\`\`\`\n${(r.stdout ?? '').slice(-2000)}\n\`\`\``);
    sections.push('');
  }
  const report = sections.join('\n');
  process.stdout.write(report + '\n');
  if (write) fs.appendFileSync(path.join(REPO_ROOT, 'bench/RESULTS.md'), '\n' + report + '\n');
}

main();
