import { MalformedEventError, Recorded, RecordedEvent } from '@access-ledger/core';
import { AccessRequestEvent, accessRequestEvents } from '@access-ledger/access-requests';
import { CareAccessEvent, careAccessEvents } from '@access-ledger/care-access';
import { DirectoryEvent, directoryEvents } from '@access-ledger/directory';

/**
 * The event feed's views: per event type served to integrations, what of the stored event's
 * `data` goes out. Data minimisation by construction: a view builds its answer field by field
 * from the event as its context's catalogue reads it (upcast, checked), so nothing is served
 * that is not named here, not even a field a newer writer added to the stored data. The names
 * and nesting stay those of docs/events.md (a view only leaves fields out), so a consumer
 * reads one description of each event. docs/api.md ("Event feed") says per type what is kept
 * and why; a type not listed here is never served.
 *
 * Adding a type to the feed is one entry below.
 */
type ContextEvent = DirectoryEvent | AccessRequestEvent | CareAccessEvent;

/** Every context catalogue a feed type is read through (the one that includes it). */
const CATALOGUES = [directoryEvents, accessRequestEvents, careAccessEvents] as const;

/**
 * A stored event of this type as its context's catalogue reads it. A type no catalogue has yet
 * (one a context is about to add) reads as `never`, so its view compiles on the shape it is
 * written for and is checked against the real one once the context defines it.
 */
type EventOf<T extends string> = Recorded<Extract<ContextEvent, { type: T }>>;

/** What a view gives: plain JSON values. */
export type FeedData = Readonly<Record<string, unknown>>;

/** The views, keyed by type; each one's event typed as its context reads it. */
const defineViews = <T extends string>(views: { readonly [K in T]: (event: EventOf<K>) => FeedData }) => views;

/** The fields named, from the data as read (a copy: what is not named stays behind). */
const pick = <D extends object, K extends keyof D>(data: D, keys: readonly K[]): Pick<D, K> => {
  const out = {} as Pick<D, K>;
  for (const key of keys) out[key] = data[key];
  return out;
};

/** An account outcome reported by the provisioning service (AccountProvisioned, UserAccountDisabled, …): the ids and the service's own detail. */
type Outcome<Id extends string> = { readonly data: { readonly organisationId: string; readonly detail: string | null } & { readonly [K in Id]: string } };
const requestOutcome = ({ data }: Outcome<'requestId'>) => ({ requestId: data.requestId, organisationId: data.organisationId, detail: data.detail });
const userOutcome = ({ data }: Outcome<'userId'>) => ({ userId: data.userId, organisationId: data.organisationId, detail: data.detail });

const FEED_VIEWS = defineViews({
  // ---- access requests: who asked for which application, and what became of it
  RequestCreated: ({ data }) => ({ ...pick(data, ['requestId', 'organisationId', 'application', 'createdAt']), requester: { id: data.requester.id } }),
  ApprovalRequested: ({ data }) => ({ ...pick(data, ['requestId', 'organisationId', 'application', 'requestedAt']), requester: { id: data.requester.id } }),
  // What an account is provisioned with: who (their e-mail address and name), which application, which organisation.
  RequestApproved: ({ data }) => ({
    ...pick(data, ['requestId', 'organisationId', 'application', 'approvedAt']),
    requester: { id: data.requester.id, email: data.requester.email, name: data.requester.name },
  }),
  RequestRejected: ({ data }) => pick(data, ['requestId', 'organisationId', 'rejectedAt']),
  RequestWithdrawn: ({ data }) => pick(data, ['requestId', 'organisationId', 'withdrawnAt']),
  AccountProvisioned: requestOutcome,
  AccountProvisioningFailed: requestOutcome,

  // ---- directory: the accounts of an organisation's users, and their rights
  UserAdded: ({ data }) => pick(data, ['userId', 'organisationId', 'firstName', 'lastName', 'email', 'permissionLevel', 'addedAt']),
  UserPermissionLevelChanged: ({ data }) => pick(data, ['userId', 'organisationId', 'from', 'to', 'userStatus', 'changedAt']),
  UserDeactivated: ({ data }) => pick(data, ['userId', 'organisationId', 'deactivatedAt']),
  UserReactivated: ({ data }) => pick(data, ['userId', 'organisationId', 'permissionLevel', 'reactivatedAt']),
  UserAccountProvisioned: userOutcome,
  UserAccountDisabled: userOutcome,
  UserAccountProvisioningFailed: userOutcome,

  // ---- care access: which professional may see which participant's results, from when until when
  ConsentGiven: ({ data }) => ({
    ...pick(data, ['workflowId', 'organisationId', 'participantId', 'grantId', 'basis', 'assignmentId', 'from', 'until', 'givenAt']),
    professional: { id: data.professional.id },
  }),
  ConsentWithdrawn: ({ data }) => pick(data, ['workflowId', 'organisationId', 'participantId', 'grantId', 'professionalId', 'withdrawnAt']),
  ConsentRequested: ({ data }) => ({
    ...pick(data, ['workflowId', 'organisationId', 'participantId', 'assignmentId', 'endDate', 'requestedAt']),
    professional: { id: data.professional.id },
  }),
  AccessExpired: ({ data }) => pick(data, ['workflowId', 'organisationId', 'participantId', 'grantId', 'professionalId', 'until', 'recordedAt']),
});

export type FeedType = keyof typeof FEED_VIEWS;

/** The event types the feed serves, in the order docs/api.md lists them. */
export const FEED_TYPES = Object.keys(FEED_VIEWS) as readonly FeedType[];

export const isFeedType = (type: string): type is FeedType => Object.prototype.hasOwnProperty.call(FEED_VIEWS, type);

/** The feed data of a stored event of a feed type: read through its context's catalogue, then its view. */
export const feedDataOf = (recorded: RecordedEvent & { type: FeedType }): FeedData => {
  const catalogue = CATALOGUES.find((c) => c.includes(recorded.type));
  if (!catalogue) throw new MalformedEventError('the event feed', recorded, 'no context catalogue reads this type');
  const view = FEED_VIEWS[recorded.type] as (event: Recorded<ContextEvent>) => FeedData;
  return view(catalogue.parse(recorded) as Recorded<ContextEvent>);
};
