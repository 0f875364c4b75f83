export { createRedis, DEFAULT_REDIS_URL } from './connection';
export * from './train-queue';
export * from './evaluate-queue';
export { describeValidationError } from './errors';
export { queueOverview, LISTED_STATES, type JobSummary, type ListedState } from './queue-overview';
export * from './import-queue';
export * from './sweep-queue';
