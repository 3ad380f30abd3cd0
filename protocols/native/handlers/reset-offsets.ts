import { FrameType } from '../constants';
import { decodeResetOffsets, type ResetOffsetsRequest } from '../codec/requests';
import { encodeOffsetsResponse } from '../codec/responses';
import type { Handler } from '../handler';

/** Rewrites a group's committed offsets for one topic (the coordinator refuses while the group has members). */
export const resetOffsetsHandler: Handler<ResetOffsetsRequest> = {
  decode: decodeResetOffsets,
  async handle(conn, corr, req) {
    conn.authorize(req.topic, 'configure');
    const offsets = await conn.vhost.topics.groups.resetOffsets(req.groupId, req.topic, req.spec);
    conn.send(encodeOffsetsResponse(FrameType.RESET_OFFSETS, corr, offsets));
  },
};
