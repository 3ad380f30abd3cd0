/** PUBACK for a QoS 1 message we delivered: the queue delivery is acknowledged (§4.3.2). */
import type { IPubackPacket } from 'mqtt-packet';
import type { MqttConnection } from '../connection';

export function handlePuback(conn: MqttConnection, packet: IPubackPacket): void {
  const id = packet.messageId ?? 0;
  const f = conn.out.inflight.get(id);
  if (f === undefined || f.qos !== 1) {
    conn.log.debug({ id }, 'PUBACK for an unknown packet id');
    return;
  }
  conn.out.inflight.delete(id);
  conn.out.ackDelivery(f.handle, f.deliveryId);
  conn.out.resume();
}
