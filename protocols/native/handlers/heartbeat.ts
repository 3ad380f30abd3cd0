import { decodeHeartbeat, type HeartbeatRequest } from '../codec/requests';
import { encodeHeartbeatResponse } from '../codec/responses';
import type { Handler } from '../handler';

export const heartbeatHandler: Handler<HeartbeatRequest> = {
  decode: decodeHeartbeat,
  handle(conn, corr, req) {
    const { rebalanceRequired } = conn.vhost.topics.groups.heartbeat(req.groupId, req.memberId, req.generation);
    conn.send(encodeHeartbeatResponse(corr, rebalanceRequired));
  },
};
