/**
 * The adapter's one door to the codec (protocols/amqp/codec, written separately). Everything else in the adapter
 * imports frames and methods from here, so a codec API change touches one file.
 */
import {
  decodeMethod,
  encodeMethod,
  makeMethod,
  type AmqpMethod,
  type AmqpMethodName,
  type MethodArgs,
} from './codec/methods.generated';
import {
  decodeContentHeader,
  encodeContentHeaderFrame,
  encodeContentHeaderFrameRaw,
} from './codec/properties';
import {
  FrameParser,
  encodeBodyFrames,
  HEARTBEAT_FRAME,
  checkProtocolHeader,
  type Frame,
} from './codec/frames';
import type { MessageProperties } from '../../src/core/message';

export type { AmqpMethod, Frame };
export { decodeMethod, decodeContentHeader, FrameParser, HEARTBEAT_FRAME, checkProtocolHeader };

export type MethodName = AmqpMethodName;
export type { MethodArgs };

export const FRAME_TYPE = { METHOD: 1, HEADER: 2, BODY: 3, HEARTBEAT: 8 } as const;
/** Frame overhead: type(1) channel(2) size(4) ... frame-end(1). */
export const FRAME_OVERHEAD_BYTES = 8;
export const BASIC_CLASS_ID = 60;

export function encodeFrame<N extends MethodName>(channel: number, name: N, args: MethodArgs<N>): Buffer {
  return encodeMethod(channel, makeMethod<N>(name, args));
}

export function encodeHeader(channel: number, bodySize: number, properties: MessageProperties): Buffer {
  return encodeContentHeaderFrame(channel, BASIC_CLASS_ID, bodySize, properties);
}

export function encodeHeaderRaw(channel: number, bodySize: number, raw: Buffer): Buffer {
  return encodeContentHeaderFrameRaw(channel, BASIC_CLASS_ID, bodySize, raw);
}

export function encodeBody(channel: number, body: Buffer, frameMax: number): Buffer[] {
  return encodeBodyFrames(channel, body, frameMax);
}
