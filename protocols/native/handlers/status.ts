import { decodeEmpty } from '../codec/requests';
import { encodeStatusResponse } from '../codec/responses';
import type { Handler } from '../handler';
import { buildStatus } from '../status';

export const statusHandler: Handler<void> = {
  decode: decodeEmpty,
  handle(conn, corr) {
    conn.send(encodeStatusResponse(corr, buildStatus(conn)));
  },
};
