/** Every AMQP 0-9-1 differential scenario, in the order reports list them. */
import { queueScenarios } from './amqp-queue-scenarios';
import { routingScenarios } from './amqp-routing-scenarios';
import { wireScenarios } from './amqp-wire-scenarios';
import type { Scenario } from './types';

export const amqpScenarios: Scenario[] = [...queueScenarios, ...routingScenarios, ...wireScenarios];
