import { FrameType } from '../constants';
import { decodeFetchOffsets, type FetchOffsetsRequest } from '../codec/requests';
import { encodeOffsetsResponse } from '../codec/responses';
import type { Handler } from '../handler';

export const fetchOffsetsHandler: Handler<FetchOffsetsRequest> = {
  decode: decodeFetchOffsets,
  handle(conn, corr, req) {
    if (req.topic !== '') conn.authorize(req.topic, 'read');
    const offsets = conn.vhost.topics.groups.fetchOffsets(req.groupId, req.topic === '' ? undefined : req.topic);
    conn.send(encodeOffsetsResponse(FrameType.FETCH_OFFSETS, corr, offsets));
  },
};
