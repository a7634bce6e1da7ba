/**
 * Account provisioning's runtime: configuration, the API client and token, providers (log,
 * signed webhook), the worker with its retries and parking, the sources (the API's feed with a
 * checkpoint; an EventStoreDB persistent subscription group), metrics, and the Nest module the
 * provisioning app and the API compose.
 */
export * from './config';
export * from './signature';
export * from './tokens';
export * from './store';
export * from './providers';
export * from './deliver';
export * from './api-client';
export * from './metrics';
export * from './worker';
export * from './feed-consumer';
export * from './eventstoredb-consumer';
export * from './provisioning.service';
export * from './provisioning.controllers';
export * from './provisioning.module';
