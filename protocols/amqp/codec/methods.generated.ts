// GENERATED — do not edit. Regenerate: npx tsc -p . && node dist/protocols/amqp/codec/generate.js
// Source: node_modules/bramqp/specification/rabbitmq/full/amqp0-9-1.stripped.extended.xml
// plus the supplement in protocols/amqp/codec/generate.ts (connection.update-secret, access class).
/* eslint-disable */
import type { HeaderTable } from '../../../src/core/message';
import { BrokerError } from '../../../src/core/errors';
import { decodeTableBody, encodeFieldTable } from './field-table';
import { FRAME_END, FRAME_METHOD } from './frames';
import {
  bytesLength,
  checkU64,
  checkUint,
  copyInto,
  longStrLength,
  MethodDecodeError,
  readShortStrChecked,
  readU64,
  readUtf8,
  shortStrLength,
  truncated,
  writeU64,
  writeUtf8,
} from './primitives';

/** connection.start (10/10), synchronous. */
export interface ConnectionStart {
  /** octet */
  versionMajor: number;
  /** octet */
  versionMinor: number;
  /** table */
  serverProperties: HeaderTable;
  /** longstr (bytes) */
  mechanisms: Buffer;
  /** longstr (bytes) */
  locales: Buffer;
}

/** connection.start-ok (10/11), synchronous. */
export interface ConnectionStartOk {
  /** table */
  clientProperties: HeaderTable;
  /** shortstr */
  mechanism: string;
  /** longstr (bytes) */
  response: Buffer;
  /** shortstr */
  locale: string;
}

/** connection.secure (10/20), synchronous. */
export interface ConnectionSecure {
  /** longstr (bytes) */
  challenge: Buffer;
}

/** connection.secure-ok (10/21), synchronous. */
export interface ConnectionSecureOk {
  /** longstr (bytes) */
  response: Buffer;
}

/** connection.tune (10/30), synchronous. */
export interface ConnectionTune {
  /** short */
  channelMax: number;
  /** long */
  frameMax: number;
  /** short */
  heartbeat: number;
}

/** connection.tune-ok (10/31), synchronous. */
export interface ConnectionTuneOk {
  /** short */
  channelMax: number;
  /** long */
  frameMax: number;
  /** short */
  heartbeat: number;
}

/** connection.open (10/40), synchronous. */
export interface ConnectionOpen {
  /** shortstr */
  virtualHost: string;
  /** shortstr */
  capabilities: string;
  /** bit */
  insist: boolean;
}

/** connection.open-ok (10/41), synchronous. */
export interface ConnectionOpenOk {
  /** shortstr */
  knownHosts: string;
}

/** connection.close (10/50), synchronous. */
export interface ConnectionClose {
  /** short */
  replyCode: number;
  /** shortstr */
  replyText: string;
  /** short */
  classId: number;
  /** short */
  methodId: number;
}

/** connection.close-ok (10/51), synchronous. */
export type ConnectionCloseOk = Record<string, never>;

/** connection.blocked (10/60). */
export interface ConnectionBlocked {
  /** shortstr */
  reason: string;
}

/** connection.unblocked (10/61). */
export type ConnectionUnblocked = Record<string, never>;

/** connection.update-secret (10/70), synchronous. */
export interface ConnectionUpdateSecret {
  /** longstr (bytes) */
  newSecret: Buffer;
  /** shortstr */
  reason: string;
}

/** connection.update-secret-ok (10/71), synchronous. */
export type ConnectionUpdateSecretOk = Record<string, never>;

/** channel.open (20/10), synchronous. */
export interface ChannelOpen {
  /** shortstr */
  outOfBand: string;
}

/** channel.open-ok (20/11), synchronous. */
export interface ChannelOpenOk {
  /** longstr */
  channelId: string;
}

/** channel.flow (20/20), synchronous. */
export interface ChannelFlow {
  /** bit */
  active: boolean;
}

/** channel.flow-ok (20/21). */
export interface ChannelFlowOk {
  /** bit */
  active: boolean;
}

/** channel.close (20/40), synchronous. */
export interface ChannelClose {
  /** short */
  replyCode: number;
  /** shortstr */
  replyText: string;
  /** short */
  classId: number;
  /** short */
  methodId: number;
}

/** channel.close-ok (20/41), synchronous. */
export type ChannelCloseOk = Record<string, never>;

/** access.request (30/10), synchronous. */
export interface AccessRequest {
  /** shortstr */
  realm: string;
  /** bit */
  exclusive: boolean;
  /** bit */
  passive: boolean;
  /** bit */
  active: boolean;
  /** bit */
  write: boolean;
  /** bit */
  read: boolean;
}

/** access.request-ok (30/11), synchronous. */
export interface AccessRequestOk {
  /** short */
  ticket: number;
}

/** exchange.declare (40/10), synchronous. */
export interface ExchangeDeclare {
  /** short */
  ticket: number;
  /** shortstr */
  exchange: string;
  /** shortstr */
  type: string;
  /** bit */
  passive: boolean;
  /** bit */
  durable: boolean;
  /** bit */
  autoDelete: boolean;
  /** bit */
  internal: boolean;
  /** bit */
  noWait: boolean;
  /** table */
  arguments: HeaderTable;
}

/** exchange.declare-ok (40/11), synchronous. */
export type ExchangeDeclareOk = Record<string, never>;

/** exchange.delete (40/20), synchronous. */
export interface ExchangeDelete {
  /** short */
  ticket: number;
  /** shortstr */
  exchange: string;
  /** bit */
  ifUnused: boolean;
  /** bit */
  noWait: boolean;
}

/** exchange.delete-ok (40/21), synchronous. */
export type ExchangeDeleteOk = Record<string, never>;

/** exchange.bind (40/30), synchronous. */
export interface ExchangeBind {
  /** short */
  ticket: number;
  /** shortstr */
  destination: string;
  /** shortstr */
  source: string;
  /** shortstr */
  routingKey: string;
  /** bit */
  noWait: boolean;
  /** table */
  arguments: HeaderTable;
}

/** exchange.bind-ok (40/31), synchronous. */
export type ExchangeBindOk = Record<string, never>;

/** exchange.unbind (40/40), synchronous. */
export interface ExchangeUnbind {
  /** short */
  ticket: number;
  /** shortstr */
  destination: string;
  /** shortstr */
  source: string;
  /** shortstr */
  routingKey: string;
  /** bit */
  noWait: boolean;
  /** table */
  arguments: HeaderTable;
}

/** exchange.unbind-ok (40/51), synchronous. */
export type ExchangeUnbindOk = Record<string, never>;

/** queue.declare (50/10), synchronous. */
export interface QueueDeclare {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** bit */
  passive: boolean;
  /** bit */
  durable: boolean;
  /** bit */
  exclusive: boolean;
  /** bit */
  autoDelete: boolean;
  /** bit */
  noWait: boolean;
  /** table */
  arguments: HeaderTable;
}

/** queue.declare-ok (50/11), synchronous. */
export interface QueueDeclareOk {
  /** shortstr */
  queue: string;
  /** long */
  messageCount: number;
  /** long */
  consumerCount: number;
}

/** queue.bind (50/20), synchronous. */
export interface QueueBind {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** shortstr */
  exchange: string;
  /** shortstr */
  routingKey: string;
  /** bit */
  noWait: boolean;
  /** table */
  arguments: HeaderTable;
}

/** queue.bind-ok (50/21), synchronous. */
export type QueueBindOk = Record<string, never>;

/** queue.purge (50/30), synchronous. */
export interface QueuePurge {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** bit */
  noWait: boolean;
}

/** queue.purge-ok (50/31), synchronous. */
export interface QueuePurgeOk {
  /** long */
  messageCount: number;
}

/** queue.delete (50/40), synchronous. */
export interface QueueDelete {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** bit */
  ifUnused: boolean;
  /** bit */
  ifEmpty: boolean;
  /** bit */
  noWait: boolean;
}

/** queue.delete-ok (50/41), synchronous. */
export interface QueueDeleteOk {
  /** long */
  messageCount: number;
}

/** queue.unbind (50/50), synchronous. */
export interface QueueUnbind {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** shortstr */
  exchange: string;
  /** shortstr */
  routingKey: string;
  /** table */
  arguments: HeaderTable;
}

/** queue.unbind-ok (50/51), synchronous. */
export type QueueUnbindOk = Record<string, never>;

/** basic.qos (60/10), synchronous. */
export interface BasicQos {
  /** long */
  prefetchSize: number;
  /** short */
  prefetchCount: number;
  /** bit */
  global: boolean;
}

/** basic.qos-ok (60/11), synchronous. */
export type BasicQosOk = Record<string, never>;

/** basic.consume (60/20), synchronous. */
export interface BasicConsume {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** shortstr */
  consumerTag: string;
  /** bit */
  noLocal: boolean;
  /** bit */
  noAck: boolean;
  /** bit */
  exclusive: boolean;
  /** bit */
  noWait: boolean;
  /** table */
  arguments: HeaderTable;
}

/** basic.consume-ok (60/21), synchronous. */
export interface BasicConsumeOk {
  /** shortstr */
  consumerTag: string;
}

/** basic.cancel (60/30), synchronous. */
export interface BasicCancel {
  /** shortstr */
  consumerTag: string;
  /** bit */
  noWait: boolean;
}

/** basic.cancel-ok (60/31), synchronous. */
export interface BasicCancelOk {
  /** shortstr */
  consumerTag: string;
}

/** basic.publish (60/40), carries content. */
export interface BasicPublish {
  /** short */
  ticket: number;
  /** shortstr */
  exchange: string;
  /** shortstr */
  routingKey: string;
  /** bit */
  mandatory: boolean;
  /** bit */
  immediate: boolean;
}

/** basic.return (60/50), carries content. */
export interface BasicReturn {
  /** short */
  replyCode: number;
  /** shortstr */
  replyText: string;
  /** shortstr */
  exchange: string;
  /** shortstr */
  routingKey: string;
}

/** basic.deliver (60/60), carries content. */
export interface BasicDeliver {
  /** shortstr */
  consumerTag: string;
  /** longlong */
  deliveryTag: number;
  /** bit */
  redelivered: boolean;
  /** shortstr */
  exchange: string;
  /** shortstr */
  routingKey: string;
}

/** basic.get (60/70), synchronous. */
export interface BasicGet {
  /** short */
  ticket: number;
  /** shortstr */
  queue: string;
  /** bit */
  noAck: boolean;
}

/** basic.get-ok (60/71), carries content, synchronous. */
export interface BasicGetOk {
  /** longlong */
  deliveryTag: number;
  /** bit */
  redelivered: boolean;
  /** shortstr */
  exchange: string;
  /** shortstr */
  routingKey: string;
  /** long */
  messageCount: number;
}

/** basic.get-empty (60/72), synchronous. */
export interface BasicGetEmpty {
  /** shortstr */
  clusterId: string;
}

/** basic.ack (60/80). */
export interface BasicAck {
  /** longlong */
  deliveryTag: number;
  /** bit */
  multiple: boolean;
}

/** basic.reject (60/90). */
export interface BasicReject {
  /** longlong */
  deliveryTag: number;
  /** bit */
  requeue: boolean;
}

/** basic.recover-async (60/100). */
export interface BasicRecoverAsync {
  /** bit */
  requeue: boolean;
}

/** basic.recover (60/110). */
export interface BasicRecover {
  /** bit */
  requeue: boolean;
}

/** basic.recover-ok (60/111), synchronous. */
export type BasicRecoverOk = Record<string, never>;

/** basic.nack (60/120). */
export interface BasicNack {
  /** longlong */
  deliveryTag: number;
  /** bit */
  multiple: boolean;
  /** bit */
  requeue: boolean;
}

/** confirm.select (85/10), synchronous. */
export interface ConfirmSelect {
  /** bit */
  nowait: boolean;
}

/** confirm.select-ok (85/11), synchronous. */
export type ConfirmSelectOk = Record<string, never>;

/** tx.select (90/10), synchronous. */
export type TxSelect = Record<string, never>;

/** tx.select-ok (90/11), synchronous. */
export type TxSelectOk = Record<string, never>;

/** tx.commit (90/20), synchronous. */
export type TxCommit = Record<string, never>;

/** tx.commit-ok (90/21), synchronous. */
export type TxCommitOk = Record<string, never>;

/** tx.rollback (90/30), synchronous. */
export type TxRollback = Record<string, never>;

/** tx.rollback-ok (90/31), synchronous. */
export type TxRollbackOk = Record<string, never>;

