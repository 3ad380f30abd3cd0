/**
 * The conformance scenarios (conformance/amqp) run against polymq, with the observations RabbitMQ gives for the
 * same scenarios as the expected values (test/conformance/amqp-differential checks them against a live RabbitMQ).
 */
import { RABBITMQ_EXPECTED } from '../../conformance/amqp/rabbitmq-expected';
import { scenarios } from '../../conformance/amqp/scenarios';
import { startBroker, type InProcessBroker } from '../helpers/broker';
import { amqpUrl } from './amqp-helpers';


let b: InProcessBroker;
beforeAll(async () => {
  b = await startBroker();
});
afterAll(async () => {
  await b.stop();
});

test.each(Object.keys(scenarios))('%s matches RabbitMQ', async (name) => {
  const obs = await scenarios[name](amqpUrl(b.ports.amqp));
  expect(obs.facts).toEqual(RABBITMQ_EXPECTED[name]);
});
