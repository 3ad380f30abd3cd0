/**
 * MQTT conformance runner:
 *   node dist/conformance/mqtt/run.js [--url mqtt://127.0.0.1:1883] [--only substring] [--json]
 *   node dist/conformance/mqtt/run.js --url mqtt://polymq:1883 --compare mqtt://mosquitto:1883
 * Runs every scenario against the broker at the URL, prints PASS/FAIL with the spec statements, and exits
 * non-zero when one failed. --json prints the traces; --compare runs the reference broker too and reports every
 * scenario whose observable trace differs (differential testing).
 */
import { randomBytes } from 'node:crypto';
import type { IClientOptions } from 'mqtt';
import { open, type Conn } from './client';
import { scenarios, type Scenario, type ScenarioContext } from './scenarios';

export interface ScenarioResult {
  name: string;
  spec: string[];
  ok: boolean;
  trace: string[];
  error?: string;
}

/** Per-scenario deadline for each wait. */
export const SCENARIO_TIMEOUT_MS = 10_000;

export async function runScenario(url: string, s: Scenario, timeoutMs = SCENARIO_TIMEOUT_MS): Promise<ScenarioResult> {
  const prefix = `conf-${randomBytes(4).toString('hex')}`;
  const conns: Conn[] = [];
  const ctx: ScenarioContext = {
    url,
    prefix,
    timeoutMs,
    async connect(clientId: string, opts: IClientOptions = {}) {
      const c = await open(url, { clientId: `${prefix}-${clientId}`, ...opts }, timeoutMs);
      conns.push(c);
      return c;
    },
  };
  try {
    const trace = await s.run(ctx);
    return { name: s.name, spec: s.spec, ok: true, trace };
  } catch (err) {
    return { name: s.name, spec: s.spec, ok: false, trace: [], error: err instanceof Error ? err.message : String(err) };
  } finally {
    await Promise.all(conns.map((c) => c.client.endAsync(true).catch(() => undefined)));
  }
}

export async function runAll(url: string, only?: string): Promise<ScenarioResult[]> {
  const out: ScenarioResult[] = [];
  for (const s of scenarios) {
    if (only !== undefined && !s.name.includes(only)) continue;
    out.push(await runScenario(url, s));
  }
  return out;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function line(r: ScenarioResult): string {
  return `${r.ok ? 'PASS' : 'FAIL'}  ${r.name}  [${r.spec.join(', ')}]${r.error ? `  — ${r.error}` : ''}\n`;
}

async function compare(url: string, reference: string, only: string | undefined): Promise<void> {
  const ours = await runAll(url, only);
  const theirs = await runAll(reference, only);
  let differences = 0;
  for (const r of ours) {
    const t = theirs.find((x) => x.name === r.name);
    const same = t !== undefined && t.ok === r.ok && JSON.stringify(t.trace) === JSON.stringify(r.trace);
    if (!same) differences++;
    process.stdout.write(`${same ? 'SAME' : 'DIFF'}  ${r.name}\n`);
    if (!same) {
      process.stdout.write(`   ${url}: ${r.ok ? JSON.stringify(r.trace) : r.error}\n`);
      process.stdout.write(`   ${reference}: ${t === undefined ? 'not run' : t.ok ? JSON.stringify(t.trace) : t.error}\n`);
    }
  }
  process.exitCode = differences === 0 ? 0 : 1;
}

if (require.main === module) {
  const url = arg('--url') ?? 'mqtt://127.0.0.1:1883';
  const reference = arg('--compare');
  if (reference !== undefined) {
    void compare(url, reference, arg('--only'));
  } else void runAll(url, arg('--only')).then((results) => {
    if (process.argv.includes('--json')) {
      process.stdout.write(JSON.stringify(results, null, 2) + '\n');
    } else {
      for (const r of results) process.stdout.write(line(r));
    }
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  });
}
