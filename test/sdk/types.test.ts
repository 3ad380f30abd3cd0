/**
 * Type tests of the SDK's public surface: they are checked when tsc compiles this file (a broken public type
 * fails the build); the runtime part only asserts what the types promise about values.
 */
import {
  Admin,
  CONSUMER_DEFAULTS,
  Consumer,
  NATIVE_ERROR_CODE,
  PRODUCER_DEFAULTS,
  PolymqError,
  Producer,
  isRetriable,
  type ConsumedRecord,
  type PolymqErrorCode,
  type ProducerRecord,
  type RecordMetadata,
} from '../../src/sdk';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): T | undefined {
  return undefined;
}

test('public types', () => {
  assertType<Equals<Awaited<ReturnType<Producer['send']>>, RecordMetadata>>();
  assertType<Equals<Awaited<ReturnType<Consumer['nextRecord']>>, ConsumedRecord | null>>();
  assertType<Equals<ConsumedRecord['key'], Buffer | null>>();
  assertType<Equals<ConsumedRecord['value'], Buffer>>();
  assertType<Equals<Awaited<ReturnType<Admin['listGroups']>>, string[]>>();

  const ok: ProducerRecord[] = [{ value: 'text' }, { value: Buffer.from('x'), key: 'k', headers: { a: 1, b: null }, partition: 0, timestamp: 1 }];
  // @ts-expect-error a record needs a value
  const noValue: ProducerRecord = { key: 'k' };
  // @ts-expect-error values are strings or Buffers
  const badValue: ProducerRecord = { value: 42 };
  // @ts-expect-error acks is one of three levels
  const badAcks = (): Producer => new Producer({ acks: 'all' });
  // @ts-expect-error unknown assignors are refused
  const badAssignor = (): Consumer => new Consumer({ assignor: 'sticky' });
  // @ts-expect-error error codes are a closed set
  const badCode: PolymqErrorCode = 'OOPS';
  void [noValue, badValue, badAcks, badAssignor, badCode];

  // Consumers are async iterables of ConsumedRecord.
  const iterate = async (c: Consumer): Promise<number> => {
    let n = 0;
    for await (const r of c) n += r.offset;
    return n;
  };
  void iterate;

  expect(ok).toHaveLength(2);
  const e = new PolymqError('CONNECTION_LOST', 'x');
  expect(e.retriable).toBe(true);
  expect(isRetriable(new PolymqError('UNKNOWN_TOPIC', 'x'))).toBe(false);
  expect(e).toBeInstanceOf(Error);
  expect(NATIVE_ERROR_CODE.UNKNOWN_TOPIC).toBe(22);
  expect(PRODUCER_DEFAULTS.acks).toBe('durable');
  expect(CONSUMER_DEFAULTS.autoOffsetReset).toBe('earliest');
});
