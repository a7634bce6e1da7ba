import { Recorded } from '@access-ledger/core';
import type { Projection } from '@access-ledger/read-store';
import { AccessRequestEvent, Provisioning, REQUEST_STATUSES, RequestStatus, Requester, accessRequestEvents } from '@access-ledger/access-requests';

/** One row of the SPOC overview table (also the requester's own list). */
export interface OverviewRow extends Record<string, unknown> {
  id: string;
  organisationId: string;
  requester: Requester;
  requesterId: string;
  requesterEmail: string;
  requesterName: string | null;
  /** Name, else e-mail: what the table shows and sorts by. */
  requesterLabel: string;
  application: string;
  status: RequestStatus;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** null until approved; `pending` from the approval until downstream reports, then the last outcome it reported. */
  provisioning: Provisioning | null;
}

export const SPOC_OVERVIEW = 'spoc_overview';
export const SPOC_OVERVIEW_COUNTS = 'spoc_overview_counts';

const evolve = (doc: OverviewRow | null, event: Recorded<AccessRequestEvent>): OverviewRow | null => {
  const at = event.metadata.occurredAt;
  if (event.type === 'RequestCreated') {
    const { requester } = event.data;
    return {
      id: event.data.requestId,
      organisationId: event.data.organisationId,
      requester,
      requesterId: requester.id,
      requesterEmail: requester.email,
      requesterName: requester.name,
      requesterLabel: requester.name ?? requester.email,
      application: event.data.application,
      status: 'created',
      createdAt: at,
      updatedAt: at,
      completedAt: null,
      provisioning: null,
    };
  }
  if (doc === null) return null;
  switch (event.type) {
    case 'ApprovalRequested':
      return { ...doc, status: 'approval_requested', updatedAt: at };
    case 'RequestApproved':
      return { ...doc, status: 'approved_rae', updatedAt: at, completedAt: at, provisioning: { status: 'pending', detail: null, at } };
    case 'RequestRejected':
      return { ...doc, status: 'rejected', updatedAt: at, completedAt: at };
    case 'RequestWithdrawn':
      return { ...doc, status: 'withdrawn', updatedAt: at, completedAt: at };
    case 'AccountProvisioned':
      return { ...doc, updatedAt: at, provisioning: { status: 'provisioned', detail: event.data.detail, at } };
    case 'AccountProvisioningFailed':
      return { ...doc, updatedAt: at, provisioning: { status: 'failed', detail: event.data.detail, at } };
    default:
      return doc;
  }
};

/** The SPOC overview: every request of every organisation, filtered per organisation. */
export const spocOverviewProjection: Projection<OverviewRow, AccessRequestEvent> = {
  name: SPOC_OVERVIEW,
  collection: {
    name: SPOC_OVERVIEW,
    fields: ['organisationId', 'status', 'requesterId', 'createdAt', 'updatedAt'],
    searchable: ['requesterEmail', 'requesterName', 'requesterLabel', 'application'],
    indexes: [
      ['organisationId', 'updatedAt'],
      ['organisationId', 'status', 'updatedAt'],
      ['organisationId', 'createdAt'],
      ['organisationId', 'status', 'createdAt'],
      ['organisationId', 'requesterLabel'],
      ['organisationId', 'application'],
      ['organisationId', 'requesterEmail'],
      ['organisationId', 'requesterName'],
      // A search within statuses counts its matches on these (without them, a row lookup per match to read its status).
      ['organisationId', 'status', 'requesterEmail'],
      ['organisationId', 'status', 'requesterLabel'],
      ['organisationId', 'status', 'application'],
      ['requesterId', 'updatedAt'],
    ],
  },
  handles: accessRequestEvents.types,
  parse: accessRequestEvents.parse,
  documentId: (event) => event.data.requestId,
  evolve,
};

export type StatusCounts = Record<RequestStatus, number>;
export interface OverviewCounts extends StatusCounts, Record<string, unknown> {
  id: string;
}

/** The counts a counters document holds, zero for every status it has not seen. */
export const statusCountsOf = (doc: Partial<OverviewCounts> | null): StatusCounts =>
  Object.fromEntries(REQUEST_STATUSES.map((status) => [status, typeof doc?.[status] === 'number' ? doc[status] : 0])) as StatusCounts;

const zero = (organisationId: string): OverviewCounts => ({ id: organisationId, ...statusCountsOf(null) });

/**
 * Requests per status per organisation, kept as counters so the overview's counts and totals
 * cost one document read however many requests there are. Transitions carry the status
 * they leave, so no request needs to be looked up.
 */
export const spocOverviewCountsProjection: Projection<OverviewCounts, AccessRequestEvent> = {
  name: SPOC_OVERVIEW_COUNTS,
  collection: { name: SPOC_OVERVIEW_COUNTS, fields: [] },
  handles: accessRequestEvents.types,
  parse: accessRequestEvents.parse,
  documentId: (event) => event.data.organisationId,
  evolve: (doc, event) => {
    const counts = { ...(doc ?? zero(event.data.organisationId)) };
    const move = (from: RequestStatus | null, to: RequestStatus) => {
      if (from) counts[from] = Math.max(0, counts[from] - 1);
      counts[to] += 1;
    };
    switch (event.type) {
      case 'RequestCreated':
        move(null, 'created');
        break;
      case 'ApprovalRequested':
        move(event.data.previousStatus, 'approval_requested');
        break;
      case 'RequestApproved':
        move(event.data.previousStatus, 'approved_rae');
        break;
      case 'RequestRejected':
        move(event.data.previousStatus, 'rejected');
        break;
      case 'RequestWithdrawn':
        move(event.data.previousStatus, 'withdrawn');
        break;
      default:
        return doc;
    }
    return counts;
  },
};
