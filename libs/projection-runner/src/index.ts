export * from './batched';
export * from './projection-runner';
export * from './rebuild';
export * from './freshness';
