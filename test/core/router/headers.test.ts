import type { HeaderTable } from '../../../src/core/message';
import { BrokerError } from '../../../src/core/errors';
import { compileHeadersBinding, headersMatch } from '../../../src/core/router/headers';

function matches(args: HeaderTable, headers: HeaderTable | undefined): boolean {
  return headersMatch(compileHeadersBinding(args), headers);
}

describe('headers exchange matching', () => {
  const table: Array<[string, HeaderTable, HeaderTable | undefined, boolean]> = [
    ['all, all present', { 'x-match': 'all', a: 1, b: 'x' }, { a: 1, b: 'x', c: true }, true],
    ['all, one missing', { 'x-match': 'all', a: 1, b: 'x' }, { a: 1 }, false],
    ['all, one differs', { 'x-match': 'all', a: 1, b: 'x' }, { a: 1, b: 'y' }, false],
    ['default is all', { a: 1, b: 2 }, { a: 1 }, false],
    ['all, no conditions matches everything', { 'x-match': 'all' }, undefined, true],
    ['any, one matches', { 'x-match': 'any', a: 1, b: 2 }, { b: 2 }, true],
    ['any, none match', { 'x-match': 'any', a: 1, b: 2 }, { a: 2, b: 1 }, false],
    ['any, no headers', { 'x-match': 'any', a: 1 }, undefined, false],
    ['any, no conditions matches nothing', { 'x-match': 'any' }, { a: 1 }, false],
    ['all ignores x- binding keys', { 'x-match': 'all', 'x-foo': 1, a: 1 }, { a: 1 }, true],
    ['any ignores x- binding keys', { 'x-match': 'any', 'x-foo': 1 }, { 'x-foo': 1 }, false],
    ['all-with-x uses x- keys', { 'x-match': 'all-with-x', 'x-foo': 1, a: 1 }, { a: 1 }, false],
    ['all-with-x uses x- keys (present)', { 'x-match': 'all-with-x', 'x-foo': 1, a: 1 }, { a: 1, 'x-foo': 1 }, true],
    ['any-with-x uses x- keys', { 'x-match': 'any-with-x', 'x-foo': 1 }, { 'x-foo': 1 }, true],
    ['void argument = presence', { 'x-match': 'all', a: null }, { a: 'anything' }, true],
    ['void argument, absent', { 'x-match': 'all', a: null }, { b: 1 }, false],
    ['typed int equals plain number', { a: { amqpType: 'b', value: 5 } }, { a: 5 }, true],
    ['bigint equals number', { a: 5n }, { a: 5 }, true],
    ['Buffer longstr equals string', { a: 'abc' }, { a: Buffer.from('abc') }, true],
    ['number is not string', { a: 1 }, { a: '1' }, false],
    ['x-match Buffer value accepted', { 'x-match': Buffer.from('any'), a: 1 }, { a: 1 }, true],
    ['nested table equality', { a: { b: [1, 'x'] } }, { a: { b: [1, 'x'] } }, true],
  ];
  test.each(table)('%s', (_name, args, headers, expected) => {
    expect(matches(args, headers)).toBe(expected);
  });

  test('invalid x-match is PRECONDITION_FAILED', () => {
    for (const bad of ['some', 5] as const) {
      let err: unknown;
      try {
        compileHeadersBinding({ 'x-match': bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(BrokerError);
      expect((err as BrokerError).code).toBe('PRECONDITION_FAILED');
    }
  });
});
