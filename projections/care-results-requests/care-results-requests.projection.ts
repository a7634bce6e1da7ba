import { Recorded } from '@access-ledger/core';
import type { Projection } from '@access-ledger/read-store';
import { GrantBasis, Refusal, ResultsAccessRequested, careAccessEvents } from '@access-ledger/care-access';

/** One request for a participant's results, granted or refused: what "who asked for my results" shows. */
export interface CareResultsRequestRow extends Record<string, unknown> {
  /** The event's id. */
  id: string;
  participantId: string;
  workflowId: string;
  organisationId: string;
  /** The asker's directory user id; null when they are not in the directory. */
  professionalId: string | null;
  /** The asker's e-mail address as authenticated (the event's actor). */
  askedBy: string;
  decision: 'granted' | 'refused';
  basis: GrantBasis | null;
  grantId: string | null;
  refusal: Refusal | null;
  until: string | null;
  requestedAt: string;
}

export const CARE_RESULTS_REQUESTS = 'care_results_requests';

const events = careAccessEvents.only<ResultsAccessRequested['type']>('care results request events', ['ResultsAccessRequested']);

/** Every request for results, one row each (a recorded request never changes), listed per participant newest first. */
export const careResultsRequestsProjection: Projection<CareResultsRequestRow, ResultsAccessRequested> = {
  name: CARE_RESULTS_REQUESTS,
  collection: {
    name: CARE_RESULTS_REQUESTS,
    fields: ['participantId', 'workflowId', 'professionalId', 'requestedAt'],
    indexes: [['participantId', 'requestedAt']],
  },
  handles: events.types,
  parse: events.parse,
  documentId: (event) => event.eventId,
  evolve: (doc, event: Recorded<ResultsAccessRequested>) => {
    if (doc !== null) return doc;
    const d = event.data;
    return {
      id: event.eventId,
      participantId: d.participantId,
      workflowId: d.workflowId,
      organisationId: d.organisationId,
      professionalId: d.professionalId,
      askedBy: event.metadata.actor.email,
      decision: d.decision,
      basis: d.basis,
      grantId: d.grantId,
      refusal: d.refusal,
      until: d.until,
      requestedAt: d.requestedAt,
    };
  },
};
