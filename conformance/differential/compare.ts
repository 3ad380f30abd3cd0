/**
 * Runs a scenario against two targets and classifies the result: 'same', 'known' (recorded in
 * KNOWN_DIFFERENCES and unchanged on both sides), 'changed' (recorded but either side now differs from the
 * record) or 'different' (not recorded).
 */
import { isDeepStrictEqual } from 'node:util';
import { withDeadline } from './deadline';
import type { KnownDifference, Observation, Scenario, Target } from './types';

/** Longest one scenario may run against one broker. */
export const SCENARIO_MS_MAX = 30_000;

export type Verdict = 'same' | 'known' | 'changed' | 'different';

export interface Comparison {
  name: string;
  ref: string;
  ours: Observation;
  theirs: Observation;
  verdict: Verdict;
}

/** The observation, or `{ error }` when the scenario itself failed (a timeout is an observation too). */
export async function observe(scenario: Scenario, target: Target): Promise<Observation> {
  try {
    return await withDeadline(scenario.run(target), scenario.name, SCENARIO_MS_MAX);
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

export function verdict(ours: Observation, theirs: Observation, known: KnownDifference | undefined): Verdict {
  if (known === undefined) return isDeepStrictEqual(ours, theirs) ? 'same' : 'different';
  return isDeepStrictEqual(ours, known.ours) && isDeepStrictEqual(theirs, known.theirs) ? 'known' : 'changed';
}

export async function compare(scenario: Scenario, ours: Target, theirs: Target, known: Record<string, KnownDifference>): Promise<Comparison> {
  const [o, t] = await Promise.all([observe(scenario, ours), observe(scenario, theirs)]);
  return { name: scenario.name, ref: scenario.ref, ours: o, theirs: t, verdict: verdict(o, t, known[scenario.name]) };
}
