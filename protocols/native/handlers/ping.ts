import { FrameType } from '../constants';
import { decodeEmpty } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

export const pingHandler: Handler<void> = {
  decode: decodeEmpty,
  handle(conn, corr) {
    conn.send(encodeOk(FrameType.PING, corr));
  },
};
