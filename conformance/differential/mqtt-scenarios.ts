/** Every MQTT differential scenario, in the order reports list them. */
import { coreScenarios } from './mqtt-core-scenarios';
import { protocolScenarios } from './mqtt-protocol-scenarios';
import { v5Scenarios } from './mqtt-v5-scenarios';
import type { Scenario } from './types';

export const mqttScenarios: Scenario[] = [...coreScenarios, ...v5Scenarios, ...protocolScenarios];
