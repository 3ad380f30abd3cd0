/** PINGREQ → PINGRESP [MQTT-3.12.4-1]. */
import type { MqttConnection } from '../connection';

export function handlePingreq(conn: MqttConnection): void {
  conn.send({ cmd: 'pingresp' });
}
