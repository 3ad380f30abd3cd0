/**
 * Standalone differential runner.
 *   node dist/conformance/differential/run.js amqp|mqtt [--json] [--record] [--only <text>]
 *       starts polymq and the reference broker, runs every scenario against both, prints a table
 *       (exit code 1 if any scenario differs other than as recorded in KNOWN_DIFFERENCES); --json adds every
 *       observation, --record prints the KNOWN_DIFFERENCES literal to paste into known-differences.ts.
 *   node dist/conformance/differential/run.js <amqp://…|mqtt://…> [--only <text>]
 *       runs the scenarios of that protocol against one broker and prints each observation as JSON.
 */
import { amqpScenarios } from './amqp-scenarios';
import { compare, observe, type Comparison } from './compare';
import { KNOWN_AMQP_DIFFERENCES, KNOWN_MQTT_DIFFERENCES } from './known-differences';
import { mqttScenarios } from './mqtt-scenarios';
import { knownDifferencesLiteral } from './record';
import { haveReference, referenceName, startPair, type Protocol } from './targets';
import type { Scenario } from './types';

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function scenariosFor(protocol: Protocol, only: string | undefined): Scenario[] {
  const all = protocol === 'amqp' ? amqpScenarios : mqttScenarios;
  return only === undefined ? all : all.filter((s) => s.name.includes(only));
}

function table(protocol: Protocol, rows: Comparison[]): string[] {
  const width = Math.max(...rows.map((r) => r.name.length), 8);
  const lines = [`${'scenario'.padEnd(width)} | polymq vs ${referenceName(protocol)}`, `${'-'.repeat(width)}-+-${'-'.repeat(22)}`];
  for (const r of rows) lines.push(`${r.name.padEnd(width)} | ${r.verdict}`);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  lines.push('', [...counts].map(([v, n]) => `${v}: ${n}`).join(', '));
  return lines;
}

async function differential(protocol: Protocol, only: string | undefined, json: boolean, record: boolean): Promise<number> {
  if (!haveReference(protocol)) {
    out(`${referenceName(protocol)} is not installed (conformance/reference/install.sh): nothing to compare`);
    return 0;
  }
  const pair = await startPair(protocol);
  const known = protocol === 'amqp' ? KNOWN_AMQP_DIFFERENCES : KNOWN_MQTT_DIFFERENCES;
  const rows: Comparison[] = [];
  try {
    for (const s of scenariosFor(protocol, only)) {
      const startedMs = Date.now();
      rows.push(await compare(s, pair.ours, pair.theirs, known));
      process.stderr.write(`${rows[rows.length - 1].verdict.padEnd(9)} ${String(Date.now() - startedMs).padStart(6)} ms  ${s.name}\n`);
    }
  } finally {
    await pair.stop();
  }
  for (const l of table(protocol, rows)) out(l);
  for (const r of rows.filter((x) => x.verdict === 'different' || x.verdict === 'changed')) {
    out('');
    out(`## ${r.name} (${r.ref}) — ${r.verdict}`);
    out(`polymq:    ${JSON.stringify(r.ours)}`);
    out(`reference: ${JSON.stringify(r.theirs)}`);
  }
  if (json) out(JSON.stringify(rows, null, 1));
  if (record) out(knownDifferencesLiteral(rows, known));
  return rows.some((r) => r.verdict === 'different' || r.verdict === 'changed') ? 1 : 0;
}

async function single(url: string, only: string | undefined): Promise<number> {
  const protocol: Protocol = url.startsWith('amqp') ? 'amqp' : 'mqtt';
  for (const s of scenariosFor(protocol, only)) out(JSON.stringify({ scenario: s.name, ref: s.ref, observation: await observe(s, { url }) }));
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? argv[onlyAt + 1] : undefined;
  const what = argv.find((a, i) => !a.startsWith('--') && (onlyAt < 0 || i !== onlyAt + 1));
  if (what === 'amqp' || what === 'mqtt') return differential(what, only, argv.includes('--json'), argv.includes('--record'));
  if (what !== undefined && /^(amqps?|mqtts?|tcp):\/\//.test(what)) return single(what, only);
  out('usage: run.js amqp|mqtt [--json] [--record] [--only <text>]  |  run.js <amqp-url|mqtt-url> [--only <text>]');
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
