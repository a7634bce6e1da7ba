/**
 * The event feed for integrations: which event types are served, what of each (the feed views:
 * data minimisation), the envelope they go out in, and who may read it. Pure: the API reads the
 * log and hands the stored events in.
 */
export * from './views';
export * from './feed-event';
export * from './policy';
