/**
 * Runs every AMQP conformance scenario against one broker and prints one JSON observation per line.
 *   node dist/conformance/amqp/run.js amqp://guest:guest@localhost:5672   (or AMQP_URL=...)
 * Exit code 1 when a scenario threw. Compare two brokers by diffing their outputs.
 */
import { scenarios } from './scenarios';

export async function runAll(url: string, only?: string): Promise<{ observations: unknown[]; failures: string[] }> {
  const observations: unknown[] = [];
  const failures: string[] = [];
  for (const [name, scenario] of Object.entries(scenarios)) {
    if (only !== undefined && !name.includes(only)) continue;
    try {
      observations.push(await scenario(url));
    } catch (err) {
      failures.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
      observations.push({ scenario: name, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return { observations, failures };
}

if (require.main === module) {
  const url = process.argv[2] ?? process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  void runAll(url, process.argv[3]).then(({ observations, failures }) => {
    for (const o of observations) process.stdout.write(`${JSON.stringify(o)}\n`);
    process.exitCode = failures.length > 0 ? 1 : 0;
  });
}
