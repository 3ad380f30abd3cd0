/**
 * One jest suite shape for both differential test files: start polymq and the reference broker once, run each
 * scenario against both, and expect equal observations — or, for a scenario in KNOWN_DIFFERENCES, expect both
 * observations to be exactly as recorded (so any change, a fix included, fails and forces an update).
 */
import { observe } from '../../conformance/differential/compare';
import { haveReference, referenceName, startPair, type Pair, type Protocol } from '../../conformance/differential/targets';
import type { KnownDifference, Scenario } from '../../conformance/differential/types';

/** RabbitMQ needs ~7 s alone on an idle machine; CI shares 2 cores with other suites. */
const START_MS_MAX = 120_000;
const STOP_MS_MAX = 60_000;
/** Both brokers run a scenario in parallel; each run is bounded by SCENARIO_MS_MAX in compare.ts. */
const TEST_MS_MAX = 45_000;

/**
 * `alsoAgainstReference` registers more tests inside the suite, given the reference broker's URL once it runs
 * (they share its start-up, the slow part).
 */
export function differentialSuite(
  protocol: Protocol,
  scenarios: Scenario[],
  known: Record<string, KnownDifference>,
  alsoAgainstReference?: (referenceUrl: () => string) => void,
): void {
  const reference = referenceName(protocol);
  const title = `${protocol.toUpperCase()} differential: polymq vs ${reference}`;
  if (!haveReference(protocol)) {
    describe.skip(`${title} — SKIPPED: ${reference} not installed (run conformance/reference/install.sh as root)`, () => {
      test('reference broker missing', () => undefined);
    });
    return;
  }

  describe(title, () => {
    let pair: Pair | undefined;
    beforeAll(async () => {
      pair = await startPair(protocol);
    }, START_MS_MAX);
    afterAll(async () => {
      await pair?.stop();
    }, STOP_MS_MAX);

    test('KNOWN_DIFFERENCES names existing scenarios and records real differences', () => {
      const names = new Set(scenarios.map((s) => s.name));
      for (const [name, k] of Object.entries(known)) {
        expect({ name, exists: names.has(name) }).toEqual({ name, exists: true });
        expect(k.ours).not.toEqual(k.theirs);
        expect(k.reason.length).toBeGreaterThan(0);
      }
    });

    alsoAgainstReference?.(() => {
      if (pair === undefined) throw new Error('brokers did not start');
      return pair.theirs.url;
    });

    for (const s of scenarios) {
      test(`${s.name} — ${s.ref}`, async () => {
        if (pair === undefined) throw new Error('brokers did not start');
        const [ours, theirs] = await Promise.all([observe(s, pair.ours), observe(s, pair.theirs)]);
        const k = known[s.name];
        if (k === undefined) expect(ours).toEqual(theirs);
        else expect({ ours, theirs }).toEqual({ ours: k.ours, theirs: k.theirs });
      }, TEST_MS_MAX);
    }
  });
}
