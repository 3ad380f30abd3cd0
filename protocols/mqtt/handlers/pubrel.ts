/**
 * PUBREL for an inbound QoS 2 message: forget the packet id (durably) and send PUBCOMP (v5 §4.3.3, 3.1.1 §4.3.3). From
 * here a PUBLISH with the same id is a new message.
 */
import type { IPubrelPacket } from 'mqtt-packet';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { RC } from '../reason';

export async function handlePubrel(conn: MqttConnection, packet: IPubrelPacket): Promise<void> {
  const session = conn.session;
  if (session === null) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'no session');
  const id = packet.messageId ?? 0;
  const i = session.inboundQos2.indexOf(id);
  if (i < 0) {
    // Already completed (a retransmitted PUBREL): PUBCOMP again; v5 says which (v5 §4.3.3, 3.1.1 §4.3.3).
    const properties = conn.problemProperties([RC.PACKET_ID_NOT_FOUND]);
    conn.send(conn.protocolVersion === 5 ? { cmd: 'pubcomp', messageId: id, reasonCode: RC.PACKET_ID_NOT_FOUND, ...(properties && { properties }) } : { cmd: 'pubcomp', messageId: id });
    return;
  }
  session.inboundQos2.splice(i, 1);
  await conn.hub.sessions.save(session);
  conn.send({ cmd: 'pubcomp', messageId: id });
}
