import { Upcaster, defineCatalogue } from '@access-ledger/core';
import { AccessRequestEvent, DECIDED_AS, REQUEST_STATUSES } from './events';

/**
 * Version 1 → 2 of a decision (RequestApproved, RequestRejected): `decidedAs` was added after
 * the first decisions were recorded, which lack it and were all taken by a SPOC. Decisions
 * written with `decidedAs` while the version was still 1 keep theirs (`platform_admin` too).
 */
const decidedBySpocUnlessStated: Upcaster = (data) => ({ ...data, decidedAs: data.decidedAs ?? 'spoc' });

const capacity = (decidedAs: string) => (decidedAs === 'platform_admin' ? 'platform administrator standing in' : 'SPOC');
const withReason = (reason: string | null) => (reason === null ? 'without a reason' : 'with a reason');
const withDetail = (detail: string | null) => (detail === null ? 'without a detail' : 'with a detail');

/**
 * The access-request catalogue: the current shape of each event's data (docs/events.md), the
 * upcasters from older versions, and one sentence per event for the audit timeline. Free text
 * (justification, comment, reasons) stays out of the sentence.
 */
export const accessRequestEvents = defineCatalogue<AccessRequestEvent>('access request events', {
  RequestCreated: {
    shape: { requestId: 'string', organisationId: 'string', application: 'string', justification: 'string?', requester: 'object', createdAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Request ${data.requestId} for ${data.application} in organisation ${data.organisationId} created by ${metadata.actor.email} for ${data.requester.email}; status created`,
  },
  ApprovalRequested: {
    shape: { requestId: 'string', organisationId: 'string', application: 'string', requester: 'object', previousStatus: REQUEST_STATUSES, requestedAt: 'string' },
    describe: ({ data }, { metadata }) => `Request ${data.requestId} for ${data.application} submitted for approval by ${metadata.actor.email}; status approval_requested`,
  },
  RequestApproved: {
    schemaVersion: 2,
    upcast: { 1: decidedBySpocUnlessStated },
    shape: {
      requestId: 'string',
      organisationId: 'string',
      application: 'string',
      requester: 'object',
      comment: 'string?',
      previousStatus: REQUEST_STATUSES,
      decidedAs: DECIDED_AS,
      approvedAt: 'string',
    },
    describe: ({ data }, { metadata }) =>
      `Request ${data.requestId} for ${data.application} approved by ${metadata.actor.email} as ${capacity(data.decidedAs)}; status approved_rae`,
  },
  RequestRejected: {
    schemaVersion: 2,
    upcast: { 1: decidedBySpocUnlessStated },
    shape: { requestId: 'string', organisationId: 'string', reason: 'string', previousStatus: REQUEST_STATUSES, decidedAs: DECIDED_AS, rejectedAt: 'string' },
    describe: ({ data }, { metadata }) => `Request ${data.requestId} rejected by ${metadata.actor.email} as ${capacity(data.decidedAs)}; status rejected`,
  },
  RequestWithdrawn: {
    shape: { requestId: 'string', organisationId: 'string', reason: 'string?', previousStatus: REQUEST_STATUSES, withdrawnAt: 'string' },
    describe: ({ data }, { metadata }) => `Request ${data.requestId} withdrawn by ${metadata.actor.email} ${withReason(data.reason)}; status withdrawn`,
  },
  AccountProvisioned: {
    shape: { requestId: 'string', organisationId: 'string', detail: 'string?', provisionedAt: 'string' },
    describe: ({ data }, { metadata }) => `Account for request ${data.requestId} reported provisioned by ${metadata.actor.email} ${withDetail(data.detail)}; provisioning provisioned`,
  },
  AccountProvisioningFailed: {
    shape: { requestId: 'string', organisationId: 'string', detail: 'string?', failedAt: 'string' },
    describe: ({ data }, { metadata }) => `Account for request ${data.requestId} reported failed by ${metadata.actor.email} ${withDetail(data.detail)}; provisioning failed`,
  },
});
