import { FrameType } from '../constants';
import { decodeEmpty } from '../codec/requests';
import { encodeNamesResponse } from '../codec/responses';
import type { Handler } from '../handler';

export const listGroupsHandler: Handler<void> = {
  decode: decodeEmpty,
  handle(conn, corr) {
    conn.send(encodeNamesResponse(FrameType.LIST_GROUPS, corr, conn.vhost.topics.groups.list()));
  },
};
