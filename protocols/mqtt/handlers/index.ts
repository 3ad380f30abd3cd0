/**
 * The dispatcher: one handler per packet type. Before CONNECT only CONNECT is accepted [MQTT-3.1.0-1];
 * packets only a server sends, or anything unknown, close the connection as a protocol error.
 */
import type { Packet } from 'mqtt-packet';
import type { MqttConnection } from '../connection';
import { MqttProtocolError } from '../errors';
import { RC } from '../reason';
import { handleAuth } from './auth';
import { handleConnect } from './connect';
import { handleDisconnect } from './disconnect';
import { handlePingreq } from './pingreq';
import { handlePuback } from './puback';
import { handlePubcomp } from './pubcomp';
import { handlePublish } from './publish';
import { handlePubrec } from './pubrec';
import { handlePubrel } from './pubrel';
import { handleSubscribe } from './subscribe';
import { handleUnsubscribe } from './unsubscribe';

export function dispatch(conn: MqttConnection, packet: Packet): Promise<void> | void {
  if (packet.cmd === 'connect') return handleConnect(conn, packet);
  if (conn.state !== 'open') {
    // [MQTT-3.1.0-1] the first packet must be CONNECT: close without a word.
    void conn.shutdown('protocol-error');
    return;
  }
  switch (packet.cmd) {
    case 'publish':
      return handlePublish(conn, packet);
    case 'puback':
      return handlePuback(conn, packet);
    case 'pubrec':
      return handlePubrec(conn, packet);
    case 'pubrel':
      return handlePubrel(conn, packet);
    case 'pubcomp':
      return handlePubcomp(conn, packet);
    case 'subscribe':
      return handleSubscribe(conn, packet);
    case 'unsubscribe':
      return handleUnsubscribe(conn, packet);
    case 'pingreq':
      return handlePingreq(conn);
    case 'disconnect':
      return handleDisconnect(conn);
    case 'auth':
      return handleAuth(conn);
    default:
      throw new MqttProtocolError(RC.PROTOCOL_ERROR, `unexpected ${packet.cmd}`);
  }
}
