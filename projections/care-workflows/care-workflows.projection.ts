import { Recorded } from '@access-ledger/core';
import type { Projection } from '@access-ledger/read-store';
import { ParticipantEnrolled, WorkflowEvent, careAccessEvents } from '@access-ledger/care-access';

/** One row of an organisation's workflows list. */
export interface CareWorkflowRow extends Record<string, unknown> {
  id: string;
  organisationId: string;
  name: string;
  project: string | null;
  allowAppendProfessionals: boolean;
  /** Professionals added to the workflow up front (option 1). */
  professionals: number;
  /** Participants enrolled. */
  participants: number;
  createdAt: string;
  /** The workflow's own last change (created, settings, a professional added); enrolments only count. */
  updatedAt: string;
  /**
   * Position of the last event folded into the row. An event at or below it is already in the
   * counts and is skipped, so a catch-up batch that replays counted events with new ones
   * (see docs/decisions.md, "Care access read models") counts each event once.
   */
  appliedPosition: number;
}

export const CARE_WORKFLOWS = 'care_workflows';

type Handled = WorkflowEvent | ParticipantEnrolled;
const events = careAccessEvents.only<Handled['type']>('care workflow row events', ['WorkflowCreated', 'WorkflowSettingsChanged', 'ProfessionalAddedToWorkflow', 'ParticipantEnrolled']);

const evolve = (doc: CareWorkflowRow | null, event: Recorded<Handled>): CareWorkflowRow | null => {
  if (doc !== null && event.position <= doc.appliedPosition) return doc;
  const appliedPosition = event.position;
  if (event.type === 'WorkflowCreated') {
    if (doc !== null) return doc;
    const d = event.data;
    return {
      id: d.workflowId,
      organisationId: d.organisationId,
      name: d.name,
      project: d.project,
      allowAppendProfessionals: d.allowAppendProfessionals,
      professionals: 0,
      participants: 0,
      createdAt: d.createdAt,
      updatedAt: d.createdAt,
      appliedPosition,
    };
  }
  if (doc === null) return null;
  switch (event.type) {
    case 'WorkflowSettingsChanged':
      return { ...doc, allowAppendProfessionals: event.data.allowAppendProfessionals, updatedAt: event.data.changedAt, appliedPosition };
    case 'ProfessionalAddedToWorkflow':
      return { ...doc, professionals: doc.professionals + 1, updatedAt: event.data.addedAt, appliedPosition };
    case 'ParticipantEnrolled':
      return { ...doc, participants: doc.participants + 1, appliedPosition };
    default:
      return doc;
  }
};

/** The workflows of every organisation with their counts, listed per organisation. */
export const careWorkflowsProjection: Projection<CareWorkflowRow, Handled> = {
  name: CARE_WORKFLOWS,
  collection: {
    name: CARE_WORKFLOWS,
    fields: ['organisationId', 'createdAt', 'updatedAt'],
    searchable: ['name'],
    indexes: [
      ['organisationId', 'name'],
      ['organisationId', 'createdAt'],
    ],
  },
  handles: events.types,
  parse: events.parse,
  documentId: (event) => event.data.workflowId,
  evolve,
};
