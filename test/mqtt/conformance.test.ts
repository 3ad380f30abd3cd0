/** The conformance scenarios (conformance/mqtt) run against polymq itself. */
import { runScenario } from '../../conformance/mqtt/run';
import { scenarios } from '../../conformance/mqtt/scenarios';
import { useMqttBroker } from './helpers';

const mq = useMqttBroker();

test.each(scenarios.map((s) => [`${s.name} [${s.spec.join(', ')}]`, s] as const))('conformance: %s', async (_name, s) => {
  const r = await runScenario(mq.url, s);
  expect(r.error).toBeUndefined();
  expect(r.ok).toBe(true);
});
