import type { BodyReader } from './codec/reader';
import type { NativeConnection } from './connection';

/**
 * One request type: decode the body (throws on malformed input, which closes the connection), then handle it
 * (throws or rejects with BrokerError, answered with an ERROR frame). A handler sends its own response.
 */
export interface Handler<T> {
  decode(r: BodyReader): T;
  handle(conn: NativeConnection, corr: number, req: T): void | Promise<void>;
}
