/**
 * Property test of routing through exchange graphs: random exchanges (direct, fanout, topic), random bindings to
 * queues and exchanges (cycles, self-loops, duplicate destinations), random alternate exchanges, bindings added
 * and removed between checks. The router must give the same queue set as the fixpoint definition below.
 */
import { type Binding, makeBinding } from '../../../src/core/router/binding';
import { Router } from '../../../src/core/router/router';
import { splitTopicWords } from '../../../src/core/router/topic';
import { mulberry32 as prng } from '../../helpers/prng';

function topicMatches(p: string[], k: string[]): boolean {
  if (p.length === 0) return k.length === 0;
  if (p[0] === '#') return topicMatches(p.slice(1), k) || (k.length > 0 && topicMatches(p, k.slice(1)));
  if (k.length === 0) return false;
  return (p[0] === '*' || p[0] === k[0]) && topicMatches(p.slice(1), k.slice(1));
}

interface ModelExchange {
  type: string;
  alternate: string | null;
}

/**
 * The definition: R is the smallest set of exchanges holding the start and closed under "an exchange destination
 * of a matching binding of x is in R" and "when x has no matching binding, its existing alternate is in R".
 * The result is every queue destination of a matching binding of an exchange in R.
 */
function definitionalRoute(exchanges: Map<string, ModelExchange>, bindings: Binding[], start: string, keys: string[]): string[] {
  const matchesKey = (b: Binding, key: string): boolean => {
    const t = exchanges.get(b.source)?.type;
    if (t === 'fanout') return true;
    if (t === 'direct') return b.routingKey === key;
    return topicMatches(splitTopicWords(b.routingKey), splitTopicWords(key));
  };
  // With several routing keys (CC/BCC) a binding matches when it matches any of them.
  const matches = (b: Binding): boolean => keys.some((k) => matchesKey(b, k));
  const reached = new Set([start]);
  for (let changed = true; changed; ) {
    changed = false;
    for (const x of [...reached]) {
      const m = bindings.filter((b) => b.source === x && matches(b));
      const next = m.filter((b) => b.destinationKind === 'exchange').map((b) => b.destination);
      const alt = exchanges.get(x)?.alternate ?? null;
      if (m.length === 0 && alt !== null && exchanges.has(alt)) next.push(alt);
      for (const n of next) {
        if (!reached.has(n)) {
          reached.add(n);
          changed = true;
        }
      }
    }
  }
  const queues = new Set<string>();
  for (const b of bindings) if (reached.has(b.source) && b.destinationKind === 'queue' && matches(b)) queues.add(b.destination);
  return [...queues].sort();
}

const TYPES = ['direct', 'fanout', 'topic'];
const KEYS = ['a', 'b', 'a.b', 'b.a', 'a.b.c', ''];
const PATTERNS = ['a', 'b', 'a.b', '*', '#', 'a.*', '*.b', 'a.#', '#.c', ''];

describe('routing through random exchange graphs', () => {
  test('router equals the fixpoint definition (seeded, with churn)', () => {
    let checks = 0;
    for (let seed = 1; seed <= 150; seed++) {
      const rand = prng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
      const names = ['x0', 'x1', 'x2', 'x3', 'x4'];
      const queues = ['q0', 'q1', 'q2', 'q3'];
      const router = new Router('/', (q) => queues.includes(q));
      const model = new Map<string, ModelExchange>();
      for (const name of names) {
        const alternate = rand() < 0.4 ? pick([...names, 'missing']) : null;
        const type = pick(TYPES);
        router.addExchange({
          name,
          type,
          durable: false,
          autoDelete: false,
          internal: false,
          arguments: alternate === null ? {} : { 'alternate-exchange': alternate },
        });
        model.set(name, { type, alternate });
      }
      let bindings: Binding[] = [];
      const addRandom = (): void => {
        const toExchange = rand() < 0.35;
        const b = makeBinding(pick(names), toExchange ? pick(names) : pick(queues), toExchange ? 'exchange' : 'queue', pick(PATTERNS), {});
        if (router.addBinding(b)) bindings.push(b);
      };
      for (let i = 0; i < 12; i++) addRandom();
      for (let round = 0; round < 4; round++) {
        for (const start of names) {
          for (const key of KEYS) {
            const out: string[] = [];
            router.route(start, key, undefined, true, out);
            const expected = definitionalRoute(model, bindings, start, [key]);
            if (JSON.stringify([...out].sort()) !== JSON.stringify(expected) || new Set(out).size !== out.length) {
              throw new Error(`seed ${seed} round ${round} ${start} '${key}': got ${JSON.stringify(out)} expected ${JSON.stringify(expected)}`);
            }
            const keys = [key, pick(KEYS)];
            const outMany: string[] = [];
            router.routeKeys(start, keys, undefined, true, outMany);
            const expectedMany = definitionalRoute(model, bindings, start, keys);
            if (JSON.stringify([...outMany].sort()) !== JSON.stringify(expectedMany) || new Set(outMany).size !== outMany.length) {
              throw new Error(`seed ${seed} round ${round} ${start} ${JSON.stringify(keys)}: got ${JSON.stringify(outMany)} expected ${JSON.stringify(expectedMany)}`);
            }
            checks++;
          }
        }
        // Churn: remove some bindings, add others.
        const keep: Binding[] = [];
        for (const b of bindings) {
          if (rand() < 0.3) router.removeBinding(b);
          else keep.push(b);
        }
        bindings = keep;
        for (let i = 0; i < 4; i++) addRandom();
      }
    }
    expect(checks).toBe(150 * 4 * 5 * KEYS.length); // each check covers one key and a two-key (CC) publish
  });
});
