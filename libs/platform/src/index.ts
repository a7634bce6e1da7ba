/**
 * Shared Nest infrastructure every app composes: configuration, the stores module, health with
 * projection lag, metrics, the problem+json filter, request context and correlation, the auth
 * guard, idempotency keys, rate limits and HTTP hardening.
 */
export * from './config/config';
export * from './stores/tokens';
export * from './stores/stores.module';
export * from './stores/read-models';
export * from './sweeps/access-expiry';
export * from './auth/auth.guard';
export * from './auth/auditor-read-only.guard';
export * from './health/health.controller';
export * from './metrics/metrics';
export * from './http/problem';
export * from './http/request-context';
export * from './http/validation';
export * from './http/params';
export * from './http/json-body';
export * from './http/safe-text';
export * from './http/idempotency';
export * from './http/rate-limits';
export * from './http/hardening';
export * from './http/management';
export * from './http/paging';
export * from './http/fields';
export * from './http/openapi';
export * from './http/streaming';
