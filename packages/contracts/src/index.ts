export * from './api-keys';
export * from './caller';
export * from './errors';
export * from './health';
export * from './queues';
export * from './rate-limit';
export * from './rpc';
export * from './rpc-result';
