import { decodeJoinGroup, type JoinGroupRequest } from '../codec/requests';
import { encodeJoinResponse } from '../codec/responses';
import type { Handler } from '../handler';

/** Answers when the group's rebalance completes (may take up to the rebalance timeout). */
export const joinGroupHandler: Handler<JoinGroupRequest> = {
  decode: decodeJoinGroup,
  async handle(conn, corr, req) {
    for (const t of req.topics) conn.authorize(t, 'read');
    const res = await conn.vhost.topics.groups.join(req);
    if (conn.isOpen) conn.send(encodeJoinResponse(corr, res));
  },
};
