import { BrokerError } from '../../../src/core/errors';
import { Acks } from '../constants';
import { decodeProduce, type ProduceRequest } from '../codec/requests';
import { encodeProduceResponse } from '../codec/responses';
import type { Handler } from '../handler';

/**
 * Produce: authorize, refuse while a resource alarm blocks publishers, append (offsets are assigned at once, so
 * per-connection order is the order of requests), then answer per ack level: none = no answer on success,
 * leader = after the append, durable = after ProducedBatch.durable (the group commit fsynced it).
 */
export const produceHandler: Handler<ProduceRequest> = {
  decode: decodeProduce,
  async handle(conn, corr, req) {
    conn.authorize(req.topic, 'write');
    if (conn.ctx.alarms.blocked) {
      throw new BrokerError('RESOURCE_ERROR', `publishing blocked: ${conn.ctx.alarms.reason ?? 'resource alarm'}`);
    }
    const maxBytes = conn.ctx.limits.messageSizeMaxBytes;
    for (const r of req.records) {
      if (r.value.length > maxBytes) throw new BrokerError('MESSAGE_TOO_LARGE', `record of ${r.value.length} bytes exceeds ${maxBytes}`);
    }
    if (req.records.length === 0) throw new BrokerError('INVALID_ARGUMENT', 'empty produce batch');
    const batches = conn.vhost.topics.produce(req.topic, req.records);
    if (req.acks === Acks.LEADER) {
      conn.send(encodeProduceResponse(corr, batches));
      return;
    }
    const durable = Promise.all(batches.map((b) => b.durable));
    if (req.acks === Acks.NONE) {
      // Nobody waits for an answer, but a failed commit must still be reported to the producer.
      await durable;
      return;
    }
    await durable;
    conn.send(encodeProduceResponse(corr, batches));
  },
};