/** Every method of every class, as decoded from or encoded to a method frame. */
export type AmqpMethod =
  | { name: 'connection.start'; classId: 10; methodId: 10; args: ConnectionStart }
  | { name: 'connection.start-ok'; classId: 10; methodId: 11; args: ConnectionStartOk }
  | { name: 'connection.secure'; classId: 10; methodId: 20; args: ConnectionSecure }
  | { name: 'connection.secure-ok'; classId: 10; methodId: 21; args: ConnectionSecureOk }
  | { name: 'connection.tune'; classId: 10; methodId: 30; args: ConnectionTune }
  | { name: 'connection.tune-ok'; classId: 10; methodId: 31; args: ConnectionTuneOk }
  | { name: 'connection.open'; classId: 10; methodId: 40; args: ConnectionOpen }
  | { name: 'connection.open-ok'; classId: 10; methodId: 41; args: ConnectionOpenOk }
  | { name: 'connection.close'; classId: 10; methodId: 50; args: ConnectionClose }
  | { name: 'connection.close-ok'; classId: 10; methodId: 51; args: ConnectionCloseOk }
  | { name: 'connection.blocked'; classId: 10; methodId: 60; args: ConnectionBlocked }
  | { name: 'connection.unblocked'; classId: 10; methodId: 61; args: ConnectionUnblocked }
  | { name: 'connection.update-secret'; classId: 10; methodId: 70; args: ConnectionUpdateSecret }
  | { name: 'connection.update-secret-ok'; classId: 10; methodId: 71; args: ConnectionUpdateSecretOk }
  | { name: 'channel.open'; classId: 20; methodId: 10; args: ChannelOpen }
  | { name: 'channel.open-ok'; classId: 20; methodId: 11; args: ChannelOpenOk }
  | { name: 'channel.flow'; classId: 20; methodId: 20; args: ChannelFlow }
  | { name: 'channel.flow-ok'; classId: 20; methodId: 21; args: ChannelFlowOk }
  | { name: 'channel.close'; classId: 20; methodId: 40; args: ChannelClose }
  | { name: 'channel.close-ok'; classId: 20; methodId: 41; args: ChannelCloseOk }
  | { name: 'access.request'; classId: 30; methodId: 10; args: AccessRequest }
  | { name: 'access.request-ok'; classId: 30; methodId: 11; args: AccessRequestOk }
  | { name: 'exchange.declare'; classId: 40; methodId: 10; args: ExchangeDeclare }
  | { name: 'exchange.declare-ok'; classId: 40; methodId: 11; args: ExchangeDeclareOk }
  | { name: 'exchange.delete'; classId: 40; methodId: 20; args: ExchangeDelete }
  | { name: 'exchange.delete-ok'; classId: 40; methodId: 21; args: ExchangeDeleteOk }
  | { name: 'exchange.bind'; classId: 40; methodId: 30; args: ExchangeBind }
  | { name: 'exchange.bind-ok'; classId: 40; methodId: 31; args: ExchangeBindOk }
  | { name: 'exchange.unbind'; classId: 40; methodId: 40; args: ExchangeUnbind }
  | { name: 'exchange.unbind-ok'; classId: 40; methodId: 51; args: ExchangeUnbindOk }
  | { name: 'queue.declare'; classId: 50; methodId: 10; args: QueueDeclare }
  | { name: 'queue.declare-ok'; classId: 50; methodId: 11; args: QueueDeclareOk }
  | { name: 'queue.bind'; classId: 50; methodId: 20; args: QueueBind }
  | { name: 'queue.bind-ok'; classId: 50; methodId: 21; args: QueueBindOk }
  | { name: 'queue.purge'; classId: 50; methodId: 30; args: QueuePurge }
  | { name: 'queue.purge-ok'; classId: 50; methodId: 31; args: QueuePurgeOk }
  | { name: 'queue.delete'; classId: 50; methodId: 40; args: QueueDelete }
  | { name: 'queue.delete-ok'; classId: 50; methodId: 41; args: QueueDeleteOk }
  | { name: 'queue.unbind'; classId: 50; methodId: 50; args: QueueUnbind }
  | { name: 'queue.unbind-ok'; classId: 50; methodId: 51; args: QueueUnbindOk }
  | { name: 'basic.qos'; classId: 60; methodId: 10; args: BasicQos }
  | { name: 'basic.qos-ok'; classId: 60; methodId: 11; args: BasicQosOk }
  | { name: 'basic.consume'; classId: 60; methodId: 20; args: BasicConsume }
  | { name: 'basic.consume-ok'; classId: 60; methodId: 21; args: BasicConsumeOk }
  | { name: 'basic.cancel'; classId: 60; methodId: 30; args: BasicCancel }
  | { name: 'basic.cancel-ok'; classId: 60; methodId: 31; args: BasicCancelOk }
  | { name: 'basic.publish'; classId: 60; methodId: 40; args: BasicPublish }
  | { name: 'basic.return'; classId: 60; methodId: 50; args: BasicReturn }
  | { name: 'basic.deliver'; classId: 60; methodId: 60; args: BasicDeliver }
  | { name: 'basic.get'; classId: 60; methodId: 70; args: BasicGet }
  | { name: 'basic.get-ok'; classId: 60; methodId: 71; args: BasicGetOk }
  | { name: 'basic.get-empty'; classId: 60; methodId: 72; args: BasicGetEmpty }
  | { name: 'basic.ack'; classId: 60; methodId: 80; args: BasicAck }
  | { name: 'basic.reject'; classId: 60; methodId: 90; args: BasicReject }
  | { name: 'basic.recover-async'; classId: 60; methodId: 100; args: BasicRecoverAsync }
  | { name: 'basic.recover'; classId: 60; methodId: 110; args: BasicRecover }
  | { name: 'basic.recover-ok'; classId: 60; methodId: 111; args: BasicRecoverOk }
  | { name: 'basic.nack'; classId: 60; methodId: 120; args: BasicNack }
  | { name: 'confirm.select'; classId: 85; methodId: 10; args: ConfirmSelect }
  | { name: 'confirm.select-ok'; classId: 85; methodId: 11; args: ConfirmSelectOk }
  | { name: 'tx.select'; classId: 90; methodId: 10; args: TxSelect }
  | { name: 'tx.select-ok'; classId: 90; methodId: 11; args: TxSelectOk }
  | { name: 'tx.commit'; classId: 90; methodId: 20; args: TxCommit }
  | { name: 'tx.commit-ok'; classId: 90; methodId: 21; args: TxCommitOk }
  | { name: 'tx.rollback'; classId: 90; methodId: 30; args: TxRollback }
  | { name: 'tx.rollback-ok'; classId: 90; methodId: 31; args: TxRollbackOk };

export type AmqpMethodName = AmqpMethod['name'];

/** The argument type of a method, by name. */
export type MethodArgs<N extends AmqpMethodName> = Extract<AmqpMethod, { name: N }>['args'];

/** Methods followed by a content header and body frames (§2.3.5.2). */
export const METHOD_HAS_CONTENT: ReadonlySet<AmqpMethodName> = new Set<AmqpMethodName>([
  'basic.publish',
  'basic.return',
  'basic.deliver',
  'basic.get-ok',
]);

/** Methods the spec marks synchronous (the peer answers with a -ok method unless no-wait is set). */
export const METHOD_IS_SYNCHRONOUS: ReadonlySet<AmqpMethodName> = new Set<AmqpMethodName>([
  'connection.start',
  'connection.start-ok',
  'connection.secure',
  'connection.secure-ok',
  'connection.tune',
  'connection.tune-ok',
  'connection.open',
  'connection.open-ok',
  'connection.close',
  'connection.close-ok',
  'connection.update-secret',
  'connection.update-secret-ok',
  'channel.open',
  'channel.open-ok',
  'channel.flow',
  'channel.close',
  'channel.close-ok',
  'access.request',
  'access.request-ok',
  'exchange.declare',
  'exchange.declare-ok',
  'exchange.delete',
  'exchange.delete-ok',
  'exchange.bind',
  'exchange.bind-ok',
  'exchange.unbind',
  'exchange.unbind-ok',
  'queue.declare',
  'queue.declare-ok',
  'queue.bind',
  'queue.bind-ok',
  'queue.purge',
  'queue.purge-ok',
  'queue.delete',
  'queue.delete-ok',
  'queue.unbind',
  'queue.unbind-ok',
  'basic.qos',
  'basic.qos-ok',
  'basic.consume',
  'basic.consume-ok',
  'basic.cancel',
  'basic.cancel-ok',
  'basic.get',
  'basic.get-ok',
  'basic.get-empty',
  'basic.recover-ok',
  'confirm.select',
  'confirm.select-ok',
  'tx.select',
  'tx.select-ok',
  'tx.commit',
  'tx.commit-ok',
  'tx.rollback',
  'tx.rollback-ok',
]);

export type MethodFieldType =
  'bit' | 'octet' | 'short' | 'long' | 'longlong' | 'timestamp' | 'shortstr' | 'longstr' | 'longstr-bytes' | 'table';

export interface MethodInfo {
  classId: number;
  methodId: number;
  /** Argument names (camelCase) and wire types, in wire order. */
  fields: ReadonlyArray<{ name: string; type: MethodFieldType }>;
}

