import { decodeName } from '../codec/requests';
import { encodeGroupResponse } from '../codec/responses';
import type { Handler } from '../handler';

export const describeGroupHandler: Handler<string> = {
  decode: decodeName,
  handle(conn, corr, groupId) {
    conn.send(encodeGroupResponse(corr, conn.vhost.topics.groups.describe(groupId)));
  },
};
