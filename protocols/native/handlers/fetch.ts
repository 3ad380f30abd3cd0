import { NATIVE_LIMITS } from '../constants';
import { decodeFetch, type FetchRequest } from '../codec/requests';
import type { FetchedRecord } from '../../../src/core/types';
import type { StoredRecord } from '../../../storage/types';
import { encodeFetchResponse, encodeStoredFetchResponse } from '../codec/responses';
import type { Handler } from '../handler';
import { highWatermark, storedFetcher } from '../topic-util';

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
    // The registry's stored records go into the answer without a FetchedRecord per record where it has them.
    const stored = storedFetcher(topics);
    const read = (): StoredRecord[] | FetchedRecord[] =>
      stored !== null
        ? stored.fetchStored(req.topic, req.partition, req.offset, maxRecords, maxBytes)
        : topics.fetch(req.topic, req.partition, req.offset, maxRecords, maxBytes);
    const send = (records: StoredRecord[] | FetchedRecord[]): void => {
      const hw = highWatermark(topics, req.topic, req.partition);
      conn.send(
        stored !== null
          ? encodeStoredFetchResponse(corr, req.partition, hw, records as StoredRecord[])
          : encodeFetchResponse(corr, { partition: req.partition, highWatermark: hw, records: records as FetchedRecord[] }),
      );
    };
    const answer = (): void => send(read());
    const first = read();
    const waitMs = Math.min(req.maxWaitMs, NATIVE_LIMITS.fetchWaitMaxMs);
    if (first.length > 0 || waitMs === 0) {
      send(first);
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
