/** The polymq TypeScript SDK: Producer, Consumer, Admin, PartitionStream over the native protocol. */
export { PolymqClient, CLIENT_DEFAULTS, type ClientOptions, type AckMode } from './client';
export { Producer, PRODUCER_DEFAULTS, type ProducerOptions, type ProducerRecord, type RecordMetadata } from './producer';
export {
  Consumer,
  CONSUMER_DEFAULTS,
  type ConsumerOptions,
  type ConsumedRecord,
  type TopicPartitionOffset,
  type OffsetReset,
} from './consumer';
export { Admin, type AdminOptions, type BrokerStatus, type CreateTopicOptions } from './admin';
export { PartitionStream, type PartitionStreamOptions } from './partition-stream';
export { PolymqError, isPolymqError, isRetriable, type PolymqErrorCode, type ClientErrorCode } from './errors';
export { NATIVE_ERROR_CODE } from '../../protocols/native/error-codes';
