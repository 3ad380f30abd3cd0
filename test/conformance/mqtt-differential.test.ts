/**
 * MQTT 3.1.1/5.0 differential conformance: every scenario of conformance/differential runs against polymq and
 * Mosquitto 2.0 (Debian); observations must be equal, or exactly as recorded in KNOWN_MQTT_DIFFERENCES.
 */
import { KNOWN_MQTT_DIFFERENCES } from '../../conformance/differential/known-differences';
import { mqttScenarios } from '../../conformance/differential/mqtt-scenarios';
import { differentialSuite } from './differential-suite';

differentialSuite('mqtt', mqttScenarios, KNOWN_MQTT_DIFFERENCES);
