import { decodeName } from '../codec/requests';
import { encodeTopicResponse } from '../codec/responses';
import type { Handler } from '../handler';

export const describeTopicHandler: Handler<string> = {
  decode: decodeName,
  handle(conn, corr, name) {
    conn.send(encodeTopicResponse(corr, conn.vhost.topics.describeTopic(name)));
  },
};
