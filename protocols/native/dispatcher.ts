/**
 * Routes a request frame to its handler (one file per request type under handlers/). A handler decodes its body
 * first — a body that does not decode is a malformed frame and closes the connection — then executes; execution
 * errors are answered with an ERROR frame and the connection stays open. Unknown types answer UNEXPECTED_FRAME
 * and close, as does anything but AUTHENTICATE/PING before authentication.
 */
import { BrokerError, isBrokerError } from '../../src/core/errors';
import type { Frame } from './codec/parser';
import type { BodyReader } from './codec/reader';
import { FrameType } from './constants';
import type { NativeConnection } from './connection';
import type { Handler } from './handler';
import { authenticateHandler } from './handlers/authenticate';
import { commitOffsetsHandler } from './handlers/commit-offsets';
import { createTopicHandler } from './handlers/create-topic';
import { creditHandler } from './handlers/credit';
import { deleteTopicHandler } from './handlers/delete-topic';
import { describeGroupHandler } from './handlers/describe-group';
import { describeTopicHandler } from './handlers/describe-topic';
import { fetchHandler } from './handlers/fetch';
import { fetchOffsetsHandler } from './handlers/fetch-offsets';
import { heartbeatHandler } from './handlers/heartbeat';
import { joinGroupHandler } from './handlers/join-group';
import { leaveGroupHandler } from './handlers/leave-group';
import { listGroupsHandler } from './handlers/list-groups';
import { listTopicsHandler } from './handlers/list-topics';
import { offsetForTimestampHandler } from './handlers/offset-for-timestamp';
import { pingHandler } from './handlers/ping';
import { produceHandler } from './handlers/produce';
import { resetOffsetsHandler } from './handlers/reset-offsets';
import { shutdownHandler } from './handlers/shutdown';
import { statusHandler } from './handlers/status';
import { subscribeHandler } from './handlers/subscribe';
import { unsubscribeHandler } from './handlers/unsubscribe';

const HANDLERS = new Map<number, Handler<unknown>>([
  [FrameType.AUTHENTICATE, authenticateHandler as Handler<unknown>],
  [FrameType.PRODUCE, produceHandler as Handler<unknown>],
  [FrameType.FETCH, fetchHandler as Handler<unknown>],
  [FrameType.SUBSCRIBE, subscribeHandler as Handler<unknown>],
  [FrameType.CREDIT, creditHandler as Handler<unknown>],
  [FrameType.UNSUBSCRIBE, unsubscribeHandler as Handler<unknown>],
  [FrameType.COMMIT_OFFSETS, commitOffsetsHandler as Handler<unknown>],
  [FrameType.FETCH_OFFSETS, fetchOffsetsHandler as Handler<unknown>],
  [FrameType.JOIN_GROUP, joinGroupHandler as Handler<unknown>],
  [FrameType.HEARTBEAT, heartbeatHandler as Handler<unknown>],
  [FrameType.LEAVE_GROUP, leaveGroupHandler as Handler<unknown>],
  [FrameType.CREATE_TOPIC, createTopicHandler as Handler<unknown>],
  [FrameType.DELETE_TOPIC, deleteTopicHandler as Handler<unknown>],
  [FrameType.LIST_TOPICS, listTopicsHandler as Handler<unknown>],
  [FrameType.DESCRIBE_TOPIC, describeTopicHandler as Handler<unknown>],
  [FrameType.LIST_GROUPS, listGroupsHandler as Handler<unknown>],
  [FrameType.DESCRIBE_GROUP, describeGroupHandler as Handler<unknown>],
  [FrameType.RESET_OFFSETS, resetOffsetsHandler as Handler<unknown>],
  [FrameType.STATUS, statusHandler as Handler<unknown>],
  [FrameType.SHUTDOWN, shutdownHandler as Handler<unknown>],
  [FrameType.OFFSET_FOR_TIMESTAMP, offsetForTimestampHandler as Handler<unknown>],
  [FrameType.PING, pingHandler as Handler<unknown>],
]);

const ALLOWED_BEFORE_AUTH: ReadonlySet<number> = new Set([FrameType.AUTHENTICATE, FrameType.PING]);

/** Returns a promise for asynchronous requests (tracked as in flight), undefined when done synchronously. */
export function dispatch(conn: NativeConnection, frame: Frame, r: BodyReader): Promise<void> | undefined {
  const corr = frame.correlationId;
  const handler = HANDLERS.get(frame.type);
  if (!handler) {
    conn.fail('UNEXPECTED_FRAME', `unknown frame type 0x${frame.type.toString(16)}`, corr);
    return undefined;
  }
  if (conn.state === 'AWAIT_AUTH' && !ALLOWED_BEFORE_AUTH.has(frame.type)) {
    conn.fail('ACCESS_REFUSED', 'authenticate first', corr);
    return undefined;
  }
  let req: unknown;
  try {
    req = handler.decode(r);
  } catch (err) {
    // A body that does not decode means we no longer agree on framing: answer and close.
    const e = isBrokerError(err) ? err : new BrokerError('FRAME_ERROR', 'malformed frame body');
    conn.fail(e.code === 'LIMIT_EXCEEDED' || e.code === 'INVALID_ARGUMENT' ? e.code : 'FRAME_ERROR', e.message, corr);
    return undefined;
  }
  try {
    const out = handler.handle(conn, corr, req);
    return out instanceof Promise ? out : undefined;
  } catch (err) {
    conn.sendError(corr, err);
    return undefined;
  }
}
