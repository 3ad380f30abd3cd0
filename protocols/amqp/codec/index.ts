/** The AMQP 0-9-1 codec: framing, generated method codec, content headers, field tables. */
export * from './frames';
export * from './methods.generated';
export * from './properties';
export { decodeFieldTable, encodeFieldTable, headerNumber, FIELD_TABLE_DEPTH_MAX } from './field-table';
export { encodeMethodWithContent } from './content';
export { MethodDecodeError } from './primitives';
