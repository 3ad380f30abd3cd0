/**
 * AMQP 0-9-1 differential conformance: every scenario of conformance/differential runs against polymq and
 * RabbitMQ 3.10 (Debian); observations must be equal, or exactly as recorded in KNOWN_AMQP_DIFFERENCES. The
 * conformance/amqp scenarios run against the same RabbitMQ and must observe RABBITMQ_EXPECTED.
 */
import { RABBITMQ_EXPECTED } from '../../conformance/amqp/rabbitmq-expected';
import { scenarios as conformanceScenarios } from '../../conformance/amqp/scenarios';
import { amqpScenarios } from '../../conformance/differential/amqp-scenarios';
import { KNOWN_AMQP_DIFFERENCES } from '../../conformance/differential/known-differences';
import { differentialSuite } from './differential-suite';

differentialSuite('amqp', amqpScenarios, KNOWN_AMQP_DIFFERENCES, (referenceUrl) => {
  // The expectations test/amqp/conformance holds polymq to are RabbitMQ's own observations, checked live here.
  test.each(Object.keys(conformanceScenarios))('conformance/amqp %s: RabbitMQ observes what polymq is held to', async (name) => {
    const obs = await conformanceScenarios[name](referenceUrl());
    expect(obs.facts).toEqual(RABBITMQ_EXPECTED[name]);
  });
});
