import { FrameType } from '../constants';
import { decodeLeaveGroup, type LeaveGroupRequest } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

export const leaveGroupHandler: Handler<LeaveGroupRequest> = {
  decode: decodeLeaveGroup,
  handle(conn, corr, req) {
    conn.vhost.topics.groups.leave(req.groupId, req.memberId);
    conn.send(encodeOk(FrameType.LEAVE_GROUP, corr));
  },
};
