/** The package's public API: the embeddable broker, its config, the SDK and the core types. */
export { Broker, type BrokerOptions, type BrokerPorts } from './broker';
export { loadConfig, OPTIONS, type BrokerConfig } from './config';
export { BrokerError, type ErrorCode } from './core/errors';
export { LIMITS, type Limits } from './core/limits';
export type * from './core/types';
export type * from './core/message';
export * from './sdk';
