import { FrameType } from '../constants';
import { decodeCommitOffsets, type CommitOffsetsRequest } from '../codec/requests';
import { encodeOk } from '../codec/responses';
import type { Handler } from '../handler';

export const commitOffsetsHandler: Handler<CommitOffsetsRequest> = {
  decode: decodeCommitOffsets,
  async handle(conn, corr, req) {
    for (const t of new Set(req.offsets.map((o) => o.topic))) conn.authorize(t, 'read');
    const member = req.memberId === '' ? undefined : req.memberId;
    const generation = req.generation < 0 ? undefined : req.generation;
    await conn.vhost.topics.groups.commit(req.groupId, req.offsets, member, generation);
    conn.send(encodeOk(FrameType.COMMIT_OFFSETS, corr));
  },
};
