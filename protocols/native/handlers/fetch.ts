import { NATIVE_LIMITS } from '../constants';
import { decodeFetch, type FetchRequest } from '../codec/requests';
import { encodeFetchResponse } from '../codec/responses';
import type { Handler } from '../handler';
import { highWatermark } from '../topic-util';

/**
 * Fetch with long-poll: answer at once when records are there (or maxWaitMs is 0); otherwise wait for data via
 * topics.waitForData, bounded by maxWaitMs, and answer what is there then (possibly nothing).
 */
export const fetchHandler: Handler<FetchRequest> = {
  decode: decodeFetch,
  handle(conn, corr, req) {
    conn.authorize(req.topic, 'read');
    const topics = conn.vhost.topics;
    const maxRecords = Math.max(1, Math.min(req.maxRecords, NATIVE_LIMITS.fetchRecordsMax));
    const maxBytes = Math.max(1, Math.min(req.maxBytes, conn.ctx.limits.nativeFrameMaxBytes - 1024));
    const read = () => topics.fetch(req.topic, req.partition, req.offset, maxRecords, maxBytes);
    const answer = (): void => {
      const records = read();
      conn.send(
        encodeFetchResponse(corr, { partition: req.partition, highWatermark: highWatermark(topics, req.topic, req.partition), records }),
      );
    };
    const first = read();
    const waitMs = Math.min(req.maxWaitMs, NATIVE_LIMITS.fetchWaitMaxMs);
    if (first.length > 0 || waitMs === 0) {
      conn.send(
        encodeFetchResponse(corr, { partition: req.partition, highWatermark: highWatermark(topics, req.topic, req.partition), records: first }),
      );
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        cancelWait();
        conn.cleanups.delete(cleanup);
        try {
          if (conn.isOpen) answer();
          resolve();
        } catch (err) {
          reject(err);
        }
      };
      const cleanup = (): void => {
        done = true;
        clearTimeout(timer);
        cancelWait();
        resolve();
      };
      // waitForData throws for a topic deleted meanwhile or too many waiters: the executor rejects then.
      const cancelWait = topics.waitForData(req.topic, req.partition, req.offset, () => finish());
      const timer = setTimeout(finish, waitMs);
      conn.cleanups.add(cleanup);
    });
  },
};
