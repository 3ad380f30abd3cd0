/**
 * Prints a KNOWN_DIFFERENCES map literal from a differential run, keeping the reasons already recorded, so a
 * maintainer can paste it into known-differences.ts after a behaviour change (`run.js amqp|mqtt --record`).
 */
import type { Comparison } from './compare';
import type { KnownDifference } from './types';

/** Placeholder that the known-differences test rejects, so nobody ships an unexplained difference. */
export const REASON_NEEDED = '';

export function knownDifferencesLiteral(rows: Comparison[], existing: Record<string, KnownDifference>): string {
  const lines = ['{'];
  for (const r of rows.filter((x) => x.verdict !== 'same')) {
    const reason = existing[r.name]?.reason ?? REASON_NEEDED;
    lines.push(`  ${JSON.stringify(r.name)}: {`);
    lines.push(`    reason: ${JSON.stringify(reason)},`);
    lines.push(`    ours: ${JSON.stringify(r.ours)},`);
    lines.push(`    theirs: ${JSON.stringify(r.theirs)},`);
    lines.push('  },');
  }
  lines.push('}');
  return lines.join('\n');
}
