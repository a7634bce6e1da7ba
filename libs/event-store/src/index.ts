export * from './event-store';
export * from './sqlite-event-store';
export * from './handle-command';
export * from './eventstoredb-event-store';
export * from './stream-chain';
export { checkConnectionString } from './eventstoredb-rules';
