import { BrokerError, type ErrorCode } from '../../src/core/errors';
import { RC } from './reason';

/**
 * A protocol violation by the peer: the connection is closed, after a v5 DISCONNECT with `reasonCode`
 * (v3.1.1 has no way to say why, the connection is just closed [MQTT-4.8.0-1]).
 */
export class MqttProtocolError extends BrokerError {
  constructor(
    readonly reasonCode: number,
    message: string,
  ) {
    super(codeFor(reasonCode), message);
  }
}

function codeFor(rc: number): ErrorCode {
  switch (rc) {
    case RC.MALFORMED_PACKET:
      return 'FRAME_ERROR';
    case RC.PACKET_TOO_LARGE:
      return 'MESSAGE_TOO_LARGE';
    case RC.RECEIVE_MAXIMUM_EXCEEDED:
    case RC.QUOTA_EXCEEDED:
      return 'LIMIT_EXCEEDED';
    case RC.NOT_AUTHORIZED:
      return 'ACCESS_REFUSED';
    default:
      return 'COMMAND_INVALID';
  }
}