/** Per-method metadata: ids and argument layout (used by tests and by error reporting). */
export const METHOD_INFO: Readonly<Record<AmqpMethodName, MethodInfo>> = {
  'connection.start': { classId: 10, methodId: 10, fields: [{ name: 'versionMajor', type: 'octet' }, { name: 'versionMinor', type: 'octet' }, { name: 'serverProperties', type: 'table' }, { name: 'mechanisms', type: 'longstr-bytes' }, { name: 'locales', type: 'longstr-bytes' }] },
  'connection.start-ok': { classId: 10, methodId: 11, fields: [{ name: 'clientProperties', type: 'table' }, { name: 'mechanism', type: 'shortstr' }, { name: 'response', type: 'longstr-bytes' }, { name: 'locale', type: 'shortstr' }] },
  'connection.secure': { classId: 10, methodId: 20, fields: [{ name: 'challenge', type: 'longstr-bytes' }] },
  'connection.secure-ok': { classId: 10, methodId: 21, fields: [{ name: 'response', type: 'longstr-bytes' }] },
  'connection.tune': { classId: 10, methodId: 30, fields: [{ name: 'channelMax', type: 'short' }, { name: 'frameMax', type: 'long' }, { name: 'heartbeat', type: 'short' }] },
  'connection.tune-ok': { classId: 10, methodId: 31, fields: [{ name: 'channelMax', type: 'short' }, { name: 'frameMax', type: 'long' }, { name: 'heartbeat', type: 'short' }] },
  'connection.open': { classId: 10, methodId: 40, fields: [{ name: 'virtualHost', type: 'shortstr' }, { name: 'capabilities', type: 'shortstr' }, { name: 'insist', type: 'bit' }] },
  'connection.open-ok': { classId: 10, methodId: 41, fields: [{ name: 'knownHosts', type: 'shortstr' }] },
  'connection.close': { classId: 10, methodId: 50, fields: [{ name: 'replyCode', type: 'short' }, { name: 'replyText', type: 'shortstr' }, { name: 'classId', type: 'short' }, { name: 'methodId', type: 'short' }] },
  'connection.close-ok': { classId: 10, methodId: 51, fields: [] },
  'connection.blocked': { classId: 10, methodId: 60, fields: [{ name: 'reason', type: 'shortstr' }] },
  'connection.unblocked': { classId: 10, methodId: 61, fields: [] },
  'connection.update-secret': { classId: 10, methodId: 70, fields: [{ name: 'newSecret', type: 'longstr-bytes' }, { name: 'reason', type: 'shortstr' }] },
  'connection.update-secret-ok': { classId: 10, methodId: 71, fields: [] },
  'channel.open': { classId: 20, methodId: 10, fields: [{ name: 'outOfBand', type: 'shortstr' }] },
  'channel.open-ok': { classId: 20, methodId: 11, fields: [{ name: 'channelId', type: 'longstr' }] },
  'channel.flow': { classId: 20, methodId: 20, fields: [{ name: 'active', type: 'bit' }] },
  'channel.flow-ok': { classId: 20, methodId: 21, fields: [{ name: 'active', type: 'bit' }] },
  'channel.close': { classId: 20, methodId: 40, fields: [{ name: 'replyCode', type: 'short' }, { name: 'replyText', type: 'shortstr' }, { name: 'classId', type: 'short' }, { name: 'methodId', type: 'short' }] },
  'channel.close-ok': { classId: 20, methodId: 41, fields: [] },
  'access.request': { classId: 30, methodId: 10, fields: [{ name: 'realm', type: 'shortstr' }, { name: 'exclusive', type: 'bit' }, { name: 'passive', type: 'bit' }, { name: 'active', type: 'bit' }, { name: 'write', type: 'bit' }, { name: 'read', type: 'bit' }] },
  'access.request-ok': { classId: 30, methodId: 11, fields: [{ name: 'ticket', type: 'short' }] },
  'exchange.declare': { classId: 40, methodId: 10, fields: [{ name: 'ticket', type: 'short' }, { name: 'exchange', type: 'shortstr' }, { name: 'type', type: 'shortstr' }, { name: 'passive', type: 'bit' }, { name: 'durable', type: 'bit' }, { name: 'autoDelete', type: 'bit' }, { name: 'internal', type: 'bit' }, { name: 'noWait', type: 'bit' }, { name: 'arguments', type: 'table' }] },
  'exchange.declare-ok': { classId: 40, methodId: 11, fields: [] },
  'exchange.delete': { classId: 40, methodId: 20, fields: [{ name: 'ticket', type: 'short' }, { name: 'exchange', type: 'shortstr' }, { name: 'ifUnused', type: 'bit' }, { name: 'noWait', type: 'bit' }] },
  'exchange.delete-ok': { classId: 40, methodId: 21, fields: [] },
  'exchange.bind': { classId: 40, methodId: 30, fields: [{ name: 'ticket', type: 'short' }, { name: 'destination', type: 'shortstr' }, { name: 'source', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }, { name: 'noWait', type: 'bit' }, { name: 'arguments', type: 'table' }] },
  'exchange.bind-ok': { classId: 40, methodId: 31, fields: [] },
  'exchange.unbind': { classId: 40, methodId: 40, fields: [{ name: 'ticket', type: 'short' }, { name: 'destination', type: 'shortstr' }, { name: 'source', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }, { name: 'noWait', type: 'bit' }, { name: 'arguments', type: 'table' }] },
  'exchange.unbind-ok': { classId: 40, methodId: 51, fields: [] },
  'queue.declare': { classId: 50, methodId: 10, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'passive', type: 'bit' }, { name: 'durable', type: 'bit' }, { name: 'exclusive', type: 'bit' }, { name: 'autoDelete', type: 'bit' }, { name: 'noWait', type: 'bit' }, { name: 'arguments', type: 'table' }] },
  'queue.declare-ok': { classId: 50, methodId: 11, fields: [{ name: 'queue', type: 'shortstr' }, { name: 'messageCount', type: 'long' }, { name: 'consumerCount', type: 'long' }] },
  'queue.bind': { classId: 50, methodId: 20, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }, { name: 'noWait', type: 'bit' }, { name: 'arguments', type: 'table' }] },
  'queue.bind-ok': { classId: 50, methodId: 21, fields: [] },
  'queue.purge': { classId: 50, methodId: 30, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'noWait', type: 'bit' }] },
  'queue.purge-ok': { classId: 50, methodId: 31, fields: [{ name: 'messageCount', type: 'long' }] },
  'queue.delete': { classId: 50, methodId: 40, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'ifUnused', type: 'bit' }, { name: 'ifEmpty', type: 'bit' }, { name: 'noWait', type: 'bit' }] },
  'queue.delete-ok': { classId: 50, methodId: 41, fields: [{ name: 'messageCount', type: 'long' }] },
  'queue.unbind': { classId: 50, methodId: 50, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }, { name: 'arguments', type: 'table' }] },
  'queue.unbind-ok': { classId: 50, methodId: 51, fields: [] },
  'basic.qos': { classId: 60, methodId: 10, fields: [{ name: 'prefetchSize', type: 'long' }, { name: 'prefetchCount', type: 'short' }, { name: 'global', type: 'bit' }] },
  'basic.qos-ok': { classId: 60, methodId: 11, fields: [] },
  'basic.consume': { classId: 60, methodId: 20, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'consumerTag', type: 'shortstr' }, { name: 'noLocal', type: 'bit' }, { name: 'noAck', type: 'bit' }, { name: 'exclusive', type: 'bit' }, { name: 'noWait', type: 'bit' }, { name: 'arguments', type: 'table' }] },
  'basic.consume-ok': { classId: 60, methodId: 21, fields: [{ name: 'consumerTag', type: 'shortstr' }] },
  'basic.cancel': { classId: 60, methodId: 30, fields: [{ name: 'consumerTag', type: 'shortstr' }, { name: 'noWait', type: 'bit' }] },
  'basic.cancel-ok': { classId: 60, methodId: 31, fields: [{ name: 'consumerTag', type: 'shortstr' }] },
  'basic.publish': { classId: 60, methodId: 40, fields: [{ name: 'ticket', type: 'short' }, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }, { name: 'mandatory', type: 'bit' }, { name: 'immediate', type: 'bit' }] },
  'basic.return': { classId: 60, methodId: 50, fields: [{ name: 'replyCode', type: 'short' }, { name: 'replyText', type: 'shortstr' }, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }] },
  'basic.deliver': { classId: 60, methodId: 60, fields: [{ name: 'consumerTag', type: 'shortstr' }, { name: 'deliveryTag', type: 'longlong' }, { name: 'redelivered', type: 'bit' }, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }] },
  'basic.get': { classId: 60, methodId: 70, fields: [{ name: 'ticket', type: 'short' }, { name: 'queue', type: 'shortstr' }, { name: 'noAck', type: 'bit' }] },
  'basic.get-ok': { classId: 60, methodId: 71, fields: [{ name: 'deliveryTag', type: 'longlong' }, { name: 'redelivered', type: 'bit' }, { name: 'exchange', type: 'shortstr' }, { name: 'routingKey', type: 'shortstr' }, { name: 'messageCount', type: 'long' }] },
  'basic.get-empty': { classId: 60, methodId: 72, fields: [{ name: 'clusterId', type: 'shortstr' }] },
  'basic.ack': { classId: 60, methodId: 80, fields: [{ name: 'deliveryTag', type: 'longlong' }, { name: 'multiple', type: 'bit' }] },
  'basic.reject': { classId: 60, methodId: 90, fields: [{ name: 'deliveryTag', type: 'longlong' }, { name: 'requeue', type: 'bit' }] },
  'basic.recover-async': { classId: 60, methodId: 100, fields: [{ name: 'requeue', type: 'bit' }] },
  'basic.recover': { classId: 60, methodId: 110, fields: [{ name: 'requeue', type: 'bit' }] },
  'basic.recover-ok': { classId: 60, methodId: 111, fields: [] },
  'basic.nack': { classId: 60, methodId: 120, fields: [{ name: 'deliveryTag', type: 'longlong' }, { name: 'multiple', type: 'bit' }, { name: 'requeue', type: 'bit' }] },
  'confirm.select': { classId: 85, methodId: 10, fields: [{ name: 'nowait', type: 'bit' }] },
  'confirm.select-ok': { classId: 85, methodId: 11, fields: [] },
  'tx.select': { classId: 90, methodId: 10, fields: [] },
  'tx.select-ok': { classId: 90, methodId: 11, fields: [] },
  'tx.commit': { classId: 90, methodId: 20, fields: [] },
  'tx.commit-ok': { classId: 90, methodId: 21, fields: [] },
  'tx.rollback': { classId: 90, methodId: 30, fields: [] },
  'tx.rollback-ok': { classId: 90, methodId: 31, fields: [] },
};

/** The name of a method id, or undefined when the spec has no such method. */
export function methodName(classId: number, methodId: number): AmqpMethodName | undefined {
  switch (((classId << 16) | methodId) >>> 0) {
    case 0x000a000a: return 'connection.start';
    case 0x000a000b: return 'connection.start-ok';
    case 0x000a0014: return 'connection.secure';
    case 0x000a0015: return 'connection.secure-ok';
    case 0x000a001e: return 'connection.tune';
    case 0x000a001f: return 'connection.tune-ok';
    case 0x000a0028: return 'connection.open';
    case 0x000a0029: return 'connection.open-ok';
    case 0x000a0032: return 'connection.close';
    case 0x000a0033: return 'connection.close-ok';
    case 0x000a003c: return 'connection.blocked';
    case 0x000a003d: return 'connection.unblocked';
    case 0x000a0046: return 'connection.update-secret';
    case 0x000a0047: return 'connection.update-secret-ok';
    case 0x0014000a: return 'channel.open';
    case 0x0014000b: return 'channel.open-ok';
    case 0x00140014: return 'channel.flow';
    case 0x00140015: return 'channel.flow-ok';
    case 0x00140028: return 'channel.close';
    case 0x00140029: return 'channel.close-ok';
    case 0x001e000a: return 'access.request';
    case 0x001e000b: return 'access.request-ok';
    case 0x0028000a: return 'exchange.declare';
    case 0x0028000b: return 'exchange.declare-ok';
    case 0x00280014: return 'exchange.delete';
    case 0x00280015: return 'exchange.delete-ok';
    case 0x0028001e: return 'exchange.bind';
    case 0x0028001f: return 'exchange.bind-ok';
    case 0x00280028: return 'exchange.unbind';
    case 0x00280033: return 'exchange.unbind-ok';
    case 0x0032000a: return 'queue.declare';
    case 0x0032000b: return 'queue.declare-ok';
    case 0x00320014: return 'queue.bind';
    case 0x00320015: return 'queue.bind-ok';
    case 0x0032001e: return 'queue.purge';
    case 0x0032001f: return 'queue.purge-ok';
    case 0x00320028: return 'queue.delete';
    case 0x00320029: return 'queue.delete-ok';
    case 0x00320032: return 'queue.unbind';
    case 0x00320033: return 'queue.unbind-ok';
    case 0x003c000a: return 'basic.qos';
    case 0x003c000b: return 'basic.qos-ok';
    case 0x003c0014: return 'basic.consume';
    case 0x003c0015: return 'basic.consume-ok';
    case 0x003c001e: return 'basic.cancel';
    case 0x003c001f: return 'basic.cancel-ok';
    case 0x003c0028: return 'basic.publish';
    case 0x003c0032: return 'basic.return';
    case 0x003c003c: return 'basic.deliver';
    case 0x003c0046: return 'basic.get';
    case 0x003c0047: return 'basic.get-ok';
    case 0x003c0048: return 'basic.get-empty';
    case 0x003c0050: return 'basic.ack';
    case 0x003c005a: return 'basic.reject';
    case 0x003c0064: return 'basic.recover-async';
    case 0x003c006e: return 'basic.recover';
    case 0x003c006f: return 'basic.recover-ok';
    case 0x003c0078: return 'basic.nack';
    case 0x0055000a: return 'confirm.select';
    case 0x0055000b: return 'confirm.select-ok';
    case 0x005a000a: return 'tx.select';
    case 0x005a000b: return 'tx.select-ok';
    case 0x005a0014: return 'tx.commit';
    case 0x005a0015: return 'tx.commit-ok';
    case 0x005a001e: return 'tx.rollback';
    case 0x005a001f: return 'tx.rollback-ok';
    default: return undefined;
  }
}

/** Builds a method value from its name and arguments (fills in class and method ids). */
export function makeMethod<N extends AmqpMethodName>(name: N, args: MethodArgs<N>): Extract<AmqpMethod, { name: N }> {
  const info = METHOD_INFO[name];
  return { name, classId: info.classId, methodId: info.methodId, args } as unknown as Extract<AmqpMethod, { name: N }>;
}

function trailing(method: string): BrokerError {
  return new BrokerError('FRAME_ERROR', `cannot decode ${method}: bytes after the last argument`);
}

function decodeConnectionStart(p: Buffer): ConnectionStart {
  let var_versionMajor: number;
  let var_versionMinor: number;
  let var_serverProperties: HeaderTable;
  let var_mechanisms: Buffer;
  let var_locales: Buffer;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 6 > end) throw truncated('connection.start');
  var_versionMajor = p[o++];
  var_versionMinor = p[o++];
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.start');
  var_serverProperties = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o + 4 > end) throw truncated('connection.start');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.start');
  var_mechanisms = Buffer.from(p.subarray(o, o + len));
  o += len;
  if (o + 4 > end) throw truncated('connection.start');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.start');
  var_locales = Buffer.from(p.subarray(o, o + len));
  o += len;
  if (o !== end) throw trailing('connection.start');
  return { versionMajor: var_versionMajor, versionMinor: var_versionMinor, serverProperties: var_serverProperties, mechanisms: var_mechanisms, locales: var_locales };
}

function decodeConnectionStartOk(p: Buffer): ConnectionStartOk {
  let var_clientProperties: HeaderTable;
  let var_mechanism: string;
  let var_response: Buffer;
  let var_locale: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 4 > end) throw truncated('connection.start-ok');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.start-ok');
  var_clientProperties = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o + 1 > end) throw truncated('connection.start-ok');
  len = p[o++];
  if (o + len > end) throw truncated('connection.start-ok');
  var_mechanism = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 4 > end) throw truncated('connection.start-ok');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.start-ok');
  var_response = Buffer.from(p.subarray(o, o + len));
  o += len;
  if (o + 1 > end) throw truncated('connection.start-ok');
  len = p[o++];
  if (o + len > end) throw truncated('connection.start-ok');
  var_locale = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('connection.start-ok');
  return { clientProperties: var_clientProperties, mechanism: var_mechanism, response: var_response, locale: var_locale };
}

