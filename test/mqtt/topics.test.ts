import {
  filterToBindingKey,
  isValidTopicFilter,
  isValidTopicName,
  parseSharedFilter,
  routingKeyToTopic,
  SWAP_CACHE_MAX,
  topicMatches,
  topicToRoutingKey,
} from '../../protocols/mqtt/topics';

describe('mqtt topics', () => {
  test('topic ⇄ routing key swaps / and . (RabbitMQ convention, a bijection)', () => {
    expect(topicToRoutingKey('sensors/kitchen')).toBe('sensors.kitchen');
    expect(topicToRoutingKey('a.b/c')).toBe('a/b.c');
    expect(routingKeyToTopic('a/b.c')).toBe('a.b/c');
    for (const t of ['x', 'a//b', '/lead', 'trail/', 'v1.2/x.y', 'only.dots.', '.', '/', './.', 'ü/€.x']) expect(routingKeyToTopic(topicToRoutingKey(t))).toBe(t);
    expect(topicToRoutingKey('a.b.c')).toBe('a/b/c');
    expect(topicToRoutingKey('plain')).toBe('plain');
    expect(topicToRoutingKey('./.')).toBe('/./');
    // Past the translation cache's bound (it is cleared, not trusted blindly), every answer stays right.
    for (let i = 0; i < SWAP_CACHE_MAX + 100; i++) {
      const t = `t/${i}.x/${i}`;
      expect(topicToRoutingKey(t)).toBe(`t.${i}/x.${i}`);
      expect(routingKeyToTopic(topicToRoutingKey(t))).toBe(t);
    }
  });

  test('filters: + → *, # stays, dots escaped', () => {
    expect(filterToBindingKey('a/+/c')).toBe('a.*.c');
    expect(filterToBindingKey('a/#')).toBe('a.#');
    expect(filterToBindingKey('v1.2/+')).toBe('v1/2.*');
  });

  test('[MQTT-3.3.2-2] topic names carry no wildcards; [MQTT-4.7.1-2/3] filter wildcard placement', () => {
    expect(isValidTopicName('a/b')).toBe(true);
    expect(isValidTopicName('a/+')).toBe(false);
    expect(isValidTopicName('a/#')).toBe(false);
    expect(isValidTopicName('')).toBe(false);
    expect(isValidTopicName('a\u0000b')).toBe(false);
    expect(isValidTopicName('a\uFFFDb')).toBe(false);
    expect(isValidTopicName('x'.repeat(65_535))).toBe(true);
    expect(isValidTopicName('x'.repeat(65_536))).toBe(false);
    expect(isValidTopicName('€'.repeat(21_845))).toBe(true); // 65,535 bytes
    expect(isValidTopicName('€'.repeat(21_846))).toBe(false); // 65,538 bytes
    expect(isValidTopicFilter('a/+/#')).toBe(true);
    expect(isValidTopicFilter('#')).toBe(true);
    expect(isValidTopicFilter('a/#/b')).toBe(false);
    expect(isValidTopicFilter('a/b#')).toBe(false);
    expect(isValidTopicFilter('a+/b')).toBe(false);
  });

  test('matching, including [MQTT-4.7.2-1] $ topics and # matching the parent level', () => {
    expect(topicMatches('a/+/c', 'a/b/c')).toBe(true);
    expect(topicMatches('a/+', 'a/b/c')).toBe(false);
    expect(topicMatches('a/#', 'a')).toBe(true);
    expect(topicMatches('a/#', 'a/b/c')).toBe(true);
    expect(topicMatches('#', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('+/broker/uptime', '$SYS/broker/uptime')).toBe(false);
    expect(topicMatches('$SYS/#', '$SYS/broker/uptime')).toBe(true);
  });

  test('[MQTT-4.8.2-1] shared filters', () => {
    expect(parseSharedFilter('a/b')).toBeNull();
    expect(parseSharedFilter('$share/g/a/+')).toEqual({ group: 'g', filter: 'a/+' });
    expect(parseSharedFilter('$share//a')).toBe('invalid');
    expect(parseSharedFilter('$share/g')).toBe('invalid');
    expect(parseSharedFilter('$share/g+/a')).toBe('invalid');
  });
});
