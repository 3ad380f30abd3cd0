/** PUBCOMP ends an outbound QoS 2 exchange; the packet id is free again. */
import type { IPubcompPacket } from 'mqtt-packet';
import type { MqttConnection } from '../connection';

export async function handlePubcomp(conn: MqttConnection, packet: IPubcompPacket): Promise<void> {
  const session = conn.session;
  if (session === null) return;
  const i = session.outboundPubrel.indexOf(packet.messageId ?? 0);
  if (i < 0) return;
  session.outboundPubrel.splice(i, 1);
  await conn.hub.sessions.save(session);
  conn.out.resume();
}
