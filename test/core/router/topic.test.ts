import { makeBinding, type Binding } from '../../../src/core/router/binding';
import { splitTopicWords, TopicMatcher } from '../../../src/core/router/topic';
import { mulberry32 as prng } from '../../helpers/prng';

/** Brute-force reference: the definition of `*` and `#` written as plain recursion on word lists. */
function referenceMatch(p: string[], k: string[]): boolean {
  if (p.length === 0) return k.length === 0;
  if (p[0] === '#') return referenceMatch(p.slice(1), k) || (k.length > 0 && referenceMatch(p, k.slice(1)));
  if (k.length === 0) return false;
  return (p[0] === '*' || p[0] === k[0]) && referenceMatch(p.slice(1), k.slice(1));
}

function randomKey(rand: () => number, alphabet: string[], maxWords: number): string {
  const n = Math.floor(rand() * (maxWords + 1));
  const words: string[] = [];
  for (let i = 0; i < n; i++) words.push(alphabet[Math.floor(rand() * alphabet.length)]);
  return words.join('.');
}

const PATTERN_WORDS = ['a', 'b', 'c', '', '*', '#', '#', '*'];
const KEY_WORDS = ['a', 'b', 'c', ''];

function matchedIds(m: TopicMatcher, key: string): string[] {
  const out: Binding[] = [];
  m.match(key, undefined, out);
  return out.map((b) => b.id).sort();
}

describe('topic trie matcher', () => {
  test('splits words like RabbitMQ', () => {
    expect(splitTopicWords('')).toEqual([]);
    expect(splitTopicWords('a.')).toEqual(['a', '']);
    expect(splitTopicWords('.')).toEqual(['', '']);
  });

  test('known cases', () => {
    const cases: Array<[string, string, boolean]> = [
      ['#', '', true],
      ['#', 'a.b.c', true],
      ['*', '', false],
      ['*', 'a', true],
      ['*', 'a.b', false],
      ['a.*.c', 'a.b.c', true],
      ['a.#.c', 'a.c', true],
      ['a.#.c', 'a.b.b.c', true],
      ['a.#', 'a', true],
      ['#.a', 'b.a.a', true],
      ['#.#', 'x', true],
      ['*.#.*', 'x', false],
      ['*.#.*', 'x.y', true],
      ['', '', true],
      ['', 'a', false],
      ['a.', 'a.', true],
      ['a.*', 'a.', true],
      ['sensors.+', 'sensors.+', true],
    ];
    for (const [pattern, key, expected] of cases) {
      const m = new TopicMatcher();
      m.add(makeBinding('x', 'q', 'queue', pattern, {}));
      expect([pattern, key, matchedIds(m, key).length === 1]).toEqual([pattern, key, expected]);
      expect(referenceMatch(splitTopicWords(pattern), splitTopicWords(key))).toBe(expected);
    }
  });

  test('property: trie equals brute force on random patterns and keys (seeded), including after removals', () => {
    let checks = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const rand = prng(seed);
      const m = new TopicMatcher();
      let bindings: Binding[] = [];
      for (let i = 0; i < 40; i++) {
        const b = makeBinding('x', `q${i % 7}`, 'queue', randomKey(rand, PATTERN_WORDS, 5), { i });
        m.add(b);
        bindings.push(b);
      }
      const check = (): void => {
        for (let i = 0; i < 100; i++) {
          const key = randomKey(rand, KEY_WORDS, 6);
          const words = splitTopicWords(key);
          const expected = bindings
            .filter((b) => referenceMatch(splitTopicWords(b.routingKey), words))
            .map((b) => b.id)
            .sort();
          const got = matchedIds(m, key);
          if (JSON.stringify(got) !== JSON.stringify(expected)) {
            throw new Error(`seed ${seed} key '${key}': got ${JSON.stringify(got)} expected ${JSON.stringify(expected)}`);
          }
          checks++;
        }
      };
      check();
      // Remove about half (exercises pruning and cache invalidation), then check again.
      const keep: Binding[] = [];
      for (const b of bindings) {
        if (rand() < 0.5) m.remove(b);
        else keep.push(b);
      }
      bindings = keep;
      check();
    }
    expect(checks).toBe(60 * 200);
  });

  test('many # do not blow up and report each binding once', () => {
    const m = new TopicMatcher();
    m.add(makeBinding('x', 'q', 'queue', '#.#.#.#.#.#', {}));
    m.add(makeBinding('x', 'q2', 'queue', '#.a.#.a.#', {}));
    const key = Array.from({ length: 120 }, (_, i) => (i % 2 === 0 ? 'a' : 'b')).join('.');
    expect(matchedIds(m, key).length).toBe(2);
  });

  test('removing every binding leaves an empty trie that matches nothing', () => {
    const m = new TopicMatcher();
    const bs = ['a.b', 'a.*', 'a.#', '#', '*.b'].map((k) => makeBinding('x', 'q', 'queue', k, {}));
    for (const b of bs) m.add(b);
    expect(matchedIds(m, 'a.b').length).toBe(5);
    for (const b of bs) m.remove(b);
    expect(matchedIds(m, 'a.b')).toEqual([]);
  });
});
