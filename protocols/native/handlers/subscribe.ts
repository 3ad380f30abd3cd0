import { BrokerError } from '../../../src/core/errors';
import { FrameType, NATIVE_LIMITS } from '../constants';
import { decodeSubscribe, type SubscribeRequest } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';
import { Subscription } from '../subscription';

/** Starts a push subscription; the answer goes out before the first push. The client picks the id. */
export const subscribeHandler: Handler<SubscribeRequest> = {
  decode: decodeSubscribe,
  handle(conn, corr, req) {
    conn.authorize(req.topic, 'read');
    if (conn.subscriptions.has(req.subscriptionId)) {
      throw new BrokerError('PRECONDITION_FAILED', `subscription id ${req.subscriptionId} is in use`);
    }
    if (conn.subscriptions.size >= NATIVE_LIMITS.subscriptionsPerConnectionMax) {
      throw new BrokerError('LIMIT_EXCEEDED', 'too many subscriptions on this connection');
    }
    const info = conn.vhost.topics.describeTopic(req.topic); // UNKNOWN_TOPIC before we answer ok
    if (!info.partitions.some((p) => p.partition === req.partition)) {
      throw new BrokerError('UNKNOWN_PARTITION', `topic ${req.topic} has no partition ${req.partition}`);
    }
    const sub = new Subscription(conn, req.subscriptionId, req.topic, req.partition, req.offset, req.creditRecords, req.creditBytes);
    conn.subscriptions.set(req.subscriptionId, sub);
    conn.send(encodeOk(FrameType.SUBSCRIBE, corr));
    sub.schedule();
  },
};
