/** The checked-in generated codec is exactly what the generator produces from the spec today. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BASIC_PROPERTY_NAMES } from '../../../protocols/amqp/codec';
import { generate, OUTPUT_RELATIVE_PATH, parseSpec, readSpec, repoRoot } from '../../../protocols/amqp/codec/generate';

describe('generator', () => {
  test('regenerating methods.generated.ts yields no diff', () => {
    const checkedIn = fs.readFileSync(path.join(repoRoot(), OUTPUT_RELATIVE_PATH), 'utf8');
    const fresh = generate(readSpec());
    expect(fresh.startsWith('// GENERATED — do not edit.')).toBe(true);
    expect(fresh === checkedIn).toBe(true);
  });

  test('the hand-written property codec follows the spec order of basic properties', () => {
    const basic = parseSpec(readSpec()).find((c) => c.name === 'basic');
    const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    expect(basic?.properties.map((p) => camel(p.name))).toEqual(BASIC_PROPERTY_NAMES);
    expect(basic?.properties.map((p) => p.type)).toEqual([
      'shortstr', 'shortstr', 'table', 'octet', 'octet', 'shortstr', 'shortstr', 'shortstr', 'shortstr', 'timestamp',
      'shortstr', 'shortstr', 'shortstr', 'shortstr',
    ]);
  });
});
