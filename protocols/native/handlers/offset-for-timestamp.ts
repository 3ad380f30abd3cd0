import { decodeOffsetForTimestamp, type OffsetForTimestampRequest } from '../codec/requests';
import { encodeOffsetResponse } from '../codec/responses';
import type { Handler } from '../handler';

/** The first offset whose timestamp is >= timestampMs (the end offset when there is none). */
export const offsetForTimestampHandler: Handler<OffsetForTimestampRequest> = {
  decode: decodeOffsetForTimestamp,
  handle(conn, corr, req) {
    conn.authorize(req.topic, 'read');
    conn.send(encodeOffsetResponse(corr, conn.vhost.topics.offsetForTimestamp(req.topic, req.partition, req.timestampMs)));
  },
};
