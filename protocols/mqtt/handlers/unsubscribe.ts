/** UNSUBSCRIBE: remove the binding (or stop consuming the shared group queue) and forget the options. */
import type { IUnsubscribePacket } from 'mqtt-packet';
import { exchangeForFilter } from '../convert';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { RC } from '../reason';
import { sharedQueueName } from '../session';
import { filterToBindingKey, parseSharedFilter } from '../topics';

export async function handleUnsubscribe(conn: MqttConnection, packet: IUnsubscribePacket): Promise<void> {
  const session = conn.session;
  if (session === null) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'no session');
  // [MQTT-3.10.3-2] at least one topic filter.
  if (packet.unsubscriptions.length === 0) throw new MqttProtocolError(RC.PROTOCOL_ERROR, 'UNSUBSCRIBE without filters');
  const codes: number[] = [];
  for (const filter of packet.unsubscriptions) {
    if (session.subscriptions[filter] === undefined) {
      codes.push(RC.NO_SUBSCRIPTION_EXISTED);
      continue;
    }
    delete session.subscriptions[filter];
    conn.out.subscriptionsChanged();
    const shared = parseSharedFilter(filter);
    try {
      if (shared !== null && shared !== 'invalid') {
        conn.out.cancelConsumer(sharedQueueName(shared.group, shared.filter));
        await conn.hub.releaseSharedQueue(filter, conn.clientId);
      } else {
        await conn.hub.vhost.unbindQueue(session.queue, exchangeForFilter(filter), filterToBindingKey(filter), {}, conn.owner);
      }
      codes.push(RC.SUCCESS);
    } catch (err) {
      conn.log.warn({ err, filter }, 'unsubscribe failed');
      codes.push(RC.UNSPECIFIED_ERROR);
    }
  }
  await conn.hub.sessions.save(session);
  const properties = conn.problemProperties(codes);
  if (conn.protocolVersion === 5) conn.send({ cmd: 'unsuback', messageId: packet.messageId, granted: codes, ...(properties && { properties }) });
  else conn.send({ cmd: 'unsuback', messageId: packet.messageId, granted: [] });
}
