import { FrameType } from '../constants';
import { decodeName } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

export const deleteTopicHandler: Handler<string> = {
  decode: decodeName,
  async handle(conn, corr, name) {
    conn.authorize(name, 'configure');
    await conn.vhost.topics.deleteTopic(name);
    conn.send(encodeOk(FrameType.DELETE_TOPIC, corr));
  },
};