function decodeConnectionSecure(p: Buffer): ConnectionSecure {
  let var_challenge: Buffer;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 4 > end) throw truncated('connection.secure');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.secure');
  var_challenge = Buffer.from(p.subarray(o, o + len));
  o += len;
  if (o !== end) throw trailing('connection.secure');
  return { challenge: var_challenge };
}

function decodeConnectionSecureOk(p: Buffer): ConnectionSecureOk {
  let var_response: Buffer;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 4 > end) throw truncated('connection.secure-ok');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.secure-ok');
  var_response = Buffer.from(p.subarray(o, o + len));
  o += len;
  if (o !== end) throw trailing('connection.secure-ok');
  return { response: var_response };
}

function decodeConnectionTune(p: Buffer): ConnectionTune {
  let var_channelMax: number;
  let var_frameMax: number;
  let var_heartbeat: number;
  const end = p.length;
  let o = 4;
  if (o + 8 > end) throw truncated('connection.tune');
  var_channelMax = (p[o] << 8) | p[o + 1];
  o += 2;
  var_frameMax = p.readUInt32BE(o);
  o += 4;
  var_heartbeat = (p[o] << 8) | p[o + 1];
  o += 2;
  if (o !== end) throw trailing('connection.tune');
  return { channelMax: var_channelMax, frameMax: var_frameMax, heartbeat: var_heartbeat };
}

function decodeConnectionTuneOk(p: Buffer): ConnectionTuneOk {
  let var_channelMax: number;
  let var_frameMax: number;
  let var_heartbeat: number;
  const end = p.length;
  let o = 4;
  if (o + 8 > end) throw truncated('connection.tune-ok');
  var_channelMax = (p[o] << 8) | p[o + 1];
  o += 2;
  var_frameMax = p.readUInt32BE(o);
  o += 4;
  var_heartbeat = (p[o] << 8) | p[o + 1];
  o += 2;
  if (o !== end) throw trailing('connection.tune-ok');
  return { channelMax: var_channelMax, frameMax: var_frameMax, heartbeat: var_heartbeat };
}

function decodeConnectionOpen(p: Buffer): ConnectionOpen {
  let var_virtualHost: string;
  let var_capabilities: string;
  let var_insist: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('connection.open');
  len = p[o++];
  if (o + len > end) throw truncated('connection.open');
  var_virtualHost = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('connection.open');
  len = p[o++];
  if (o + len > end) throw truncated('connection.open');
  var_capabilities = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('connection.open');
  {
    const bits = p[o++];
    var_insist = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('connection.open');
  return { virtualHost: var_virtualHost, capabilities: var_capabilities, insist: var_insist };
}

function decodeConnectionOpenOk(p: Buffer): ConnectionOpenOk {
  let var_knownHosts: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('connection.open-ok');
  len = p[o++];
  if (o + len > end) throw truncated('connection.open-ok');
  var_knownHosts = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('connection.open-ok');
  return { knownHosts: var_knownHosts };
}

function decodeConnectionClose(p: Buffer): ConnectionClose {
  let var_replyCode: number;
  let var_replyText: string;
  let var_classId: number;
  let var_methodId: number;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('connection.close');
  var_replyCode = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('connection.close');
  var_replyText = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 4 > end) throw truncated('connection.close');
  var_classId = (p[o] << 8) | p[o + 1];
  o += 2;
  var_methodId = (p[o] << 8) | p[o + 1];
  o += 2;
  if (o !== end) throw trailing('connection.close');
  return { replyCode: var_replyCode, replyText: var_replyText, classId: var_classId, methodId: var_methodId };
}

function decodeConnectionCloseOk(p: Buffer): ConnectionCloseOk {
  if (p.length !== 4) throw trailing('connection.close-ok');
  return {};
}

function decodeConnectionBlocked(p: Buffer): ConnectionBlocked {
  let var_reason: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('connection.blocked');
  len = p[o++];
  if (o + len > end) throw truncated('connection.blocked');
  var_reason = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('connection.blocked');
  return { reason: var_reason };
}

function decodeConnectionUnblocked(p: Buffer): ConnectionUnblocked {
  if (p.length !== 4) throw trailing('connection.unblocked');
  return {};
}

function decodeConnectionUpdateSecret(p: Buffer): ConnectionUpdateSecret {
  let var_newSecret: Buffer;
  let var_reason: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 4 > end) throw truncated('connection.update-secret');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('connection.update-secret');
  var_newSecret = Buffer.from(p.subarray(o, o + len));
  o += len;
  if (o + 1 > end) throw truncated('connection.update-secret');
  len = p[o++];
  if (o + len > end) throw truncated('connection.update-secret');
  var_reason = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('connection.update-secret');
  return { newSecret: var_newSecret, reason: var_reason };
}

function decodeConnectionUpdateSecretOk(p: Buffer): ConnectionUpdateSecretOk {
  if (p.length !== 4) throw trailing('connection.update-secret-ok');
  return {};
}

function decodeChannelOpen(p: Buffer): ChannelOpen {
  let var_outOfBand: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('channel.open');
  len = p[o++];
  if (o + len > end) throw truncated('channel.open');
  var_outOfBand = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('channel.open');
  return { outOfBand: var_outOfBand };
}

function decodeChannelOpenOk(p: Buffer): ChannelOpenOk {
  let var_channelId: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 4 > end) throw truncated('channel.open-ok');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('channel.open-ok');
  var_channelId = p.toString('utf8', o, o + len);
  o += len;
  if (o !== end) throw trailing('channel.open-ok');
  return { channelId: var_channelId };
}

function decodeChannelFlow(p: Buffer): ChannelFlow {
  let var_active: boolean;
  const end = p.length;
  let o = 4;
  if (o + 1 > end) throw truncated('channel.flow');
  {
    const bits = p[o++];
    var_active = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('channel.flow');
  return { active: var_active };
}

function decodeChannelFlowOk(p: Buffer): ChannelFlowOk {
  let var_active: boolean;
  const end = p.length;
  let o = 4;
  if (o + 1 > end) throw truncated('channel.flow-ok');
  {
    const bits = p[o++];
    var_active = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('channel.flow-ok');
  return { active: var_active };
}

function decodeChannelClose(p: Buffer): ChannelClose {
  let var_replyCode: number;
  let var_replyText: string;
  let var_classId: number;
  let var_methodId: number;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('channel.close');
  var_replyCode = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('channel.close');
  var_replyText = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 4 > end) throw truncated('channel.close');
  var_classId = (p[o] << 8) | p[o + 1];
  o += 2;
  var_methodId = (p[o] << 8) | p[o + 1];
  o += 2;
  if (o !== end) throw trailing('channel.close');
  return { replyCode: var_replyCode, replyText: var_replyText, classId: var_classId, methodId: var_methodId };
}

function decodeChannelCloseOk(p: Buffer): ChannelCloseOk {
  if (p.length !== 4) throw trailing('channel.close-ok');
  return {};
}

function decodeAccessRequest(p: Buffer): AccessRequest {
  let var_realm: string;
  let var_exclusive: boolean;
  let var_passive: boolean;
  let var_active: boolean;
  let var_write: boolean;
  let var_read: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('access.request');
  len = p[o++];
  if (o + len > end) throw truncated('access.request');
  var_realm = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('access.request');
  {
    const bits = p[o++];
    var_exclusive = (bits & 1) !== 0;
    var_passive = (bits & 2) !== 0;
    var_active = (bits & 4) !== 0;
    var_write = (bits & 8) !== 0;
    var_read = (bits & 16) !== 0;
  }
  if (o !== end) throw trailing('access.request');
  return { realm: var_realm, exclusive: var_exclusive, passive: var_passive, active: var_active, write: var_write, read: var_read };
}

function decodeAccessRequestOk(p: Buffer): AccessRequestOk {
  let var_ticket: number;
  const end = p.length;
  let o = 4;
  if (o + 2 > end) throw truncated('access.request-ok');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  if (o !== end) throw trailing('access.request-ok');
  return { ticket: var_ticket };
}

function decodeExchangeDeclare(p: Buffer): ExchangeDeclare {
  let var_ticket: number;
  let var_exchange: string;
  let var_type: string;
  let var_passive: boolean;
  let var_durable: boolean;
  let var_autoDelete: boolean;
  let var_internal: boolean;
  let var_noWait: boolean;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('exchange.declare');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('exchange.declare');
  var_exchange = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('exchange.declare');
  len = p[o++];
  if (o + len > end) throw truncated('exchange.declare');
  var_type = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 5 > end) throw truncated('exchange.declare');
  {
    const bits = p[o++];
    var_passive = (bits & 1) !== 0;
    var_durable = (bits & 2) !== 0;
    var_autoDelete = (bits & 4) !== 0;
    var_internal = (bits & 8) !== 0;
    var_noWait = (bits & 16) !== 0;
  }
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('exchange.declare');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('exchange.declare');
  return { ticket: var_ticket, exchange: var_exchange, type: var_type, passive: var_passive, durable: var_durable, autoDelete: var_autoDelete, internal: var_internal, noWait: var_noWait, arguments: var_arguments };
}

function decodeExchangeDeclareOk(p: Buffer): ExchangeDeclareOk {
  if (p.length !== 4) throw trailing('exchange.declare-ok');
  return {};
}

function decodeExchangeDelete(p: Buffer): ExchangeDelete {
  let var_ticket: number;
  let var_exchange: string;
  let var_ifUnused: boolean;
  let var_noWait: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('exchange.delete');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('exchange.delete');
  var_exchange = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('exchange.delete');
  {
    const bits = p[o++];
    var_ifUnused = (bits & 1) !== 0;
    var_noWait = (bits & 2) !== 0;
  }
  if (o !== end) throw trailing('exchange.delete');
  return { ticket: var_ticket, exchange: var_exchange, ifUnused: var_ifUnused, noWait: var_noWait };
}

function decodeExchangeDeleteOk(p: Buffer): ExchangeDeleteOk {
  if (p.length !== 4) throw trailing('exchange.delete-ok');
  return {};
}

function decodeExchangeBind(p: Buffer): ExchangeBind {
  let var_ticket: number;
  let var_destination: string;
  let var_source: string;
  let var_routingKey: string;
  let var_noWait: boolean;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('exchange.bind');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('exchange.bind');
  var_destination = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('exchange.bind');
  len = p[o++];
  if (o + len > end) throw truncated('exchange.bind');
  var_source = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('exchange.bind');
  len = p[o++];
  if (o + len > end) throw truncated('exchange.bind');
  var_routingKey = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 5 > end) throw truncated('exchange.bind');
  {
    const bits = p[o++];
    var_noWait = (bits & 1) !== 0;
  }
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('exchange.bind');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('exchange.bind');
  return { ticket: var_ticket, destination: var_destination, source: var_source, routingKey: var_routingKey, noWait: var_noWait, arguments: var_arguments };
}

function decodeExchangeBindOk(p: Buffer): ExchangeBindOk {
  if (p.length !== 4) throw trailing('exchange.bind-ok');
  return {};
}

function decodeExchangeUnbind(p: Buffer): ExchangeUnbind {
  let var_ticket: number;
  let var_destination: string;
  let var_source: string;
  let var_routingKey: string;
  let var_noWait: boolean;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('exchange.unbind');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('exchange.unbind');
  var_destination = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('exchange.unbind');
  len = p[o++];
  if (o + len > end) throw truncated('exchange.unbind');
  var_source = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('exchange.unbind');
  len = p[o++];
  if (o + len > end) throw truncated('exchange.unbind');
  var_routingKey = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 5 > end) throw truncated('exchange.unbind');
  {
    const bits = p[o++];
    var_noWait = (bits & 1) !== 0;
  }
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('exchange.unbind');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('exchange.unbind');
  return { ticket: var_ticket, destination: var_destination, source: var_source, routingKey: var_routingKey, noWait: var_noWait, arguments: var_arguments };
}

function decodeExchangeUnbindOk(p: Buffer): ExchangeUnbindOk {
  if (p.length !== 4) throw trailing('exchange.unbind-ok');
  return {};
}

function decodeQueueDeclare(p: Buffer): QueueDeclare {
  let var_ticket: number;
  let var_queue: string;
  let var_passive: boolean;
  let var_durable: boolean;
  let var_exclusive: boolean;
  let var_autoDelete: boolean;
  let var_noWait: boolean;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('queue.declare');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('queue.declare');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 5 > end) throw truncated('queue.declare');
  {
    const bits = p[o++];
    var_passive = (bits & 1) !== 0;
    var_durable = (bits & 2) !== 0;
    var_exclusive = (bits & 4) !== 0;
    var_autoDelete = (bits & 8) !== 0;
    var_noWait = (bits & 16) !== 0;
  }
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('queue.declare');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('queue.declare');
  return { ticket: var_ticket, queue: var_queue, passive: var_passive, durable: var_durable, exclusive: var_exclusive, autoDelete: var_autoDelete, noWait: var_noWait, arguments: var_arguments };
}

