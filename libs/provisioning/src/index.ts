/**
 * Account provisioning's pure parts: which feed event asks for which action, how its outcome is
 * reported, what a webhook receives, and the retry schedule. No I/O, clock or randomness here.
 */
export * from './feed-event';
export * from './actions';
export * from './backoff';
