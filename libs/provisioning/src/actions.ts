import { FeedEvent } from './feed-event';

/** The event types account provisioning reacts to; the feed is asked for these only. */
export const PROVISIONING_EVENT_TYPES = ['RequestApproved', 'UserAdded', 'UserDeactivated', 'UserReactivated'] as const;
export type ProvisioningEventType = (typeof PROVISIONING_EVENT_TYPES)[number];

/**
 * What a downstream system is asked to do for an event:
 * - `grant-application-access`: an approved access request (its requester gets the application);
 * - `create-account`: a user added to an organisation's directory;
 * - `disable-account` / `enable-account`: a user deactivated / reactivated.
 */
export type ProvisioningActionKind = 'grant-application-access' | 'create-account' | 'disable-account' | 'enable-account';

export type ProvisioningSubject =
  | { readonly kind: 'request'; readonly requestId: string; readonly organisationId: string }
  | { readonly kind: 'user'; readonly userId: string; readonly organisationId: string };

export interface ProvisioningAction {
  readonly kind: ProvisioningActionKind;
  readonly subject: ProvisioningSubject;
  /** The event id: a downstream that dedupes by it performs the action once however often it is delivered. */
  readonly idempotencyKey: string;
  readonly event: FeedEvent;
}

const KIND_OF: Readonly<Record<ProvisioningEventType, ProvisioningActionKind>> = {
  RequestApproved: 'grant-application-access',
  UserAdded: 'create-account',
  UserDeactivated: 'disable-account',
  UserReactivated: 'enable-account',
};

const isProvisioningType = (type: string): type is ProvisioningEventType => Object.prototype.hasOwnProperty.call(KIND_OF, type);

/** A stream's id after its category (`request-<id>` -> `<id>`), when the stream is of that category. */
const idInStream = (streamId: string, category: string): string | undefined =>
  streamId.startsWith(`${category}-`) && streamId.length > category.length + 1 ? streamId.slice(category.length + 1) : undefined;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length > 0 ? value : undefined);

/**
 * The action an event asks for, or null for an event provisioning does not act on (another
 * type, or one without the ids an outcome can be reported against: it is passed over, never retried).
 */
export function provisioningActionOf(event: FeedEvent): ProvisioningAction | null {
  if (!isProvisioningType(event.type)) return null;
  const organisationId = text(event.data.organisationId);
  if (!organisationId) return null;
  const kind = KIND_OF[event.type];
  if (kind === 'grant-application-access') {
    const requestId = text(event.data.requestId) ?? idInStream(event.streamId, 'request');
    return requestId ? { kind, subject: { kind: 'request', requestId, organisationId }, idempotencyKey: event.eventId, event } : null;
  }
  const userId = text(event.data.userId) ?? idInStream(event.streamId, 'user');
  return userId ? { kind, subject: { kind: 'user', userId, organisationId }, idempotencyKey: event.eventId, event } : null;
}

/** How an action ended: done downstream, or failed for good (after its attempts, or refused). */
export type ProvisioningResult = { readonly ok: true } | { readonly ok: false; readonly detail: string };

/** The outcome reported to the API: the route, its body, and the Idempotency-Key that makes a repeated report record once. */
export interface OutcomeReport {
  readonly path: string;
  readonly body: { readonly status: 'provisioned' | 'disabled' | 'failed'; readonly detail?: string };
  readonly idempotencyKey: string;
}

/** The API bounds `detail` to 1..1000 characters. */
export const MAX_DETAIL_LENGTH = 1000;

const detailOf = (detail: string): string => {
  const trimmed = detail.trim() || 'failed';
  return trimmed.length <= MAX_DETAIL_LENGTH ? trimmed : `${trimmed.slice(0, MAX_DETAIL_LENGTH - 1)}…`;
};

/**
 * The report of an action's result. A success is keyed by the event id, a failure by
 * `<event id>:failed`: a retried report of the same outcome records once, and a success after an
 * operator's retry of a parked failure is a new report (the API takes `provisioned` after `failed`).
 */
export function outcomeReportOf(action: ProvisioningAction, result: ProvisioningResult): OutcomeReport {
  const { subject } = action;
  const path =
    subject.kind === 'request'
      ? `/requests/${encodeURIComponent(subject.requestId)}/provisioning`
      : `/organisations/${encodeURIComponent(subject.organisationId)}/users/${encodeURIComponent(subject.userId)}/provisioning`;
  if (!result.ok) return { path, body: { status: 'failed', detail: detailOf(result.detail) }, idempotencyKey: `${action.idempotencyKey}:failed` };
  return { path, body: { status: action.kind === 'disable-account' ? 'disabled' : 'provisioned' }, idempotencyKey: action.idempotencyKey };
}

/**
 * The JSON a webhook receives: what to do, for whom, the idempotency key, and the feed event it
 * follows from (its `data` is the feed's view: docs/api.md, "Event feed").
 */
export function webhookPayloadOf(action: ProvisioningAction) {
  return { action: action.kind, idempotencyKey: action.idempotencyKey, subject: action.subject, event: action.event };
}