function decodeQueueDeclareOk(p: Buffer): QueueDeclareOk {
  let var_queue: string;
  let var_messageCount: number;
  let var_consumerCount: number;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('queue.declare-ok');
  len = p[o++];
  if (o + len > end) throw truncated('queue.declare-ok');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 8 > end) throw truncated('queue.declare-ok');
  var_messageCount = p.readUInt32BE(o);
  o += 4;
  var_consumerCount = p.readUInt32BE(o);
  o += 4;
  if (o !== end) throw trailing('queue.declare-ok');
  return { queue: var_queue, messageCount: var_messageCount, consumerCount: var_consumerCount };
}

function decodeQueueBind(p: Buffer): QueueBind {
  let var_ticket: number;
  let var_queue: string;
  let var_exchange: string;
  let var_routingKey: string;
  let var_noWait: boolean;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('queue.bind');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('queue.bind');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('queue.bind');
  len = p[o++];
  if (o + len > end) throw truncated('queue.bind');
  var_exchange = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('queue.bind');
  len = p[o++];
  if (o + len > end) throw truncated('queue.bind');
  var_routingKey = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 5 > end) throw truncated('queue.bind');
  {
    const bits = p[o++];
    var_noWait = (bits & 1) !== 0;
  }
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('queue.bind');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('queue.bind');
  return { ticket: var_ticket, queue: var_queue, exchange: var_exchange, routingKey: var_routingKey, noWait: var_noWait, arguments: var_arguments };
}

function decodeQueueBindOk(p: Buffer): QueueBindOk {
  if (p.length !== 4) throw trailing('queue.bind-ok');
  return {};
}

function decodeQueuePurge(p: Buffer): QueuePurge {
  let var_ticket: number;
  let var_queue: string;
  let var_noWait: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('queue.purge');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('queue.purge');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('queue.purge');
  {
    const bits = p[o++];
    var_noWait = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('queue.purge');
  return { ticket: var_ticket, queue: var_queue, noWait: var_noWait };
}

function decodeQueuePurgeOk(p: Buffer): QueuePurgeOk {
  let var_messageCount: number;
  const end = p.length;
  let o = 4;
  if (o + 4 > end) throw truncated('queue.purge-ok');
  var_messageCount = p.readUInt32BE(o);
  o += 4;
  if (o !== end) throw trailing('queue.purge-ok');
  return { messageCount: var_messageCount };
}

function decodeQueueDelete(p: Buffer): QueueDelete {
  let var_ticket: number;
  let var_queue: string;
  let var_ifUnused: boolean;
  let var_ifEmpty: boolean;
  let var_noWait: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('queue.delete');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('queue.delete');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('queue.delete');
  {
    const bits = p[o++];
    var_ifUnused = (bits & 1) !== 0;
    var_ifEmpty = (bits & 2) !== 0;
    var_noWait = (bits & 4) !== 0;
  }
  if (o !== end) throw trailing('queue.delete');
  return { ticket: var_ticket, queue: var_queue, ifUnused: var_ifUnused, ifEmpty: var_ifEmpty, noWait: var_noWait };
}

function decodeQueueDeleteOk(p: Buffer): QueueDeleteOk {
  let var_messageCount: number;
  const end = p.length;
  let o = 4;
  if (o + 4 > end) throw truncated('queue.delete-ok');
  var_messageCount = p.readUInt32BE(o);
  o += 4;
  if (o !== end) throw trailing('queue.delete-ok');
  return { messageCount: var_messageCount };
}

function decodeQueueUnbind(p: Buffer): QueueUnbind {
  let var_ticket: number;
  let var_queue: string;
  let var_exchange: string;
  let var_routingKey: string;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('queue.unbind');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('queue.unbind');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('queue.unbind');
  len = p[o++];
  if (o + len > end) throw truncated('queue.unbind');
  var_exchange = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('queue.unbind');
  len = p[o++];
  if (o + len > end) throw truncated('queue.unbind');
  var_routingKey = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 4 > end) throw truncated('queue.unbind');
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('queue.unbind');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('queue.unbind');
  return { ticket: var_ticket, queue: var_queue, exchange: var_exchange, routingKey: var_routingKey, arguments: var_arguments };
}

function decodeQueueUnbindOk(p: Buffer): QueueUnbindOk {
  if (p.length !== 4) throw trailing('queue.unbind-ok');
  return {};
}

function decodeBasicQos(p: Buffer): BasicQos {
  let var_prefetchSize: number;
  let var_prefetchCount: number;
  let var_global: boolean;
  const end = p.length;
  let o = 4;
  if (o + 7 > end) throw truncated('basic.qos');
  var_prefetchSize = p.readUInt32BE(o);
  o += 4;
  var_prefetchCount = (p[o] << 8) | p[o + 1];
  o += 2;
  {
    const bits = p[o++];
    var_global = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.qos');
  return { prefetchSize: var_prefetchSize, prefetchCount: var_prefetchCount, global: var_global };
}

function decodeBasicQosOk(p: Buffer): BasicQosOk {
  if (p.length !== 4) throw trailing('basic.qos-ok');
  return {};
}

function decodeBasicConsume(p: Buffer): BasicConsume {
  let var_ticket: number;
  let var_queue: string;
  let var_consumerTag: string;
  let var_noLocal: boolean;
  let var_noAck: boolean;
  let var_exclusive: boolean;
  let var_noWait: boolean;
  let var_arguments: HeaderTable;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('basic.consume');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('basic.consume');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.consume');
  len = p[o++];
  if (o + len > end) throw truncated('basic.consume');
  var_consumerTag = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 5 > end) throw truncated('basic.consume');
  {
    const bits = p[o++];
    var_noLocal = (bits & 1) !== 0;
    var_noAck = (bits & 2) !== 0;
    var_exclusive = (bits & 4) !== 0;
    var_noWait = (bits & 8) !== 0;
  }
  len = p.readUInt32BE(o);
  o += 4;
  if (o + len > end) throw truncated('basic.consume');
  var_arguments = decodeTableBody(p, o, o + len, 0);
  o += len;
  if (o !== end) throw trailing('basic.consume');
  return { ticket: var_ticket, queue: var_queue, consumerTag: var_consumerTag, noLocal: var_noLocal, noAck: var_noAck, exclusive: var_exclusive, noWait: var_noWait, arguments: var_arguments };
}

function decodeBasicConsumeOk(p: Buffer): BasicConsumeOk {
  let var_consumerTag: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('basic.consume-ok');
  len = p[o++];
  if (o + len > end) throw truncated('basic.consume-ok');
  var_consumerTag = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('basic.consume-ok');
  return { consumerTag: var_consumerTag };
}

