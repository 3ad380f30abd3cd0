import { decodeEmpty } from '../codec/requests';
import { encodeTopicsResponse } from '../codec/responses';
import type { Handler } from '../handler';

export const listTopicsHandler: Handler<void> = {
  decode: decodeEmpty,
  handle(conn, corr) {
    conn.send(encodeTopicsResponse(corr, conn.vhost.topics.listTopics()));
  },
};
