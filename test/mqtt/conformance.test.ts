/** The conformance scenarios (conformance/mqtt) run against polymq itself. */
import { runScenario } from '../../conformance/mqtt/run';
import { scenarios } from '../../conformance/mqtt/scenarios';
import { startBroker, type InProcessBroker } from '../helpers/broker';

let b: InProcessBroker;

beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => b.stop());

test.each(scenarios.map((s) => [`${s.name} [${s.spec.join(', ')}]`, s] as const))('conformance: %s', async (_name, s) => {
  const r = await runScenario(`mqtt://127.0.0.1:${b.ports.mqtt}`, s);
  expect(r.error).toBeUndefined();
  expect(r.ok).toBe(true);
});
