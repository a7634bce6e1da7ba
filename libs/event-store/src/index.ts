export * from './event-store';
export * from './sqlite-event-store';
export { SQLITE_EVENTS_SCHEMA } from './sqlite-append-batch';
export * from './handle-command';
export * from './eventstoredb-event-store';
export * from './stream-chain';
export { checkConnectionString } from './eventstoredb-rules';
