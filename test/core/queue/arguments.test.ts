import { BrokerError } from '../../../src/core/errors';
import type { HeaderTable } from '../../../src/core/message';
import { parseQueueArguments, validateQueueArguments } from '../../../src/core/queue/arguments';

function failure(args: HeaderTable): BrokerError | null {
  try {
    validateQueueArguments(args, 'q', '/');
    return null;
  } catch (err) {
    if (err instanceof BrokerError) return err;
    throw err;
  }
}

describe('queue arguments (RabbitMQ declare checks)', () => {
  test.each<[string, HeaderTable]>([
    ['negative TTL', { 'x-message-ttl': -1 }],
    ['string TTL', { 'x-message-ttl': '1000' }],
    ['float TTL', { 'x-message-ttl': 1.5 }],
    ['x-expires 0', { 'x-expires': 0 }],
    ['x-expires too large', { 'x-expires': 4_294_967_296 }],
    ['negative max length', { 'x-max-length': -1 }],
    ['max length as string', { 'x-max-length-bytes': 'big' }],
    ['unknown overflow', { 'x-overflow': 'drop-tail' }],
    ['priority above 255', { 'x-max-priority': 256 }],
    ['dlrk without dlx', { 'x-dead-letter-routing-key': 'k' }],
    ['dlx not a string', { 'x-dead-letter-exchange': 5 }],
    ['sac not a bool', { 'x-single-active-consumer': 'yes' }],
    ['unknown queue type', { 'x-queue-type': 'lazy' }],
  ])('%s → PRECONDITION_FAILED', (_name, args) => {
    const err = failure(args);
    expect(err?.code).toBe('PRECONDITION_FAILED');
    expect(err?.message).toContain(`invalid arg '${Object.keys(args)[0]}' for queue 'q' in vhost '/'`);
  });

  test('accepts valid values, AMQP-typed integers and unknown x- arguments', () => {
    expect(
      failure({
        'x-message-ttl': 0,
        'x-expires': { amqpType: 'l', value: 1000 },
        'x-max-length': { amqpType: 'I', value: 10 },
        'x-max-length-bytes': 1024n,
        'x-overflow': 'reject-publish-dlx',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': Buffer.from('dead'),
        'x-max-priority': { amqpType: 'b', value: 10 },
        'x-single-active-consumer': true,
        'x-queue-type': 'classic',
        'x-custom-thing': 'whatever',
      }),
    ).toBeNull();
  });

  test('the RabbitMQ error detail names the problem', () => {
    expect(failure({ 'x-max-length': -1 })?.message).toContain('{value_negative,-1}');
    expect(failure({ 'x-message-ttl': '5' })?.message).toContain('{unacceptable_type,longstr}');
  });

  test('parses into the queue configuration with RabbitMQ defaults', () => {
    expect(parseQueueArguments({})).toEqual({
      messageTtlMs: null,
      expiresMs: null,
      maxLength: null,
      maxLengthBytes: null,
      overflow: 'drop-head',
      deadLetterExchange: null,
      deadLetterRoutingKey: null,
      maxPriority: 0,
      singleActiveConsumer: false,
    });
    const p = parseQueueArguments({
      'x-message-ttl': 5,
      'x-max-priority': { amqpType: 'b', value: 4 },
      'x-dead-letter-routing-key': Buffer.from('rk'),
      'x-dead-letter-exchange': 'dlx',
      'x-overflow': 'reject-publish',
      'x-single-active-consumer': true,
    });
    expect(p).toMatchObject({ messageTtlMs: 5, maxPriority: 4, deadLetterRoutingKey: 'rk', overflow: 'reject-publish', singleActiveConsumer: true });
  });
});
