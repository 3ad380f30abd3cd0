/**
 * DISCONNECT from the client: a normal disconnect discards the will [MQTT-3.14.4-3]; v5 reason 0x04 keeps it;
 * v5 may update the Session Expiry Interval, but not from 0 to non-zero [MQTT-3.14.2-2]. noteDisconnect runs
 * as soon as the packet is parsed (the socket may close right behind it); the handler then closes in order.
 */
import type { IDisconnectPacket } from 'mqtt-packet';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { RC } from '../reason';

export function noteDisconnect(conn: MqttConnection, packet: IDisconnectPacket): void {
  const session = conn.session;
  const expiry = packet.properties?.sessionExpiryInterval;
  if (conn.protocolVersion === 5 && expiry !== undefined && session !== null) {
    if (session.expiryIntervalSec === 0 && expiry > 0) {
      throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'session expiry changed from 0');
    }
    session.expiryIntervalSec = expiry;
  }
  conn.willDiscarded = !(conn.protocolVersion === 5 && packet.reasonCode === RC.DISCONNECT_WITH_WILL);
}

export async function handleDisconnect(conn: MqttConnection): Promise<void> {
  await conn.shutdown('client-disconnect');
}
