export * from './messages';
export * from './errors';
export * from './decider';
export * from './ids';
