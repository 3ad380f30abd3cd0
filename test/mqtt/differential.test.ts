/**
 * Differential run: the MQTT 3.1.1 conformance scenarios against polymq and against aedes (the reference broker
 * available as a dev dependency) must produce the same observable traces. MQTT 5 scenarios are skipped (aedes
 * has no MQTT 5).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { runScenario } from '../../conformance/mqtt/run';
import { scenarios } from '../../conformance/mqtt/scenarios';
import { REPO_ROOT, startBroker, type InProcessBroker } from '../helpers/broker';

let polymq: InProcessBroker;
let aedes: ChildProcess;
let aedesPort = 0;

beforeAll(async () => {
  polymq = await startBroker();
  aedes = spawn(process.execPath, [path.join(REPO_ROOT, 'conformance/mqtt/aedes-reference.mjs')], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
  aedesPort = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('aedes did not start')), 20_000);
    readline.createInterface({ input: aedes.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    aedes.once('exit', (code) => reject(new Error(`aedes exited with ${code}`)));
  });
});

afterAll(async () => {
  const exited = new Promise((resolve) => aedes.once('exit', resolve));
  aedes.stdin?.end();
  await exited;
  await polymq.stop();
});

const v311 = scenarios.filter((s) => !s.name.startsWith('v5') && !s.name.includes('and v5'));

test.each(v311.map((s) => [s.name, s] as const))('same trace as aedes: %s', async (_name, s) => {
  const ours = await runScenario(`mqtt://127.0.0.1:${polymq.ports.mqtt}`, s);
  const reference = await runScenario(`mqtt://127.0.0.1:${aedesPort}`, s);
  expect(reference.error).toBeUndefined();
  expect(ours.error).toBeUndefined();
  expect(ours.trace).toEqual(reference.trace);
});
