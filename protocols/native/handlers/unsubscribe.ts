import { FrameType } from '../constants';
import { decodeUnsubscribe } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

/** Idempotent: unsubscribing an unknown id still answers ok (it may have ended on its own). */
export const unsubscribeHandler: Handler<number> = {
  decode: decodeUnsubscribe,
  handle(conn, corr, id) {
    const sub = conn.subscriptions.get(id);
    if (sub) {
      sub.stop();
      conn.subscriptions.delete(id);
    }
    conn.send(encodeOk(FrameType.UNSUBSCRIBE, corr));
  },
};
