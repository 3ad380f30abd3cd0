/**
 * AUTH: enhanced authentication is not supported. A CONNECT naming an Authentication Method was already
 * refused with CONNACK 0x8C, so any AUTH packet is a protocol error (v5 §4.12, §3.15).
 */
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { RC } from '../reason';

export function handleAuth(conn: MqttConnection): void {
  void conn;
  throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'AUTH without an authentication method');
}
