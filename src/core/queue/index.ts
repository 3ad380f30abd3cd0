export { ClassicQueue, type QueueDeps } from './classic-queue';
export { validateQueueArguments, parseQueueArguments, type QueueArguments, type OverflowMode } from './arguments';
export { deadLetterMessage, isDeadLetterCycle, xDeathCount, xDeathEntries, type DeadLetterReason } from './dead-letter';
export { QUEUE_STATE_NAMESPACE } from './delivery-state';
export { QUEUE_LIMITS, type QueueLimits } from './queue-limits';
