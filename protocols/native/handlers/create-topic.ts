import type { TopicSpec } from '../../../src/core/types';
import { FrameType } from '../constants';
import { decodeCreateTopic } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

export const createTopicHandler: Handler<TopicSpec> = {
  decode: decodeCreateTopic,
  async handle(conn, corr, spec) {
    conn.authorize(spec.name, 'configure');
    await conn.vhost.topics.createTopic(spec);
    conn.send(encodeOk(FrameType.CREATE_TOPIC, corr));
  },
};