function decodeBasicCancel(p: Buffer): BasicCancel {
  let var_consumerTag: string;
  let var_noWait: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('basic.cancel');
  len = p[o++];
  if (o + len > end) throw truncated('basic.cancel');
  var_consumerTag = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.cancel');
  {
    const bits = p[o++];
    var_noWait = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.cancel');
  return { consumerTag: var_consumerTag, noWait: var_noWait };
}

function decodeBasicCancelOk(p: Buffer): BasicCancelOk {
  let var_consumerTag: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('basic.cancel-ok');
  len = p[o++];
  if (o + len > end) throw truncated('basic.cancel-ok');
  var_consumerTag = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('basic.cancel-ok');
  return { consumerTag: var_consumerTag };
}

function decodeBasicPublish(p: Buffer): BasicPublish {
  let var_ticket: number;
  let var_exchange: string;
  let var_routingKey: string;
  let var_mandatory: boolean;
  let var_immediate: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('basic.publish');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('basic.publish');
  var_exchange = readUtf8(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.publish');
  len = p[o++];
  if (o + len > end) throw truncated('basic.publish');
  var_routingKey = readUtf8(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.publish');
  {
    const bits = p[o++];
    var_mandatory = (bits & 1) !== 0;
    var_immediate = (bits & 2) !== 0;
  }
  if (o !== end) throw trailing('basic.publish');
  return { ticket: var_ticket, exchange: var_exchange, routingKey: var_routingKey, mandatory: var_mandatory, immediate: var_immediate };
}

function decodeBasicReturn(p: Buffer): BasicReturn {
  let var_replyCode: number;
  let var_replyText: string;
  let var_exchange: string;
  let var_routingKey: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('basic.return');
  var_replyCode = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('basic.return');
  var_replyText = readUtf8(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.return');
  len = p[o++];
  if (o + len > end) throw truncated('basic.return');
  var_exchange = readUtf8(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.return');
  len = p[o++];
  if (o + len > end) throw truncated('basic.return');
  var_routingKey = readUtf8(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('basic.return');
  return { replyCode: var_replyCode, replyText: var_replyText, exchange: var_exchange, routingKey: var_routingKey };
}

function decodeBasicDeliver(p: Buffer): BasicDeliver {
  let var_consumerTag: string;
  let var_deliveryTag: number;
  let var_redelivered: boolean;
  let var_exchange: string;
  let var_routingKey: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('basic.deliver');
  len = p[o++];
  if (o + len > end) throw truncated('basic.deliver');
  var_consumerTag = readUtf8(p, o, o + len);
  o += len;
  if (o + 10 > end) throw truncated('basic.deliver');
  var_deliveryTag = readU64(p, o);
  o += 8;
  {
    const bits = p[o++];
    var_redelivered = (bits & 1) !== 0;
  }
  len = p[o++];
  if (o + len > end) throw truncated('basic.deliver');
  var_exchange = readUtf8(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.deliver');
  len = p[o++];
  if (o + len > end) throw truncated('basic.deliver');
  var_routingKey = readUtf8(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('basic.deliver');
  return { consumerTag: var_consumerTag, deliveryTag: var_deliveryTag, redelivered: var_redelivered, exchange: var_exchange, routingKey: var_routingKey };
}

function decodeBasicGet(p: Buffer): BasicGet {
  let var_ticket: number;
  let var_queue: string;
  let var_noAck: boolean;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 3 > end) throw truncated('basic.get');
  var_ticket = (p[o] << 8) | p[o + 1];
  o += 2;
  len = p[o++];
  if (o + len > end) throw truncated('basic.get');
  var_queue = readShortStrChecked(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.get');
  {
    const bits = p[o++];
    var_noAck = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.get');
  return { ticket: var_ticket, queue: var_queue, noAck: var_noAck };
}

function decodeBasicGetOk(p: Buffer): BasicGetOk {
  let var_deliveryTag: number;
  let var_redelivered: boolean;
  let var_exchange: string;
  let var_routingKey: string;
  let var_messageCount: number;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 10 > end) throw truncated('basic.get-ok');
  var_deliveryTag = readU64(p, o);
  o += 8;
  {
    const bits = p[o++];
    var_redelivered = (bits & 1) !== 0;
  }
  len = p[o++];
  if (o + len > end) throw truncated('basic.get-ok');
  var_exchange = readUtf8(p, o, o + len);
  o += len;
  if (o + 1 > end) throw truncated('basic.get-ok');
  len = p[o++];
  if (o + len > end) throw truncated('basic.get-ok');
  var_routingKey = readUtf8(p, o, o + len);
  o += len;
  if (o + 4 > end) throw truncated('basic.get-ok');
  var_messageCount = p.readUInt32BE(o);
  o += 4;
  if (o !== end) throw trailing('basic.get-ok');
  return { deliveryTag: var_deliveryTag, redelivered: var_redelivered, exchange: var_exchange, routingKey: var_routingKey, messageCount: var_messageCount };
}

function decodeBasicGetEmpty(p: Buffer): BasicGetEmpty {
  let var_clusterId: string;
  const end = p.length;
  let o = 4;
  let len = 0;
  if (o + 1 > end) throw truncated('basic.get-empty');
  len = p[o++];
  if (o + len > end) throw truncated('basic.get-empty');
  var_clusterId = readShortStrChecked(p, o, o + len);
  o += len;
  if (o !== end) throw trailing('basic.get-empty');
  return { clusterId: var_clusterId };
}

function decodeBasicAck(p: Buffer): BasicAck {
  let var_deliveryTag: number;
  let var_multiple: boolean;
  const end = p.length;
  let o = 4;
  if (o + 9 > end) throw truncated('basic.ack');
  var_deliveryTag = readU64(p, o);
  o += 8;
  {
    const bits = p[o++];
    var_multiple = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.ack');
  return { deliveryTag: var_deliveryTag, multiple: var_multiple };
}

function decodeBasicReject(p: Buffer): BasicReject {
  let var_deliveryTag: number;
  let var_requeue: boolean;
  const end = p.length;
  let o = 4;
  if (o + 9 > end) throw truncated('basic.reject');
  var_deliveryTag = readU64(p, o);
  o += 8;
  {
    const bits = p[o++];
    var_requeue = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.reject');
  return { deliveryTag: var_deliveryTag, requeue: var_requeue };
}

function decodeBasicRecoverAsync(p: Buffer): BasicRecoverAsync {
  let var_requeue: boolean;
  const end = p.length;
  let o = 4;
  if (o + 1 > end) throw truncated('basic.recover-async');
  {
    const bits = p[o++];
    var_requeue = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.recover-async');
  return { requeue: var_requeue };
}

function decodeBasicRecover(p: Buffer): BasicRecover {
  let var_requeue: boolean;
  const end = p.length;
  let o = 4;
  if (o + 1 > end) throw truncated('basic.recover');
  {
    const bits = p[o++];
    var_requeue = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('basic.recover');
  return { requeue: var_requeue };
}

function decodeBasicRecoverOk(p: Buffer): BasicRecoverOk {
  if (p.length !== 4) throw trailing('basic.recover-ok');
  return {};
}

function decodeBasicNack(p: Buffer): BasicNack {
  let var_deliveryTag: number;
  let var_multiple: boolean;
  let var_requeue: boolean;
  const end = p.length;
  let o = 4;
  if (o + 9 > end) throw truncated('basic.nack');
  var_deliveryTag = readU64(p, o);
  o += 8;
  {
    const bits = p[o++];
    var_multiple = (bits & 1) !== 0;
    var_requeue = (bits & 2) !== 0;
  }
  if (o !== end) throw trailing('basic.nack');
  return { deliveryTag: var_deliveryTag, multiple: var_multiple, requeue: var_requeue };
}

function decodeConfirmSelect(p: Buffer): ConfirmSelect {
  let var_nowait: boolean;
  const end = p.length;
  let o = 4;
  if (o + 1 > end) throw truncated('confirm.select');
  {
    const bits = p[o++];
    var_nowait = (bits & 1) !== 0;
  }
  if (o !== end) throw trailing('confirm.select');
  return { nowait: var_nowait };
}

function decodeConfirmSelectOk(p: Buffer): ConfirmSelectOk {
  if (p.length !== 4) throw trailing('confirm.select-ok');
  return {};
}

function decodeTxSelect(p: Buffer): TxSelect {
  if (p.length !== 4) throw trailing('tx.select');
  return {};
}

function decodeTxSelectOk(p: Buffer): TxSelectOk {
  if (p.length !== 4) throw trailing('tx.select-ok');
  return {};
}

function decodeTxCommit(p: Buffer): TxCommit {
  if (p.length !== 4) throw trailing('tx.commit');
  return {};
}

function decodeTxCommitOk(p: Buffer): TxCommitOk {
  if (p.length !== 4) throw trailing('tx.commit-ok');
  return {};
}

function decodeTxRollback(p: Buffer): TxRollback {
  if (p.length !== 4) throw trailing('tx.rollback');
  return {};
}

function decodeTxRollbackOk(p: Buffer): TxRollbackOk {
  if (p.length !== 4) throw trailing('tx.rollback-ok');
  return {};
}

export function encodeConnectionStart(channel: number, a: ConnectionStart): Buffer {
  const serverPropertiesBytes = encodeFieldTable(a.serverProperties);
  const mechanismsLen = bytesLength(a.mechanisms, 'mechanisms');
  const localesLen = bytesLength(a.locales, 'locales');
  const size = 14 + serverPropertiesBytes.length + mechanismsLen + localesLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a000a, 7);
  let o = 11;
  b[o++] = checkUint(a.versionMajor, 0xff, 'versionMajor');
  b[o++] = checkUint(a.versionMinor, 0xff, 'versionMinor');
  copyInto(b, o, serverPropertiesBytes);
  o += serverPropertiesBytes.length;
  b.writeUInt32BE(mechanismsLen, o);
  copyInto(b, o + 4, a.mechanisms);
  o += 4 + mechanismsLen;
  b.writeUInt32BE(localesLen, o);
  copyInto(b, o + 4, a.locales);
  o += 4 + localesLen;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionStartOk(channel: number, a: ConnectionStartOk): Buffer {
  const clientPropertiesBytes = encodeFieldTable(a.clientProperties);
  const mechanismLen = shortStrLength(a.mechanism, 'mechanism');
  const responseLen = bytesLength(a.response, 'response');
  const localeLen = shortStrLength(a.locale, 'locale');
  const size = 10 + clientPropertiesBytes.length + mechanismLen + responseLen + localeLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a000b, 7);
  let o = 11;
  copyInto(b, o, clientPropertiesBytes);
  o += clientPropertiesBytes.length;
  b[o] = mechanismLen;
  o = writeUtf8(b, a.mechanism, o + 1, mechanismLen);
  b.writeUInt32BE(responseLen, o);
  copyInto(b, o + 4, a.response);
  o += 4 + responseLen;
  b[o] = localeLen;
  o = writeUtf8(b, a.locale, o + 1, localeLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionSecure(channel: number, a: ConnectionSecure): Buffer {
  const challengeLen = bytesLength(a.challenge, 'challenge');
  const size = 8 + challengeLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0014, 7);
  let o = 11;
  b.writeUInt32BE(challengeLen, o);
  copyInto(b, o + 4, a.challenge);
  o += 4 + challengeLen;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionSecureOk(channel: number, a: ConnectionSecureOk): Buffer {
  const responseLen = bytesLength(a.response, 'response');
  const size = 8 + responseLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0015, 7);
  let o = 11;
  b.writeUInt32BE(responseLen, o);
  copyInto(b, o + 4, a.response);
  o += 4 + responseLen;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionTune(channel: number, a: ConnectionTune): Buffer {
  const size = 12;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a001e, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.channelMax, 0xffff, 'channelMax'), o);
  o += 2;
  b.writeUInt32BE(checkUint(a.frameMax, 0xffffffff, 'frameMax'), o);
  o += 4;
  b.writeUInt16BE(checkUint(a.heartbeat, 0xffff, 'heartbeat'), o);
  o += 2;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionTuneOk(channel: number, a: ConnectionTuneOk): Buffer {
  const size = 12;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a001f, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.channelMax, 0xffff, 'channelMax'), o);
  o += 2;
  b.writeUInt32BE(checkUint(a.frameMax, 0xffffffff, 'frameMax'), o);
  o += 4;
  b.writeUInt16BE(checkUint(a.heartbeat, 0xffff, 'heartbeat'), o);
  o += 2;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionOpen(channel: number, a: ConnectionOpen): Buffer {
  const virtualHostLen = shortStrLength(a.virtualHost, 'virtualHost');
  const capabilitiesLen = shortStrLength(a.capabilities, 'capabilities');
  const size = 7 + virtualHostLen + capabilitiesLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0028, 7);
  let o = 11;
  b[o] = virtualHostLen;
  o = writeUtf8(b, a.virtualHost, o + 1, virtualHostLen);
  b[o] = capabilitiesLen;
  o = writeUtf8(b, a.capabilities, o + 1, capabilitiesLen);
  b[o++] = (a.insist ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionOpenOk(channel: number, a: ConnectionOpenOk): Buffer {
  const knownHostsLen = shortStrLength(a.knownHosts, 'knownHosts');
  const size = 5 + knownHostsLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0029, 7);
  let o = 11;
  b[o] = knownHostsLen;
  o = writeUtf8(b, a.knownHosts, o + 1, knownHostsLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionClose(channel: number, a: ConnectionClose): Buffer {
  const replyTextLen = shortStrLength(a.replyText, 'replyText');
  const size = 11 + replyTextLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0032, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.replyCode, 0xffff, 'replyCode'), o);
  o += 2;
  b[o] = replyTextLen;
  o = writeUtf8(b, a.replyText, o + 1, replyTextLen);
  b.writeUInt16BE(checkUint(a.classId, 0xffff, 'classId'), o);
  o += 2;
  b.writeUInt16BE(checkUint(a.methodId, 0xffff, 'methodId'), o);
  o += 2;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionCloseOk(channel: number, _a: ConnectionCloseOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0033, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionBlocked(channel: number, a: ConnectionBlocked): Buffer {
  const reasonLen = shortStrLength(a.reason, 'reason');
  const size = 5 + reasonLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a003c, 7);
  let o = 11;
  b[o] = reasonLen;
  o = writeUtf8(b, a.reason, o + 1, reasonLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionUnblocked(channel: number, _a: ConnectionUnblocked): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a003d, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionUpdateSecret(channel: number, a: ConnectionUpdateSecret): Buffer {
  const newSecretLen = bytesLength(a.newSecret, 'newSecret');
  const reasonLen = shortStrLength(a.reason, 'reason');
  const size = 9 + newSecretLen + reasonLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0046, 7);
  let o = 11;
  b.writeUInt32BE(newSecretLen, o);
  copyInto(b, o + 4, a.newSecret);
  o += 4 + newSecretLen;
  b[o] = reasonLen;
  o = writeUtf8(b, a.reason, o + 1, reasonLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConnectionUpdateSecretOk(channel: number, _a: ConnectionUpdateSecretOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x000a0047, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeChannelOpen(channel: number, a: ChannelOpen): Buffer {
  const outOfBandLen = shortStrLength(a.outOfBand, 'outOfBand');
  const size = 5 + outOfBandLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0014000a, 7);
  let o = 11;
  b[o] = outOfBandLen;
  o = writeUtf8(b, a.outOfBand, o + 1, outOfBandLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeChannelOpenOk(channel: number, a: ChannelOpenOk): Buffer {
  const channelIdLen = longStrLength(a.channelId, 'channelId');
  const size = 8 + channelIdLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0014000b, 7);
  let o = 11;
  b.writeUInt32BE(channelIdLen, o);
  writeUtf8(b, a.channelId, o + 4, channelIdLen);
  o += 4 + channelIdLen;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeChannelFlow(channel: number, a: ChannelFlow): Buffer {
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00140014, 7);
  let o = 11;
  b[o++] = (a.active ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeChannelFlowOk(channel: number, a: ChannelFlowOk): Buffer {
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00140015, 7);
  let o = 11;
  b[o++] = (a.active ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeChannelClose(channel: number, a: ChannelClose): Buffer {
  const replyTextLen = shortStrLength(a.replyText, 'replyText');
  const size = 11 + replyTextLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00140028, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.replyCode, 0xffff, 'replyCode'), o);
  o += 2;
  b[o] = replyTextLen;
  o = writeUtf8(b, a.replyText, o + 1, replyTextLen);
  b.writeUInt16BE(checkUint(a.classId, 0xffff, 'classId'), o);
  o += 2;
  b.writeUInt16BE(checkUint(a.methodId, 0xffff, 'methodId'), o);
  o += 2;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeChannelCloseOk(channel: number, _a: ChannelCloseOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00140029, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeAccessRequest(channel: number, a: AccessRequest): Buffer {
  const realmLen = shortStrLength(a.realm, 'realm');
  const size = 6 + realmLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x001e000a, 7);
  let o = 11;
  b[o] = realmLen;
  o = writeUtf8(b, a.realm, o + 1, realmLen);
  b[o++] = (a.exclusive ? 1 : 0) | (a.passive ? 2 : 0) | (a.active ? 4 : 0) | (a.write ? 8 : 0) | (a.read ? 16 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeAccessRequestOk(channel: number, a: AccessRequestOk): Buffer {
  const size = 6;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x001e000b, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeDeclare(channel: number, a: ExchangeDeclare): Buffer {
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const typeLen = shortStrLength(a.type, 'type');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 9 + exchangeLen + typeLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0028000a, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = typeLen;
  o = writeUtf8(b, a.type, o + 1, typeLen);
  b[o++] = (a.passive ? 1 : 0) | (a.durable ? 2 : 0) | (a.autoDelete ? 4 : 0) | (a.internal ? 8 : 0) | (a.noWait ? 16 : 0);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeDeclareOk(channel: number, _a: ExchangeDeclareOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0028000b, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeDelete(channel: number, a: ExchangeDelete): Buffer {
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const size = 8 + exchangeLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00280014, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o++] = (a.ifUnused ? 1 : 0) | (a.noWait ? 2 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeDeleteOk(channel: number, _a: ExchangeDeleteOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00280015, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeBind(channel: number, a: ExchangeBind): Buffer {
  const destinationLen = shortStrLength(a.destination, 'destination');
  const sourceLen = shortStrLength(a.source, 'source');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 10 + destinationLen + sourceLen + routingKeyLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0028001e, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = destinationLen;
  o = writeUtf8(b, a.destination, o + 1, destinationLen);
  b[o] = sourceLen;
  o = writeUtf8(b, a.source, o + 1, sourceLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b[o++] = (a.noWait ? 1 : 0);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeBindOk(channel: number, _a: ExchangeBindOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0028001f, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeUnbind(channel: number, a: ExchangeUnbind): Buffer {
  const destinationLen = shortStrLength(a.destination, 'destination');
  const sourceLen = shortStrLength(a.source, 'source');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 10 + destinationLen + sourceLen + routingKeyLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00280028, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = destinationLen;
  o = writeUtf8(b, a.destination, o + 1, destinationLen);
  b[o] = sourceLen;
  o = writeUtf8(b, a.source, o + 1, sourceLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b[o++] = (a.noWait ? 1 : 0);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeExchangeUnbindOk(channel: number, _a: ExchangeUnbindOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00280033, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueDeclare(channel: number, a: QueueDeclare): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 8 + queueLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0032000a, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o++] = (a.passive ? 1 : 0) | (a.durable ? 2 : 0) | (a.exclusive ? 4 : 0) | (a.autoDelete ? 8 : 0) | (a.noWait ? 16 : 0);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueDeclareOk(channel: number, a: QueueDeclareOk): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const size = 13 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0032000b, 7);
  let o = 11;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b.writeUInt32BE(checkUint(a.messageCount, 0xffffffff, 'messageCount'), o);
  o += 4;
  b.writeUInt32BE(checkUint(a.consumerCount, 0xffffffff, 'consumerCount'), o);
  o += 4;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueBind(channel: number, a: QueueBind): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 10 + queueLen + exchangeLen + routingKeyLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00320014, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b[o++] = (a.noWait ? 1 : 0);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueBindOk(channel: number, _a: QueueBindOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00320015, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueuePurge(channel: number, a: QueuePurge): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const size = 8 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0032001e, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o++] = (a.noWait ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueuePurgeOk(channel: number, a: QueuePurgeOk): Buffer {
  const size = 8;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0032001f, 7);
  let o = 11;
  b.writeUInt32BE(checkUint(a.messageCount, 0xffffffff, 'messageCount'), o);
  o += 4;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueDelete(channel: number, a: QueueDelete): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const size = 8 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00320028, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o++] = (a.ifUnused ? 1 : 0) | (a.ifEmpty ? 2 : 0) | (a.noWait ? 4 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueDeleteOk(channel: number, a: QueueDeleteOk): Buffer {
  const size = 8;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00320029, 7);
  let o = 11;
  b.writeUInt32BE(checkUint(a.messageCount, 0xffffffff, 'messageCount'), o);
  o += 4;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueUnbind(channel: number, a: QueueUnbind): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 9 + queueLen + exchangeLen + routingKeyLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00320032, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeQueueUnbindOk(channel: number, _a: QueueUnbindOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x00320033, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicQos(channel: number, a: BasicQos): Buffer {
  const size = 11;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c000a, 7);
  let o = 11;
  b.writeUInt32BE(checkUint(a.prefetchSize, 0xffffffff, 'prefetchSize'), o);
  o += 4;
  b.writeUInt16BE(checkUint(a.prefetchCount, 0xffff, 'prefetchCount'), o);
  o += 2;
  b[o++] = (a.global ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicQosOk(channel: number, _a: BasicQosOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c000b, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicConsume(channel: number, a: BasicConsume): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const consumerTagLen = shortStrLength(a.consumerTag, 'consumerTag');
  const argumentsBytes = encodeFieldTable(a.arguments);
  const size = 9 + queueLen + consumerTagLen + argumentsBytes.length;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0014, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o] = consumerTagLen;
  o = writeUtf8(b, a.consumerTag, o + 1, consumerTagLen);
  b[o++] = (a.noLocal ? 1 : 0) | (a.noAck ? 2 : 0) | (a.exclusive ? 4 : 0) | (a.noWait ? 8 : 0);
  copyInto(b, o, argumentsBytes);
  o += argumentsBytes.length;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicConsumeOk(channel: number, a: BasicConsumeOk): Buffer {
  const consumerTagLen = shortStrLength(a.consumerTag, 'consumerTag');
  const size = 5 + consumerTagLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0015, 7);
  let o = 11;
  b[o] = consumerTagLen;
  o = writeUtf8(b, a.consumerTag, o + 1, consumerTagLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicCancel(channel: number, a: BasicCancel): Buffer {
  const consumerTagLen = shortStrLength(a.consumerTag, 'consumerTag');
  const size = 6 + consumerTagLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c001e, 7);
  let o = 11;
  b[o] = consumerTagLen;
  o = writeUtf8(b, a.consumerTag, o + 1, consumerTagLen);
  b[o++] = (a.noWait ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicCancelOk(channel: number, a: BasicCancelOk): Buffer {
  const consumerTagLen = shortStrLength(a.consumerTag, 'consumerTag');
  const size = 5 + consumerTagLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c001f, 7);
  let o = 11;
  b[o] = consumerTagLen;
  o = writeUtf8(b, a.consumerTag, o + 1, consumerTagLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicPublish(channel: number, a: BasicPublish): Buffer {
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const size = 9 + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0028, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b[o++] = (a.mandatory ? 1 : 0) | (a.immediate ? 2 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicReturn(channel: number, a: BasicReturn): Buffer {
  const replyTextLen = shortStrLength(a.replyText, 'replyText');
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const size = 9 + replyTextLen + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0032, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.replyCode, 0xffff, 'replyCode'), o);
  o += 2;
  b[o] = replyTextLen;
  o = writeUtf8(b, a.replyText, o + 1, replyTextLen);
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicDeliver(channel: number, a: BasicDeliver): Buffer {
  const consumerTagLen = shortStrLength(a.consumerTag, 'consumerTag');
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const size = 16 + consumerTagLen + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c003c, 7);
  let o = 11;
  b[o] = consumerTagLen;
  o = writeUtf8(b, a.consumerTag, o + 1, consumerTagLen);
  writeU64(b, checkU64(a.deliveryTag, 'deliveryTag'), o);
  o += 8;
  b[o++] = (a.redelivered ? 1 : 0);
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicGet(channel: number, a: BasicGet): Buffer {
  const queueLen = shortStrLength(a.queue, 'queue');
  const size = 8 + queueLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0046, 7);
  let o = 11;
  b.writeUInt16BE(checkUint(a.ticket, 0xffff, 'ticket'), o);
  o += 2;
  b[o] = queueLen;
  o = writeUtf8(b, a.queue, o + 1, queueLen);
  b[o++] = (a.noAck ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicGetOk(channel: number, a: BasicGetOk): Buffer {
  const exchangeLen = shortStrLength(a.exchange, 'exchange');
  const routingKeyLen = shortStrLength(a.routingKey, 'routingKey');
  const size = 19 + exchangeLen + routingKeyLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0047, 7);
  let o = 11;
  writeU64(b, checkU64(a.deliveryTag, 'deliveryTag'), o);
  o += 8;
  b[o++] = (a.redelivered ? 1 : 0);
  b[o] = exchangeLen;
  o = writeUtf8(b, a.exchange, o + 1, exchangeLen);
  b[o] = routingKeyLen;
  o = writeUtf8(b, a.routingKey, o + 1, routingKeyLen);
  b.writeUInt32BE(checkUint(a.messageCount, 0xffffffff, 'messageCount'), o);
  o += 4;
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicGetEmpty(channel: number, a: BasicGetEmpty): Buffer {
  const clusterIdLen = shortStrLength(a.clusterId, 'clusterId');
  const size = 5 + clusterIdLen;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0048, 7);
  let o = 11;
  b[o] = clusterIdLen;
  o = writeUtf8(b, a.clusterId, o + 1, clusterIdLen);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicAck(channel: number, a: BasicAck): Buffer {
  const size = 13;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0050, 7);
  let o = 11;
  writeU64(b, checkU64(a.deliveryTag, 'deliveryTag'), o);
  o += 8;
  b[o++] = (a.multiple ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicReject(channel: number, a: BasicReject): Buffer {
  const size = 13;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c005a, 7);
  let o = 11;
  writeU64(b, checkU64(a.deliveryTag, 'deliveryTag'), o);
  o += 8;
  b[o++] = (a.requeue ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicRecoverAsync(channel: number, a: BasicRecoverAsync): Buffer {
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0064, 7);
  let o = 11;
  b[o++] = (a.requeue ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicRecover(channel: number, a: BasicRecover): Buffer {
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c006e, 7);
  let o = 11;
  b[o++] = (a.requeue ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicRecoverOk(channel: number, _a: BasicRecoverOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c006f, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeBasicNack(channel: number, a: BasicNack): Buffer {
  const size = 13;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x003c0078, 7);
  let o = 11;
  writeU64(b, checkU64(a.deliveryTag, 'deliveryTag'), o);
  o += 8;
  b[o++] = (a.multiple ? 1 : 0) | (a.requeue ? 2 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConfirmSelect(channel: number, a: ConfirmSelect): Buffer {
  const size = 5;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0055000a, 7);
  let o = 11;
  b[o++] = (a.nowait ? 1 : 0);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeConfirmSelectOk(channel: number, _a: ConfirmSelectOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x0055000b, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeTxSelect(channel: number, _a: TxSelect): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x005a000a, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeTxSelectOk(channel: number, _a: TxSelectOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x005a000b, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeTxCommit(channel: number, _a: TxCommit): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x005a0014, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeTxCommitOk(channel: number, _a: TxCommitOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x005a0015, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeTxRollback(channel: number, _a: TxRollback): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x005a001e, 7);
  b[size + 7] = FRAME_END;
  return b;
}

export function encodeTxRollbackOk(channel: number, _a: TxRollbackOk): Buffer {
  const size = 4;
  const b = Buffer.allocUnsafe(size + 8);
  b[0] = FRAME_METHOD;
  checkUint(channel, 0xffff, 'channel');
  b[1] = channel >>> 8;
  b[2] = channel & 0xff;
  b.writeUInt32BE(size, 3);
  b.writeUInt32BE(0x005a001f, 7);
  b[size + 7] = FRAME_END;
  return b;
}

/**
 * Decodes the payload of a type-1 frame. Throws BrokerError: FRAME_ERROR (501) for a payload that does not
 * match the method's layout (truncated, trailing bytes, malformed UTF-8 in a shortstr: RabbitMQ's "cannot
 * decode"), SYNTAX_ERROR (502) for an unknown field-table type tag, COMMAND_INVALID (503) for an unknown
 * class/method id; as a MethodDecodeError carrying the class and method ids the frame named (unless the payload
 * is too short to name any).
 */
export function decodeMethod(p: Buffer): AmqpMethod {
  if (p.length < 4) throw truncated('method frame');
  const id = p.readUInt32BE(0);
  try {
    return decodeById(id, p);
  } catch (e) {
    if (e instanceof BrokerError && !(e instanceof MethodDecodeError)) throw new MethodDecodeError(e, id >>> 16, id & 0xffff);
    throw e;
  }
}

function decodeById(id: number, p: Buffer): AmqpMethod {
  switch (id) {
    case 0x000a000a:
      return { name: 'connection.start', classId: 10, methodId: 10, args: decodeConnectionStart(p) };
    case 0x000a000b:
      return { name: 'connection.start-ok', classId: 10, methodId: 11, args: decodeConnectionStartOk(p) };
    case 0x000a0014:
      return { name: 'connection.secure', classId: 10, methodId: 20, args: decodeConnectionSecure(p) };
    case 0x000a0015:
      return { name: 'connection.secure-ok', classId: 10, methodId: 21, args: decodeConnectionSecureOk(p) };
    case 0x000a001e:
      return { name: 'connection.tune', classId: 10, methodId: 30, args: decodeConnectionTune(p) };
    case 0x000a001f:
      return { name: 'connection.tune-ok', classId: 10, methodId: 31, args: decodeConnectionTuneOk(p) };
    case 0x000a0028:
      return { name: 'connection.open', classId: 10, methodId: 40, args: decodeConnectionOpen(p) };
    case 0x000a0029:
      return { name: 'connection.open-ok', classId: 10, methodId: 41, args: decodeConnectionOpenOk(p) };
    case 0x000a0032:
      return { name: 'connection.close', classId: 10, methodId: 50, args: decodeConnectionClose(p) };
    case 0x000a0033:
      return { name: 'connection.close-ok', classId: 10, methodId: 51, args: decodeConnectionCloseOk(p) };
    case 0x000a003c:
      return { name: 'connection.blocked', classId: 10, methodId: 60, args: decodeConnectionBlocked(p) };
    case 0x000a003d:
      return { name: 'connection.unblocked', classId: 10, methodId: 61, args: decodeConnectionUnblocked(p) };
    case 0x000a0046:
      return { name: 'connection.update-secret', classId: 10, methodId: 70, args: decodeConnectionUpdateSecret(p) };
    case 0x000a0047:
      return { name: 'connection.update-secret-ok', classId: 10, methodId: 71, args: decodeConnectionUpdateSecretOk(p) };
    case 0x0014000a:
      return { name: 'channel.open', classId: 20, methodId: 10, args: decodeChannelOpen(p) };
    case 0x0014000b:
      return { name: 'channel.open-ok', classId: 20, methodId: 11, args: decodeChannelOpenOk(p) };
    case 0x00140014:
      return { name: 'channel.flow', classId: 20, methodId: 20, args: decodeChannelFlow(p) };
    case 0x00140015:
      return { name: 'channel.flow-ok', classId: 20, methodId: 21, args: decodeChannelFlowOk(p) };
    case 0x00140028:
      return { name: 'channel.close', classId: 20, methodId: 40, args: decodeChannelClose(p) };
    case 0x00140029:
      return { name: 'channel.close-ok', classId: 20, methodId: 41, args: decodeChannelCloseOk(p) };
    case 0x001e000a:
      return { name: 'access.request', classId: 30, methodId: 10, args: decodeAccessRequest(p) };
    case 0x001e000b:
      return { name: 'access.request-ok', classId: 30, methodId: 11, args: decodeAccessRequestOk(p) };
    case 0x0028000a:
      return { name: 'exchange.declare', classId: 40, methodId: 10, args: decodeExchangeDeclare(p) };
    case 0x0028000b:
      return { name: 'exchange.declare-ok', classId: 40, methodId: 11, args: decodeExchangeDeclareOk(p) };
    case 0x00280014:
      return { name: 'exchange.delete', classId: 40, methodId: 20, args: decodeExchangeDelete(p) };
    case 0x00280015:
      return { name: 'exchange.delete-ok', classId: 40, methodId: 21, args: decodeExchangeDeleteOk(p) };
    case 0x0028001e:
      return { name: 'exchange.bind', classId: 40, methodId: 30, args: decodeExchangeBind(p) };
    case 0x0028001f:
      return { name: 'exchange.bind-ok', classId: 40, methodId: 31, args: decodeExchangeBindOk(p) };
    case 0x00280028:
      return { name: 'exchange.unbind', classId: 40, methodId: 40, args: decodeExchangeUnbind(p) };
    case 0x00280033:
      return { name: 'exchange.unbind-ok', classId: 40, methodId: 51, args: decodeExchangeUnbindOk(p) };
    case 0x0032000a:
      return { name: 'queue.declare', classId: 50, methodId: 10, args: decodeQueueDeclare(p) };
    case 0x0032000b:
      return { name: 'queue.declare-ok', classId: 50, methodId: 11, args: decodeQueueDeclareOk(p) };
    case 0x00320014:
      return { name: 'queue.bind', classId: 50, methodId: 20, args: decodeQueueBind(p) };
    case 0x00320015:
      return { name: 'queue.bind-ok', classId: 50, methodId: 21, args: decodeQueueBindOk(p) };
    case 0x0032001e:
      return { name: 'queue.purge', classId: 50, methodId: 30, args: decodeQueuePurge(p) };
    case 0x0032001f:
      return { name: 'queue.purge-ok', classId: 50, methodId: 31, args: decodeQueuePurgeOk(p) };
    case 0x00320028:
      return { name: 'queue.delete', classId: 50, methodId: 40, args: decodeQueueDelete(p) };
    case 0x00320029:
      return { name: 'queue.delete-ok', classId: 50, methodId: 41, args: decodeQueueDeleteOk(p) };
    case 0x00320032:
      return { name: 'queue.unbind', classId: 50, methodId: 50, args: decodeQueueUnbind(p) };
    case 0x00320033:
      return { name: 'queue.unbind-ok', classId: 50, methodId: 51, args: decodeQueueUnbindOk(p) };
    case 0x003c000a:
      return { name: 'basic.qos', classId: 60, methodId: 10, args: decodeBasicQos(p) };
    case 0x003c000b:
      return { name: 'basic.qos-ok', classId: 60, methodId: 11, args: decodeBasicQosOk(p) };
    case 0x003c0014:
      return { name: 'basic.consume', classId: 60, methodId: 20, args: decodeBasicConsume(p) };
    case 0x003c0015:
      return { name: 'basic.consume-ok', classId: 60, methodId: 21, args: decodeBasicConsumeOk(p) };
    case 0x003c001e:
      return { name: 'basic.cancel', classId: 60, methodId: 30, args: decodeBasicCancel(p) };
    case 0x003c001f:
      return { name: 'basic.cancel-ok', classId: 60, methodId: 31, args: decodeBasicCancelOk(p) };
    case 0x003c0028:
      return { name: 'basic.publish', classId: 60, methodId: 40, args: decodeBasicPublish(p) };
    case 0x003c0032:
      return { name: 'basic.return', classId: 60, methodId: 50, args: decodeBasicReturn(p) };
    case 0x003c003c:
      return { name: 'basic.deliver', classId: 60, methodId: 60, args: decodeBasicDeliver(p) };
    case 0x003c0046:
      return { name: 'basic.get', classId: 60, methodId: 70, args: decodeBasicGet(p) };
    case 0x003c0047:
      return { name: 'basic.get-ok', classId: 60, methodId: 71, args: decodeBasicGetOk(p) };
    case 0x003c0048:
      return { name: 'basic.get-empty', classId: 60, methodId: 72, args: decodeBasicGetEmpty(p) };
    case 0x003c0050:
      return { name: 'basic.ack', classId: 60, methodId: 80, args: decodeBasicAck(p) };
    case 0x003c005a:
      return { name: 'basic.reject', classId: 60, methodId: 90, args: decodeBasicReject(p) };
    case 0x003c0064:
      return { name: 'basic.recover-async', classId: 60, methodId: 100, args: decodeBasicRecoverAsync(p) };
    case 0x003c006e:
      return { name: 'basic.recover', classId: 60, methodId: 110, args: decodeBasicRecover(p) };
    case 0x003c006f:
      return { name: 'basic.recover-ok', classId: 60, methodId: 111, args: decodeBasicRecoverOk(p) };
    case 0x003c0078:
      return { name: 'basic.nack', classId: 60, methodId: 120, args: decodeBasicNack(p) };
    case 0x0055000a:
      return { name: 'confirm.select', classId: 85, methodId: 10, args: decodeConfirmSelect(p) };
    case 0x0055000b:
      return { name: 'confirm.select-ok', classId: 85, methodId: 11, args: decodeConfirmSelectOk(p) };
    case 0x005a000a:
      return { name: 'tx.select', classId: 90, methodId: 10, args: decodeTxSelect(p) };
    case 0x005a000b:
      return { name: 'tx.select-ok', classId: 90, methodId: 11, args: decodeTxSelectOk(p) };
    case 0x005a0014:
      return { name: 'tx.commit', classId: 90, methodId: 20, args: decodeTxCommit(p) };
    case 0x005a0015:
      return { name: 'tx.commit-ok', classId: 90, methodId: 21, args: decodeTxCommitOk(p) };
    case 0x005a001e:
      return { name: 'tx.rollback', classId: 90, methodId: 30, args: decodeTxRollback(p) };
    case 0x005a001f:
      return { name: 'tx.rollback-ok', classId: 90, methodId: 31, args: decodeTxRollbackOk(p) };
    default:
      throw new BrokerError('COMMAND_INVALID', `unknown method ${id >>> 16}/${id & 0xffff}`);
  }
}

/** Encodes a complete method frame (header, payload, frame-end) for the channel. */
export function encodeMethod(channel: number, method: AmqpMethod): Buffer {
  switch (method.name) {
    case 'connection.start':
      return encodeConnectionStart(channel, method.args);
    case 'connection.start-ok':
      return encodeConnectionStartOk(channel, method.args);
    case 'connection.secure':
      return encodeConnectionSecure(channel, method.args);
    case 'connection.secure-ok':
      return encodeConnectionSecureOk(channel, method.args);
    case 'connection.tune':
      return encodeConnectionTune(channel, method.args);
    case 'connection.tune-ok':
      return encodeConnectionTuneOk(channel, method.args);
    case 'connection.open':
      return encodeConnectionOpen(channel, method.args);
    case 'connection.open-ok':
      return encodeConnectionOpenOk(channel, method.args);
    case 'connection.close':
      return encodeConnectionClose(channel, method.args);
    case 'connection.close-ok':
      return encodeConnectionCloseOk(channel, method.args);
    case 'connection.blocked':
      return encodeConnectionBlocked(channel, method.args);
    case 'connection.unblocked':
      return encodeConnectionUnblocked(channel, method.args);
    case 'connection.update-secret':
      return encodeConnectionUpdateSecret(channel, method.args);
    case 'connection.update-secret-ok':
      return encodeConnectionUpdateSecretOk(channel, method.args);
    case 'channel.open':
      return encodeChannelOpen(channel, method.args);
    case 'channel.open-ok':
      return encodeChannelOpenOk(channel, method.args);
    case 'channel.flow':
      return encodeChannelFlow(channel, method.args);
    case 'channel.flow-ok':
      return encodeChannelFlowOk(channel, method.args);
    case 'channel.close':
      return encodeChannelClose(channel, method.args);
    case 'channel.close-ok':
      return encodeChannelCloseOk(channel, method.args);
    case 'access.request':
      return encodeAccessRequest(channel, method.args);
    case 'access.request-ok':
      return encodeAccessRequestOk(channel, method.args);
    case 'exchange.declare':
      return encodeExchangeDeclare(channel, method.args);
    case 'exchange.declare-ok':
      return encodeExchangeDeclareOk(channel, method.args);
    case 'exchange.delete':
      return encodeExchangeDelete(channel, method.args);
    case 'exchange.delete-ok':
      return encodeExchangeDeleteOk(channel, method.args);
    case 'exchange.bind':
      return encodeExchangeBind(channel, method.args);
    case 'exchange.bind-ok':
      return encodeExchangeBindOk(channel, method.args);
    case 'exchange.unbind':
      return encodeExchangeUnbind(channel, method.args);
    case 'exchange.unbind-ok':
      return encodeExchangeUnbindOk(channel, method.args);
    case 'queue.declare':
      return encodeQueueDeclare(channel, method.args);
    case 'queue.declare-ok':
      return encodeQueueDeclareOk(channel, method.args);
    case 'queue.bind':
      return encodeQueueBind(channel, method.args);
    case 'queue.bind-ok':
      return encodeQueueBindOk(channel, method.args);
    case 'queue.purge':
      return encodeQueuePurge(channel, method.args);
    case 'queue.purge-ok':
      return encodeQueuePurgeOk(channel, method.args);
    case 'queue.delete':
      return encodeQueueDelete(channel, method.args);
    case 'queue.delete-ok':
      return encodeQueueDeleteOk(channel, method.args);
    case 'queue.unbind':
      return encodeQueueUnbind(channel, method.args);
    case 'queue.unbind-ok':
      return encodeQueueUnbindOk(channel, method.args);
    case 'basic.qos':
      return encodeBasicQos(channel, method.args);
    case 'basic.qos-ok':
      return encodeBasicQosOk(channel, method.args);
    case 'basic.consume':
      return encodeBasicConsume(channel, method.args);
    case 'basic.consume-ok':
      return encodeBasicConsumeOk(channel, method.args);
    case 'basic.cancel':
      return encodeBasicCancel(channel, method.args);
    case 'basic.cancel-ok':
      return encodeBasicCancelOk(channel, method.args);
    case 'basic.publish':
      return encodeBasicPublish(channel, method.args);
    case 'basic.return':
      return encodeBasicReturn(channel, method.args);
    case 'basic.deliver':
      return encodeBasicDeliver(channel, method.args);
    case 'basic.get':
      return encodeBasicGet(channel, method.args);
    case 'basic.get-ok':
      return encodeBasicGetOk(channel, method.args);
    case 'basic.get-empty':
      return encodeBasicGetEmpty(channel, method.args);
    case 'basic.ack':
      return encodeBasicAck(channel, method.args);
    case 'basic.reject':
      return encodeBasicReject(channel, method.args);
    case 'basic.recover-async':
      return encodeBasicRecoverAsync(channel, method.args);
    case 'basic.recover':
      return encodeBasicRecover(channel, method.args);
    case 'basic.recover-ok':
      return encodeBasicRecoverOk(channel, method.args);
    case 'basic.nack':
      return encodeBasicNack(channel, method.args);
    case 'confirm.select':
      return encodeConfirmSelect(channel, method.args);
    case 'confirm.select-ok':
      return encodeConfirmSelectOk(channel, method.args);
    case 'tx.select':
      return encodeTxSelect(channel, method.args);
    case 'tx.select-ok':
      return encodeTxSelectOk(channel, method.args);
    case 'tx.commit':
      return encodeTxCommit(channel, method.args);
    case 'tx.commit-ok':
      return encodeTxCommitOk(channel, method.args);
    case 'tx.rollback':
      return encodeTxRollback(channel, method.args);
    case 'tx.rollback-ok':
      return encodeTxRollbackOk(channel, method.args);
  }
}
