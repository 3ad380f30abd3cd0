/**
 * AMQP 0-9-1 differential conformance: every scenario of conformance/differential runs against polymq and
 * RabbitMQ 3.10 (Debian); observations must be equal, or exactly as recorded in KNOWN_AMQP_DIFFERENCES.
 */
import { amqpScenarios } from '../../conformance/differential/amqp-scenarios';
import { KNOWN_AMQP_DIFFERENCES } from '../../conformance/differential/known-differences';
import { differentialSuite } from './differential-suite';

differentialSuite('amqp', amqpScenarios, KNOWN_AMQP_DIFFERENCES);
