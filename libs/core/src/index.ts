export * from './messages';
export * from './errors';
export * from './catalogue';
export * from './decider';
export * from './ids';
export * from './canonical-json';
