import { BrokerError } from '../../../src/core/errors';
import { FrameType } from '../constants';
import { decodeShutdown, type ShutdownRequest } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

/** `polymq stop`: allowed from loopback or for an administrator. Answers first, then asks the broker to stop. */
export const shutdownHandler: Handler<ShutdownRequest> = {
  decode: decodeShutdown,
  handle(conn, corr, req) {
    if (!conn.isLoopback() && !conn.isAdministrator()) {
      throw new BrokerError('ACCESS_REFUSED', 'shutdown requires loopback or the administrator tag');
    }
    const control = conn.ctx.control;
    if (!control) throw new BrokerError('NOT_IMPLEMENTED', 'this broker offers no shutdown hook');
    conn.send(encodeOk(FrameType.SHUTDOWN, corr));
    conn.ctx.logger.info({ conn: conn.id, ...req }, 'shutdown requested over the native protocol');
    // After the answer is flushed, so the client sees the acknowledgement before its connection closes.
    conn.whenDrained(() => setImmediate(() => control.shutdown(req)));
  },
};
