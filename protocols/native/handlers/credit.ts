import { decodeCredit, type CreditRequest } from '../codec/requests';
import type { Handler } from '../handler';

/** CREDIT is never answered (it is sent often); credit for an ended subscription is ignored. */
export const creditHandler: Handler<CreditRequest> = {
  decode: decodeCredit,
  handle(conn, _corr, req) {
    conn.subscriptions.get(req.subscriptionId)?.grant(req.records, req.bytes);
  },
};
