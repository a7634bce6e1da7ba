import type { ReactorFactory } from '@access-ledger/platform';
import { notificationsReactor } from './notifications/notifications.reactor';

/**
 * The service's durable reactions to its events, as both apps compose them (the API runs them
 * with RUN_PROJECTIONS, the projector always): each idempotent by event id (see the Reactor type).
 */
export const reactors: readonly ReactorFactory[] = [notificationsReactor];

export * from './notifications/templates';
export * from './notifications/mailer';
export * from './notifications/recipients';
export * from './notifications/notifications.reactor';
