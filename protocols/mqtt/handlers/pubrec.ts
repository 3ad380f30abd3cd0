/**
 * PUBREC for a QoS 2 message we delivered: the client owns it now. We acknowledge the queue delivery, remember
 * the packet id durably (so PUBREL is resent after a reconnect or restart, never the PUBLISH) and send PUBREL
 * (v5 §4.3.3, 3.1.1 §4.3.3).
 */
import type { IPubrecPacket } from 'mqtt-packet';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { RC } from '../reason';

export async function handlePubrec(conn: MqttConnection, packet: IPubrecPacket): Promise<void> {
  const id = packet.messageId ?? 0;
  const session = conn.session;
  if (session === null) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'no session');
  const f = conn.out.inflight.get(id);
  if (f === undefined || f.qos !== 2) {
    if (session.outboundPubrel.includes(id)) {
      conn.send({ cmd: 'pubrel', messageId: id });
      return;
    }
    if (conn.protocolVersion === 5) {
      const properties = conn.problemProperties([RC.PACKET_ID_NOT_FOUND]);
      conn.send({ cmd: 'pubrel', messageId: id, reasonCode: RC.PACKET_ID_NOT_FOUND, ...(properties && { properties }) });
    }
    return;
  }
  conn.out.inflight.delete(id);
  conn.out.ackDelivery(f.handle, f.deliveryId);
  // A v5 PUBREC with a failure reason ends the exchange: no PUBREL (v5 §4.3.3, 3.1.1 §4.3.3).
  if ((packet.reasonCode ?? 0) >= 0x80) {
    conn.out.resume();
    return;
  }
  session.outboundPubrel.push(id);
  await conn.hub.sessions.save(session);
  conn.send({ cmd: 'pubrel', messageId: id });
  conn.out.resume();
}
